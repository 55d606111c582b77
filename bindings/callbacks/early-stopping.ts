/**
 * EarlyStopping (Keras 3): stop when `monitor` has not improved by more than `minDelta` for
 * `patience` epochs; optionally restore the weights of the best epoch.
 */
import { Callback, type Logs } from './callback.js';
import { checkNonNegative, improves, resolveMode, type MonitorMode } from './monitor.js';
import type { Tensor } from '../tensor.js';

export interface EarlyStoppingArgs {
  /** Log key to watch (default 'val_loss'). */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  mode?: MonitorMode;
  /** Stop unless the value beats this (default none). */
  baseline?: number;
  /** On stopping, go back to the best epoch's weights (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching (default 0). */
  startFromEpoch?: number;
  verbose?: 0 | 1;
}

export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly baseline?: number;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: 0 | 1;
  wait = 0;
  stoppedEpoch = 0;
  best = NaN;
  bestEpoch = 0;
  private bestWeights?: Tensor[];

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.patience = args.patience ?? 0;
    checkNonNegative('earlyStopping', 'patience', this.patience);
    this.mode = resolveMode(args.mode ?? 'auto', this.monitor, 'earlyStopping');
    this.baseline = args.baseline;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.startFromEpoch = args.startFromEpoch ?? 0;
    this.verbose = args.verbose ?? 0;
  }

  override async onTrainBegin(): Promise<void> {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestWeights = undefined;
    this.bestEpoch = 0;
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const current = logs[this.monitor];
    if (current === undefined) {
      throw new Error(`earlyStopping: monitor '${this.monitor}' is not in the logs; available: ${Object.keys(logs).join(', ')}`);
    }
    if (epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && !this.bestWeights) this.bestWeights = this.model!.getWeights();
    this.wait++;
    if (improves(this.mode, current, this.best, this.minDelta)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.model!.getWeights();
      // Only restart the wait when the value beats both the baseline and the previous best.
      if (this.baseline === undefined || improves(this.mode, current, this.baseline, this.minDelta)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
      if (this.restoreBestWeights && this.bestWeights) this.model!.setWeights(this.bestWeights);
      if (this.verbose) console.log(`Epoch ${epoch + 1}: early stopping; best ${this.monitor} ${this.best} at epoch ${this.bestEpoch + 1}`);
    }
  }
}

export const earlyStopping = (args?: EarlyStoppingArgs) => new EarlyStopping(args);
