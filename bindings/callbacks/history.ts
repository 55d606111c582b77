/** The result of `fit`: per-epoch logs (`history.history.loss[epoch]`, `val_loss`, metrics). */
import type { Logs } from './callback.js';

export class History {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};
  /** Options `fit` ran with (epochs, batchSize, samples, steps). */
  params: Record<string, unknown> = {};

  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
