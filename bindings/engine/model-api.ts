/**
 * What diagnostics, callbacks, io and the worker may use of a model: its name and its engine
 * (plans and executor), plus the few model-level calls they need. Defined here, beside the engine,
 * so none of them imports the model classes (and the model classes import none of them back).
 */
import type { Tensor } from '../tensor.js';
import type { Layer } from '../layers/layer.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { Executor } from './executor.js';

export interface EngineModel {
  readonly name: string;
  stopTraining: boolean;
  readonly layers: Layer[];
  readonly built: boolean;
  /** The engine (plans the model's memory if it has not yet). */
  readonly engine: Executor;
  /** The engine if memory is planned already (callbacks during fit). */
  readonly plannedEngine?: Executor;
  readonly optimizer?: Optimizer;
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
  /** Forward and backward on one batch into the gradient buffer, weights (moving statistics included) untouched. */
  computeGradients(x: unknown, y: unknown): { loss: number; grads: Tensor[] };
}
