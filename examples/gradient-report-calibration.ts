/**
 * How the gradient report's thresholds were calibrated: MLPs on one MNIST batch — healthy ones
 * (the core MLP, deep ReLU + He, tanh + Glorot, residual stacks with near-zero last kernels) and
 * sick ones (deep sigmoid, ReLU + Glorot, over-scaled ReLU, default-initialized residual stacks) —
 * each with Adam and with SGD (lr 0.1), printing the verdict and the magnitudes it rests on.
 * A change to `defaultThresholds` should keep the healthy ones healthy.
 *   npx tsx examples/gradient-report-calibration.ts
 */
import { Sequential, layers, ready, setSeed, loadMnist, optimizers } from '../bindings/index.js';
import { deepMlp, head, overScaledRelu } from './lib/deep-mlp.js';
import { printTable } from './lib/output.js';

await ready();
const { x, y } = head(await loadMnist(), 256, 1);

const models: [string, () => Sequential][] = [
  ['core 784-500-10', () => { setSeed(1); return new Sequential([layers.dense({ units: 500, activation: 'relu', inputShape: [784] }), layers.dense({ units: 10, activation: 'softmax' })]); }],
  ['sigmoid+glorot, 20', () => deepMlp('sigmoid+glorot', 20)],
  ['relu+he, 20', () => deepMlp('relu+he', 20)],
  ['relu+he, 30', () => deepMlp('relu+he', 30)],
  ['relu+glorot, 20', () => deepMlp('relu+glorot', 20)],
  ['tanh+glorot, 20', () => deepMlp('tanh+glorot', 20)],
  ['relu 3×He, 20', () => overScaledRelu(20, 3)],
  ['relu 2×He, 10', () => overScaledRelu(10, 2)],
  ['residual near-zero, 41', () => deepMlp('residual', 41)],
  ['residual default, 41', () => deepMlp('residual', 41, 128, 1, 'default')],
];

const rows: (string | number)[][] = [];
for (const [name, make] of models) {
  for (const opt of ['adam', 'sgd 0.1'] as const) {
    const model = make();
    model.compile({ optimizer: opt === 'adam' ? optimizers.adam() : optimizers.sgd({ learningRate: 0.1 }), loss: 'sparseCategoricalCrossentropy' });
    const r = model.gradientReport(x, y);
    const grads = r.layers.filter((l) => l.weights.length).map((l) => l.weights[0].gradNorm);
    const rms = r.layers.slice(0, -1).map((l) => Math.hypot(l.activationMean, l.activationStd));
    const sci = (v: number) => v.toExponential(1);
    rows.push([name, opt, r.status, sci(r.firstToLastRatio ?? NaN), sci(Math.max(...grads)),
      sci(Math.max(...r.layers.flatMap((l) => l.weights.map((w) => w.updateRatio ?? 0)))),
      `${sci(rms[0])} → ${sci(rms[rms.length - 1])}`, Math.max(...r.layers.map((l) => l.deadFraction ?? 0)).toFixed(2)]);
    model.dispose();
  }
}
printTable(['model', 'optimizer', 'verdict', 'first/last ‖g‖', 'max ‖g‖', 'max ‖Δw‖/‖w‖', 'activation RMS first → last hidden', 'max dead'], rows);
