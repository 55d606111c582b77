/** Small models and data sets shared by the model tests. */
import { Sequential, layers, tensor, setSeed, type Tensor } from '../../bindings/index.js';
import { rng } from './close.js';

/** A 3-class problem in 4-D: each class a Gaussian blob; learnable to ~100%. */
export function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const r = rng(seed);
  const centers = [[2, 0, 0, 1], [0, 2, 0, -1], [0, 0, 2, 0]];
  const x = new Float32Array(n * 4), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    for (let d = 0; d < 4; d++) x[i * 4 + d] = centers[c][d] + (r() - 0.5) * 1.5;
  }
  return { x: tensor(x, [n, 4]), y: tensor(y, [n]) };
}

export function smallMlp(seed = 1): Sequential {
  setSeed(seed);
  return new Sequential([
    layers.dense({ units: 16, activation: 'relu', inputShape: [4] }),
    layers.dense({ units: 3, activation: 'softmax' }),
  ]);
}
