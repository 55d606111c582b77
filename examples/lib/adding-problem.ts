/**
 * The adding problem (Hochreiter & Schmidhuber 1997, as in Le et al. 2015): a sequence of T pairs
 * (value uniform in [0, 1], marker); exactly two markers are 1 — one in the first half, one in
 * the second — and the target is the sum of the two marked values. Predicting the constant 1
 * scores the variance of that sum, 2/12 ≈ 0.167 MSE; beating it means carrying the first marked
 * value across ≥ T/2 steps.
 */
import { Sequential, layers, optimizers, setSeed, tensor, type Tensor } from '../../bindings/index.js';
import { Random } from '../../bindings/random.js';

export function addingProblem(n: number, T: number, seed: number): { x: Tensor; y: Tensor } {
  const r = new Random(seed);
  const x = new Float32Array(n * T * 2), y = new Float32Array(n);
  const half = Math.floor(T / 2);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < T; t++) x[(s * T + t) * 2] = r.uniform();
    const a = r.int(half), b = half + r.int(T - half);
    x[(s * T + a) * 2 + 1] = 1;
    x[(s * T + b) * 2 + 1] = 1;
    y[s] = x[(s * T + a) * 2] + x[(s * T + b) * 2];
  }
  return { x: tensor(x, [n, T, 2]), y: tensor(y, [n, 1]) };
}

export type Cell = 'simpleRNN' | 'lstm' | 'gru';

/** cell(units) → Dense(1), Adam with per-weight clipnorm, MSE. */
export function addingModel(cell: Cell, T: number, units = 64, seed = 1, learningRate = 0.002): Sequential {
  setSeed(seed);
  const model = new Sequential([
    layers[cell]({ units, inputShape: [T, 2] }),
    layers.dense({ units: 1 }),
  ]);
  model.compile({ optimizer: optimizers.adam({ learningRate, clipnorm: 1 }), loss: 'meanSquaredError' });
  return model;
}

/** ‖dL/dh_t‖ for t = T…1 of the recurrent layer on one batch (weights untouched). */
export function hiddenGradProfile(model: Sequential, x: Tensor, y: Tensor): number[] {
  return model.gradientReport(x, y).layers[0].hiddenGradNorms ?? [];
}
