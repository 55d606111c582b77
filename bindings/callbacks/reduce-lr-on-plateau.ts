/**
 * ReduceLROnPlateau (Keras 3): multiply the learning rate by `factor` when `monitor` has not
 * improved by more than `minDelta` for `patience` epochs, then wait `cooldown` epochs.
 */
import { Callback, type Logs } from './callback.js';
import { checkNonNegative, improves, resolveMode, type MonitorMode } from './monitor.js';

export interface ReduceLROnPlateauArgs {
  monitor?: string;
  /** New lr = lr·factor, factor in (0, 1) (default 0.1). */
  factor?: number;
  patience?: number;
  mode?: MonitorMode;
  /** Default 1e-4. */
  minDelta?: number;
  cooldown?: number;
  /** Floor for the learning rate (default 0). */
  minLr?: number;
  verbose?: 0 | 1;
}

export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly verbose: 0 | 1;
  wait = 0;
  cooldownCounter = 0;
  best = NaN;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.factor = args.factor ?? 0.1;
    if (!(this.factor > 0 && this.factor < 1)) throw new Error(`reduceLROnPlateau: factor must be in (0, 1), got ${this.factor}`);
    this.patience = args.patience ?? 10;
    this.mode = resolveMode(args.mode ?? 'auto', this.monitor, 'reduceLROnPlateau');
    this.minDelta = args.minDelta ?? 1e-4;
    this.cooldown = args.cooldown ?? 0;
    this.minLr = args.minLr ?? 0;
    for (const [k, v] of [['patience', this.patience], ['minDelta', this.minDelta], ['cooldown', this.cooldown], ['minLr', this.minLr]] as const) checkNonNegative('reduceLROnPlateau', k, v);
    this.verbose = args.verbose ?? 0;
  }

  override async onTrainBegin(): Promise<void> {
    this.wait = 0;
    this.cooldownCounter = 0;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const opt = this.model?.optimizer;
    if (!opt) throw new Error('reduceLROnPlateau: the model has no compiled optimizer');
    logs.learning_rate = opt.learningRate;
    const current = logs[this.monitor];
    if (current === undefined) throw new Error(`reduceLROnPlateau: monitor '${this.monitor}' is not in the logs; available: ${Object.keys(logs).join(', ')}`);
    const inCooldown = this.cooldownCounter > 0;
    if (inCooldown) { this.cooldownCounter--; this.wait = 0; }
    if (improves(this.mode, current, this.best, this.minDelta)) {
      this.best = current;
      this.wait = 0;
    } else if (!inCooldown) {
      this.wait++;
      if (this.wait >= this.patience && opt.learningRate > this.minLr) {
        opt.learningRate = Math.max(opt.learningRate * this.factor, this.minLr);
        if (this.verbose) console.log(`Epoch ${epoch + 1}: reducing the learning rate to ${opt.learningRate}`);
        this.cooldownCounter = this.cooldown;
        this.wait = 0;
      }
    }
  }
}

export const reduceLROnPlateau = (args?: ReduceLROnPlateauArgs) => new ReduceLROnPlateau(args);
