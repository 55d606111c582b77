/**
 * Callbacks: objects with any of the Keras hooks. `CallbackList` fans each hook out and only
 * awaits when a hook returned a promise, so a fit with no async callbacks never yields per batch.
 */
import type { Tensor } from '../tensor.js';

export type Logs = Record<string, number>;

export interface CallbackHooks {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
}

/** A model as callbacks see it (kept minimal so callbacks do not import the model). */
export interface CallbackModel {
  stopTraining: boolean;
  readonly name: string;
  readonly optimizer?: { learningRate: number };
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
}

/** Base class with no-op hooks; `this.model` is set before onTrainBegin. */
export class Callback implements CallbackHooks {
  model?: CallbackModel;
  setModel(model: CallbackModel): void { this.model = model; }
  async onTrainBegin(_logs?: Logs): Promise<void> {}
  async onTrainEnd(_logs?: Logs): Promise<void> {}
  async onEpochBegin(_epoch: number, _logs?: Logs): Promise<void> {}
  async onEpochEnd(_epoch: number, _logs?: Logs): Promise<void> {}
  async onBatchBegin(_batch: number, _logs?: Logs): Promise<void> {}
  async onBatchEnd(_batch: number, _logs?: Logs): Promise<void> {}
}

type Hook = keyof CallbackHooks;

export class CallbackList {
  constructor(readonly callbacks: CallbackHooks[]) {}

  has(hook: Hook): boolean {
    return this.callbacks.some((c) => typeof c[hook] === 'function');
  }

  async call(hook: 'onTrainBegin' | 'onTrainEnd', logs?: Logs): Promise<void>;
  async call(hook: 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd', index: number, logs?: Logs): Promise<void>;
  async call(hook: Hook, a?: number | Logs, b?: Logs): Promise<void> {
    for (const c of this.callbacks) {
      const fn = c[hook] as ((...args: unknown[]) => unknown) | undefined;
      if (typeof fn !== 'function') continue;
      const r = a === undefined || typeof a === 'object' ? fn.call(c, a) : fn.call(c, a, b);
      if (r && typeof (r as Promise<void>).then === 'function') await r;
    }
  }
}
