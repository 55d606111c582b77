/**
 * ModelCheckpoint (Keras 3): save the model during fit, every epoch or every `saveFreq` batches,
 * or — with `saveBestOnly` — only when `monitor` beats the best value so far. The path may hold
 * Python format fields filled as Keras fills them: `{epoch}` (1-based), `{batch}` (1-based, for
 * batch-frequency saves) and any log key, with an optional spec: 'file://ckpt/epoch-{epoch:02d}-{val_loss:.4f}'.
 */
import { Callback, type CallbackModel, type Logs } from './callback.js';
import { resolveMode, type MonitorMode } from './monitor.js';

export interface ModelCheckpointArgs {
  /** Where to save ('file://dir', 'indexeddb://name', …), with optional {epoch}, {batch} and {log_key:spec} fields. */
  path: string;
  /** Save only when `monitor` improves on the best value seen (default false: save every time). */
  saveBestOnly?: boolean;
  /** Log key compared when saveBestOnly (default 'val_loss'). */
  monitor?: string;
  /** 'min', 'max', or 'auto' (max for accuracy-like keys; default). */
  mode?: MonitorMode;
  /** 'epoch' (default) or a number of batches between saves. */
  saveFreq?: 'epoch' | number;
  /** With saveBestOnly, a value the monitor must beat before the first save (default none). */
  initialValueThreshold?: number;
  verbose?: 0 | 1;
}

interface SavingModel extends CallbackModel {
  save(path: string): Promise<unknown>;
}

/** Python's str.format for one field: `{name}` or `{name:spec}` with spec like 02d, .4f, .3e, 8.2f. */
export function formatPath(path: string, values: Record<string, number>): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g, (field, key: string, spec?: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`modelCheckpoint: path field ${field} is not a log key; available: ${Object.keys(values).join(', ')}`);
    if (!spec) return String(v);
    const m = /^(0)?(\d+)?(?:\.(\d+))?([dfe])?$/.exec(spec);
    if (!m) throw new Error(`modelCheckpoint: format spec '${spec}' in ${field} is not supported (use d, f, e with width and precision, e.g. 02d, .4f)`);
    const [, zero, width, precision, type] = m;
    let s = type === 'd' ? String(Math.trunc(v))
      : type === 'e' ? v.toExponential(precision ? Number(precision) : 6).replace(/e([+-])(\d)$/, 'e$10$2')
        : precision !== undefined || type === 'f' ? v.toFixed(precision ? Number(precision) : 6) : String(v);
    if (width && s.length < Number(width)) {
      const neg = s.startsWith('-');
      s = zero ? (neg ? '-' : '') + (neg ? s.slice(1) : s).padStart(Number(width) - (neg ? 1 : 0), '0') : s.padStart(Number(width), ' ');
    }
    return s;
  });
}

export class ModelCheckpoint extends Callback {
  readonly path: string;
  readonly saveBestOnly: boolean;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly saveFreq: 'epoch' | number;
  readonly verbose: 0 | 1;
  best: number;
  private readonly initialBest: number;
  private batchesSinceSave = 0;
  private epoch = 0;
  private warned = false;
  /** Paths saved so far, in order. */
  readonly saved: string[] = [];

  constructor(args: ModelCheckpointArgs) {
    super();
    if (!args || typeof args.path !== 'string' || !args.path) throw new Error("modelCheckpoint: path is required, e.g. { path: 'file://checkpoints/epoch-{epoch}' }");
    this.path = args.path;
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.monitor = args.monitor ?? 'val_loss';
    this.mode = resolveMode(args.mode ?? 'auto', this.monitor, 'modelCheckpoint');
    const freq = args.saveFreq ?? 'epoch';
    if (freq !== 'epoch' && !(Number.isInteger(freq) && freq > 0)) throw new Error(`modelCheckpoint: saveFreq must be 'epoch' or a positive integer, got ${String(freq)}`);
    this.saveFreq = freq;
    this.verbose = args.verbose ?? 0;
    this.initialBest = args.initialValueThreshold ?? (this.mode === 'min' ? Infinity : -Infinity);
    this.best = this.initialBest;
  }

  override setModel(model: CallbackModel): void {
    if (typeof (model as SavingModel).save !== 'function') throw new Error('modelCheckpoint: the model has no save()');
    super.setModel(model);
  }

  override async onTrainBegin(): Promise<void> {
    this.best = this.initialBest;
    this.batchesSinceSave = 0;
    this.warned = false;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
  }

  override async onBatchEnd(batch: number, logs: Logs = {}): Promise<void> {
    if (this.saveFreq === 'epoch') return;
    if (++this.batchesSinceSave < this.saveFreq) return;
    this.batchesSinceSave = 0;
    await this.maybeSave(logs, batch);
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    this.epoch = epoch;
    if (this.saveFreq === 'epoch') await this.maybeSave(logs);
  }

  private async maybeSave(logs: Logs, batch?: number): Promise<void> {
    const epoch = this.epoch + 1;
    const path = formatPath(this.path, { ...logs, epoch, ...(batch === undefined ? {} : { batch: batch + 1 }) });
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        if (!this.warned) console.warn(`modelCheckpoint: can save the best model only with '${this.monitor}' in the logs (have: ${Object.keys(logs).join(', ')}); skipping`);
        this.warned = true;
        return;
      }
      const better = this.mode === 'min' ? current < this.best : current > this.best;
      if (!better) {
        if (this.verbose) console.log(`Epoch ${epoch}: ${this.monitor} did not improve from ${this.best}`);
        return;
      }
      if (this.verbose) console.log(`Epoch ${epoch}: ${this.monitor} improved from ${this.best} to ${current}, saving model to ${path}`);
      this.best = current;
    } else if (this.verbose) {
      console.log(`Epoch ${epoch}: saving model to ${path}`);
    }
    await (this.model as SavingModel).save(path);
    this.saved.push(path);
  }
}

export const modelCheckpoint = (args: ModelCheckpointArgs) => new ModelCheckpoint(args);
