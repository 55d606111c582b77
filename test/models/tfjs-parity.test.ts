/**
 * Golden test with TensorFlow.js 4.22 (cpu backend, float32) as the oracle: the same MLP,
 * 6-8(tanh)-5(relu)-3, starts from keelnet's seeded weights copied into a tf.sequential; both
 * then train five SGD steps (lr 0.1, `w -= lr·g` in TF.js and Keras alike) on the same fixed
 * batches, unshuffled. Compared: predictions of the initial model, the loss and gradients on
 * the first batch, every step's loss and the final weights, for three losses:
 * sparse categorical crossentropy (labels), categorical crossentropy (one-hot), mean squared
 * error (linear output, and softmax output to reach the unfused softmax backward).
 *
 * Adam is left out on purpose: TF.js applies ε to the bias-corrected √v̂ (as PyTorch), Keras 3
 * and keelnet use the ε-hat form `w -= α·m/(√v + ε)`, i.e. an effective ε/√(1−β2ᵗ) — 32× larger
 * at t = 1. For gradients near ε that changes updates by a large fraction, so no tight tolerance
 * would hold; keelnet's Adam is checked against its own formula in test/kernels/.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, Tensor, layers, optimizers, ready, setBackend, setSeed } from '../../bindings/index.js';
import { expectClose, randomArray, rng } from '../helpers/close.js';

const IN = 6, CLASSES = 3, BATCH = 8, STEPS = 5, LR = 0.1, SEED = 7;
/** float32 on both sides, different summation orders: agreement to a few ulps of float32, compounded over 5 steps. */
const TOL = { atol: 1e-6, rtol: 1e-5 };

type LossName = 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy' | 'meanSquaredError';
interface Case { loss: LossName; output: 'softmax' | 'linear' }
const CASES: Case[] = [
  { loss: 'sparseCategoricalCrossentropy', output: 'softmax' },
  { loss: 'categoricalCrossentropy', output: 'softmax' },
  { loss: 'meanSquaredError', output: 'linear' },
  { loss: 'meanSquaredError', output: 'softmax' },
];

const N = BATCH * STEPS;
const X = randomArray(N * IN, 11, -2, 2);
const LABELS = (() => { const r = rng(12); return Int32Array.from({ length: N }, () => Math.floor(r() * CLASSES)); })();
const ONE_HOT = (() => { const o = new Float32Array(N * CLASSES); LABELS.forEach((c, i) => { o[i * CLASSES + c] = 1; }); return o; })();
const REGRESSION = randomArray(N * CLASSES, 13, -1, 1);

/** Targets for a loss, as keelnet takes them and as TF.js takes them, rows [from, to). */
function targets(loss: LossName, from: number, to: number): [Tensor, tf.Tensor] {
  if (loss === 'sparseCategoricalCrossentropy') {
    const v = LABELS.subarray(from, to);
    return [new Tensor(v, [to - from]), tf.tensor1d(Float32Array.from(v))];
  }
  const v = (loss === 'categoricalCrossentropy' ? ONE_HOT : REGRESSION).subarray(from * CLASSES, to * CLASSES);
  return [new Tensor(v, [to - from, CLASSES]), tf.tensor2d(v, [to - from, CLASSES])];
}

function inputs(from: number, to: number): [Tensor, tf.Tensor] {
  const v = X.subarray(from * IN, to * IN);
  return [new Tensor(v, [to - from, IN]), tf.tensor2d(v, [to - from, IN])];
}

/** The keelnet model on the current backend, and its TF.js twin holding the same initial weights. */
function twins(c: Case): { keel: Sequential; tfm: tf.Sequential } {
  setSeed(SEED);
  const keel = new Sequential([
    layers.dense({ units: 8, activation: 'tanh', inputShape: [IN] }),
    layers.dense({ units: 5, activation: 'relu' }),
    layers.dense({ units: CLASSES, activation: c.output }),
  ]);
  keel.compile({ optimizer: optimizers.sgd({ learningRate: LR }), loss: c.loss });
  const tfm = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, activation: 'tanh', inputShape: [IN] }),
      tf.layers.dense({ units: 5, activation: 'relu' }),
      tf.layers.dense({ units: CLASSES, activation: c.output }),
    ],
  });
  tfm.setWeights(keel.getWeights().map((w) => tf.tensor(w.values as Float32Array, [...w.shape])));
  tfm.compile({ optimizer: tf.train.sgd(LR), loss: c.loss });
  return { keel, tfm };
}

/**
 * TF.js's loss for a batch, averaged over samples, from the layers loss functions (tf.metrics.*
 * are the same functions). tfjs-layers computes the sparse loss exactly so: one-hot, then categorical.
 */
function tfLoss(loss: LossName, y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  const perSample = loss === 'sparseCategoricalCrossentropy' ? tf.metrics.categoricalCrossentropy(tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, CLASSES), p)
    : loss === 'categoricalCrossentropy' ? tf.metrics.categoricalCrossentropy(y, p)
      : tf.metrics.meanSquaredError(y, p);
  return tf.mean(perSample) as tf.Scalar;
}

const flat = (ts: { dataSync(): ArrayLike<number> }[]) => ts.flatMap((t) => Array.from(t.dataSync()));

beforeAll(async () => {
  await ready();
  expect(await tf.setBackend('cpu')).toBe(true);
});

describe.each(['wasm', 'js'] as const)('TensorFlow.js parity on %s', (backend) => {
  beforeAll(() => setBackend(backend));

  describe.each(CASES)('$loss, $output output', (c) => {
    it('predicts the same from the same weights', () => {
      const { keel, tfm } = twins(c);
      const [kx, tx] = inputs(0, N);
      const expected = tfm.predict(tx) as tf.Tensor;
      expect(keel.predict(kx).shape).toEqual(expected.shape);
      expectClose(keel.predict(kx).dataSync(), expected.dataSync(), TOL);
      tf.dispose([tx, expected]);
      tfm.dispose();
      keel.dispose();
    });

    it('computes the same loss and gradients on one batch', () => {
      const { keel, tfm } = twins(c);
      const [kx, tx] = inputs(0, BATCH);
      const [ky, ty] = targets(c.loss, 0, BATCH);
      const { loss, grads } = keel.computeGradients(kx, ky);
      // tfm.trainableWeights is in getWeights() order: kernel, bias per layer.
      const vars = tfm.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads: tfGrads } = tf.variableGrads(() => tfLoss(c.loss, ty, tfm.apply(tx) as tf.Tensor), vars);
      expectClose([loss], value.dataSync(), TOL);
      expectClose(flat(grads), flat(vars.map((v) => tfGrads[v.name])), TOL);
      tf.dispose([tx, ty, value, ...Object.values(tfGrads)]);
      tfm.dispose();
      keel.dispose();
    });

    it(`trains ${STEPS} SGD steps to the same losses and weights`, async () => {
      const { keel, tfm } = twins(c);
      const keelLosses: number[] = [], tfLosses: number[] = [];
      for (let s = 0; s < STEPS; s++) {
        const [kx, tx] = inputs(s * BATCH, (s + 1) * BATCH);
        const [ky, ty] = targets(c.loss, s * BATCH, (s + 1) * BATCH);
        const h = await keel.fit(kx, ky, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
        keelLosses.push(h.history.loss[0]);
        tfLosses.push(await tfm.trainOnBatch(tx, ty) as number);
        tf.dispose([tx, ty]);
      }
      expectClose(keelLosses, tfLosses, TOL);
      expect(keelLosses[STEPS - 1]).not.toEqual(keelLosses[0]); // the weights did move
      expectClose(flat(keel.getWeights()), flat(tfm.getWeights()), TOL);
      tfm.dispose();
      keel.dispose();
    });
  });
});
