// The Keras 3 losses against TensorFlow.js 4.22's own (tfjs-layers' losses module, cpu backend),
// value and gradient (tf.grad) within 1e-5, on inputs where TF.js and Keras 3 agree: TF.js's
// hinge and squaredHinge take ±1 labels as given (Keras 3 also converts {0, 1}, tested against
// Keras in losses-keras.test.ts), and its cosineProximity floors ‖x‖² at ε rather than ‖x‖ at ε
// (the same away from zero vectors).
import * as tf from '@tensorflow/tfjs';
import * as tfjsLosses from '@tensorflow/tfjs-layers/dist/losses.js';
import { beforeAll, describe, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { backendByName } from '../helpers/backends.js';
import { randomArray, rng } from '../helpers/close.js';
import { expectCloseNamed, runKernel } from '../helpers/kernel-run.js';

type Kernel = 'kullbackLeiblerDivergence' | 'hinge' | 'squaredHinge' | 'categoricalHinge' | 'logcosh' | 'poisson'
  | 'cosineSimilarity' | 'meanAbsolutePercentageError' | 'meanSquaredLogarithmicError';
type TfLoss = (t: tf.Tensor, p: tf.Tensor) => tf.Tensor;

const R = 5, C = 7, n = R * C;
const signs = (seed: number) => { const r = rng(seed); return Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1)); };
const oneHot = (seed: number) => { const r = rng(seed), t = new Float32Array(n); for (let i = 0; i < R; i++) t[i * C + Math.floor(r() * C)] = 1; return t; };

const CASES: [Kernel, TfLoss, () => { P: Float32Array; T: Float32Array }][] = [
  ['kullbackLeiblerDivergence', tfjsLosses.kullbackLeiblerDivergence, () => ({ P: randomArray(n, 1, 0.01, 1), T: randomArray(n, 2, 0, 1) })],
  ['hinge', tfjsLosses.hinge, () => ({ P: randomArray(n, 3, -2, 2), T: signs(4) })],
  ['squaredHinge', tfjsLosses.squaredHinge, () => ({ P: randomArray(n, 5, -2, 2), T: signs(6) })],
  ['categoricalHinge', tfjsLosses.categoricalHinge, () => ({ P: randomArray(n, 7, -1, 1), T: oneHot(8) })],
  ['logcosh', tfjsLosses.logcosh, () => ({ P: randomArray(n, 9, -4, 4), T: randomArray(n, 10, -4, 4) })],
  ['poisson', tfjsLosses.poisson, () => ({ P: randomArray(n, 11, 0.1, 3), T: randomArray(n, 12, 0, 4) })],
  ['cosineSimilarity', tfjsLosses.cosineProximity, () => ({ P: randomArray(n, 13, -1, 1), T: randomArray(n, 14, -1, 1) })],
  ['meanAbsolutePercentageError', tfjsLosses.meanAbsolutePercentageError, () => ({ P: randomArray(n, 15, -2, 2), T: randomArray(n, 16, 0.5, 2) })],
  ['meanSquaredLogarithmicError', tfjsLosses.meanSquaredLogarithmicError, () => ({ P: randomArray(n, 17, 0.01, 3), T: randomArray(n, 18, 0, 3) })],
];

beforeAll(async () => { await tf.setBackend('cpu'); });

describe.each(['wasm', 'js'] as const)('Keras 3 losses against TF.js 4.22 (cpu) on %s', (beName) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(beName); });

  it.each(CASES)('%s', (kernel, tfLoss, inputs) => {
    const { P, T } = inputs();
    const t = tf.tensor2d(T, [R, C]), p = tf.tensor2d(P, [R, C]);
    const mean = (pp: tf.Tensor) => tf.mean(tfLoss(t, pp));
    const value = mean(p).dataSync()[0];
    const grad = tf.grad(mean)(p).dataSync();
    const r = runKernel(be, { dP: new Float32Array(n), P, T }, (be, ptr) => be[kernel](ptr.dP, ptr.P, ptr.T, R, C));
    expectCloseNamed('value', [r.value / R], [value], { atol: 1e-5, rtol: 1e-5 });
    expectCloseNamed('dP', r.out.dP, grad, { atol: 1e-5, rtol: 1e-5 });
    tf.dispose([t, p]);
  });
});
