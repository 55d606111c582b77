/** Optimizers by name ('sgd', 'adam', 'rmsprop', 'adagrad') or configured (`optimizers.adam({ learningRate })`). */
import { lookup } from '../names.js';
import { Optimizer } from './optimizer.js';
import { sgd } from './sgd.js';
import { adam, adamw } from './adam.js';
import { rmsprop } from './rmsprop.js';
import { adagrad } from './adagrad.js';

export { Optimizer } from './optimizer.js';
export type { OptimizerArgs } from './optimizer.js';
export { SGD } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export { RMSprop } from './rmsprop.js';
export { Adagrad } from './adagrad.js';

export const optimizers = { sgd, adam, adamw, rmsprop, adagrad };

export function getOptimizer(id: string | Optimizer): Optimizer {
  if (id instanceof Optimizer) return id;
  return lookup(optimizers, id, 'optimizer')();
}
