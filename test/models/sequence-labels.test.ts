/** Sparse crossentropy with one class index per time step: labels [n, T] for outputs [T, classes]. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, optimizers, ready, setSeed, tensor, gradCheck } from '../../bindings/index.js';
import { rng } from '../helpers/close.js';

beforeAll(async () => { await ready(); });

/** x [n, T, 1] in [0, 1); the label at step t says whether x_t > 0.5 (a per-step tagging task). */
function tagging(n: number, T: number, seed: number) {
  const r = rng(seed), x = new Float32Array(n * T), y = new Int32Array(n * T);
  for (let i = 0; i < n * T; i++) { x[i] = r(); y[i] = x[i] > 0.5 ? 1 : 0; }
  return { x: tensor(x, [n, T, 1]), y: tensor(y, [n, T]) };
}

function tagger(T: number) {
  setSeed(3);
  return new Sequential([
    layers.lstm({ units: 8, returnSequences: true, inputShape: [T, 1] }),
    layers.timeDistributed({ layer: layers.dense({ units: 2, activation: 'softmax' }) }),
  ]);
}

describe('per-step class labels', () => {
  it('pass the gradient check (fused softmax per step) and match the flat [n·T] computation', () => {
    const T = 5, { x, y } = tagging(4, T, 1);
    const model = tagger(T);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    expect(gradCheck(model, x, y).maxRelError).toBeLessThan(1e-5);
    // The loss is the mean over samples and steps of −log p(label): check against predict.
    const p = model.predict(x).dataSync();
    let expected = 0;
    for (let i = 0; i < 4 * T; i++) expected -= Math.log(p[i * 2 + y.values[i]]);
    expect(model.computeGradients(x, y).loss).toBeCloseTo(expected / (4 * T), 5);
  });

  it('train a tagger to high per-step accuracy; labels [n, T, 1] work too', async () => {
    const T = 6, { x, y } = tagging(512, T, 2);
    const model = tagger(T);
    model.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(x, y, { epochs: 20, batchSize: 32, verbose: 0 });
    const { accuracy } = await model.evaluate(x, y);
    expect(accuracy).toBeGreaterThan(0.95);
    expect((await model.evaluate(x, tensor(y.values, [512, T, 1]))).accuracy).toBe(accuracy);
  });

  it('labels of the wrong shape name both shapes', async () => {
    const T = 4, { x } = tagging(8, T, 3);
    const model = tagger(T);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await expect(model.evaluate(x, tensor(new Int32Array(8), [8]))).rejects.toThrow(/expects class indices of shape \[n, 4\] or \[n, 4, 1\], got \[8\]/);
  });
});
