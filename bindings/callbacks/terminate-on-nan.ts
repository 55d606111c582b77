/**
 * TerminateOnNaN: stop at the first batch whose loss is NaN or ±Infinity, and say where it began —
 * the first layer whose activations went non-finite on that batch, and the deepest weight whose
 * gradient did (gradients go bad from the output backwards).
 */
import { Callback, type Logs } from './callback.js';
import { firstNonFinite } from '../diagnostics/layer-stats.js';
import type { EngineModel } from '../engine/model-api.js';

export interface NaNReport {
  epoch: number;
  batch: number;
  loss: number;
  /** First layer (model order) whose output held NaN/Infinity, if any. */
  activation?: string;
  /** Deepest `layer/weight` whose gradient held NaN/Infinity, if any. */
  gradient?: string;
  message: string;
}

export interface TerminateOnNaNArgs {
  /** Called with the report when training is stopped. */
  onNaN?: (report: NaNReport) => void;
  /** 1 (default) prints the report's message with console.warn. */
  verbose?: 0 | 1;
}

export class TerminateOnNaN extends Callback {
  /** Set when training was stopped. */
  report?: NaNReport;
  private epoch = 0;

  constructor(private readonly args: TerminateOnNaNArgs = {}) {
    super();
  }

  override async onTrainBegin(): Promise<void> { this.report = undefined; }
  override async onEpochBegin(epoch: number): Promise<void> { this.epoch = epoch; }

  override async onBatchEnd(batch: number, logs: Logs = {}): Promise<void> {
    const loss = logs.loss;
    if (loss === undefined || Number.isFinite(loss)) return;
    const model = this.model as unknown as EngineModel;
    const where = firstNonFinite(model.engine);
    const parts = [where.activation && `activations first non-finite in ${where.activation}`, where.gradient && `gradients first non-finite in ${where.gradient}`].filter(Boolean);
    const message = `Epoch ${this.epoch + 1}, batch ${batch}: invalid loss ${loss}, terminating training`
      + (parts.length ? `; ${parts.join('; ')}` : '');
    this.report = { epoch: this.epoch, batch, loss, ...where, message };
    model.stopTraining = true;
    if ((this.args.verbose ?? 1) === 1) console.warn(message);
    this.args.onNaN?.(this.report);
  }
}

export const terminateOnNaN = (args?: TerminateOnNaNArgs) => new TerminateOnNaN(args);
