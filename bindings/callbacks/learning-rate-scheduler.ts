/** LearningRateScheduler (Keras 3): at each epoch's start, lr ← schedule(epoch, lr). */
import { Callback, type Logs } from './callback.js';

export type Schedule = (epoch: number, lr: number) => number;

export class LearningRateScheduler extends Callback {
  constructor(readonly schedule: Schedule, readonly verbose: 0 | 1 = 0) {
    super();
    if (typeof schedule !== 'function') throw new Error('learningRateScheduler: schedule must be a function (epoch, lr) => lr');
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    const opt = this.model?.optimizer;
    if (!opt) throw new Error('learningRateScheduler: the model has no compiled optimizer');
    const lr = this.schedule(epoch, opt.learningRate);
    if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr)) {
      throw new Error(`learningRateScheduler: the schedule returned ${String(lr)} for epoch ${epoch}; expected a non-negative number`);
    }
    opt.learningRate = lr;
    if (this.verbose) console.log(`Epoch ${epoch + 1}: learning rate ${lr}`);
  }

  override async onEpochEnd(_epoch: number, logs: Logs = {}): Promise<void> {
    logs.learning_rate = this.model!.optimizer!.learningRate;
  }
}

export const learningRateScheduler = (schedule: Schedule, verbose: 0 | 1 = 0) => new LearningRateScheduler(schedule, verbose);
