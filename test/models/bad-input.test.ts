/** Bad input gets a clear error naming what was expected and what was given, and the weights stay as they were. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, tensor, type Tensor } from '../../bindings/index.js';
import { blobs, smallMlp } from '../helpers/models.js';

beforeAll(async () => { await ready(); });

function compiled(): Sequential {
  const m = smallMlp();
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const snapshot = (m: Sequential) => m.getWeights().map((w) => Array.from(w.dataSync()));

/** Expect `fn` to reject with a message matching `re`, and the model's weights to be unchanged. */
async function rejectsKeepingWeights(m: Sequential, fn: () => unknown, re: RegExp): Promise<void> {
  const before = snapshot(m);
  await expect(async () => { await fn(); }).rejects.toThrow(re);
  expect(snapshot(m)).toEqual(before);
}

describe('bad input', () => {
  const { x, y } = blobs(30, 1);

  it('an input whose trailing shape differs names the layer and both shapes', async () => {
    const m = compiled();
    const bad = tensor(new Float32Array(30 * 5), [30, 5]);
    await rejectsKeepingWeights(m, () => m.fit(bad, y, { verbose: 0 }), /dense\w*: expected x of shape \[null, 4\], got \[30, 5\]/);
    await rejectsKeepingWeights(m, () => m.evaluate(bad, y), /expected x of shape \[null, 4\], got \[30, 5\]/);
    await rejectsKeepingWeights(m, () => m.predict(bad), /expected x of shape \[null, 4\], got \[30, 5\]/);
    await rejectsKeepingWeights(m, () => m.predict(tensor(new Float32Array(4), [4])), /got \[4\]/);
  });

  it('x and y of different lengths', async () => {
    const m = compiled();
    await rejectsKeepingWeights(m, () => m.fit(x, tensor(new Int32Array(29), [29]), { verbose: 0 }), /x has 30 samples, y has 29/);
  });

  it('labels that are not integers in [0, classes)', async () => {
    const m = compiled();
    const labels = Array.from(y.dataSync());
    await rejectsKeepingWeights(m, () => m.fit(x, labels.map((v, i) => (i === 7 ? 3 : v)), { verbose: 0 }), /integers in \[0, 3\).*got 3 at index 7/);
    await rejectsKeepingWeights(m, () => m.fit(x, labels.map((v, i) => (i === 2 ? -1 : v)), { verbose: 0 }), /got -1 at index 2/);
    await rejectsKeepingWeights(m, () => m.fit(x, labels.map((v, i) => (i === 4 ? 0.5 : v)), { verbose: 0 }), /got 0.5 at index 4/);
    await rejectsKeepingWeights(m, () => m.fit(x, tensor(new Float32Array(60), [30, 2]), { verbose: 0 }), /class indices of shape \[n\] or \[n, 1\], got \[30, 2\]/);
  });

  it('NaN or Infinity in x or y names the first bad index', async () => {
    const m = compiled();
    const xv = x.dataSync().slice(); xv[13] = NaN;
    await rejectsKeepingWeights(m, () => m.fit(tensor(xv, [30, 4]), y, { verbose: 0 }), /x: non-finite value NaN at flat index 13/);
    const xi = x.dataSync().slice(); xi[50] = Infinity;
    await rejectsKeepingWeights(m, () => m.evaluate(tensor(xi, [30, 4]), y), /x: non-finite value Infinity at flat index 50/);
    const mse = smallMlp();
    mse.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const t = new Float32Array(90); t[5] = -Infinity;
    await rejectsKeepingWeights(mse, () => mse.fit(x, tensor(t, [30, 3]), { verbose: 0 }), /y: non-finite value -Infinity at flat index 5/);
    const yv = new Float32Array(y.dataSync()); yv[3] = NaN;
    await rejectsKeepingWeights(m, () => m.fit(x, yv, { verbose: 0 }), /y: non-finite value NaN at flat index 3/);
  });

  it('fit or evaluate before compile', async () => {
    const m = smallMlp();
    await rejectsKeepingWeights(m, () => m.fit(x, y, { verbose: 0 }), /fit: sequential\w* is not compiled; call compile/);
    await rejectsKeepingWeights(m, () => m.evaluate(x, y), /evaluate: .* is not compiled/);
  });

  it('unknown activation, loss, optimizer or metric lists the valid names', () => {
    expect(() => layers.dense({ units: 3, activation: 'relux' })).toThrow(/Unknown activation 'relux'; valid names: linear, relu, .*softmax/);
    const m = smallMlp();
    expect(() => m.compile({ optimizer: 'adam', loss: 'crossentropy' })).toThrow(/Unknown loss 'crossentropy'; valid names: sparseCategoricalCrossentropy/);
    expect(() => m.compile({ optimizer: 'adamax', loss: 'mse' })).toThrow(/Unknown optimizer 'adamax'; valid names: sgd, adam, adamw, rmsprop, adagrad/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['f1'] })).toThrow(/Unknown metric 'f1'; valid names: accuracy/);
    // Keras snake_case aliases resolve.
    expect(() => layers.dense({ units: 3, activation: 'leaky_relu' })).not.toThrow();
    expect(() => m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' })).not.toThrow();
  });

  it('batchSize and epochs that are not positive integers', async () => {
    const m = compiled();
    for (const bad of [0, -1, 2.5, NaN]) {
      await rejectsKeepingWeights(m, () => m.fit(x, y, { batchSize: bad, verbose: 0 }), new RegExp(`batchSize must be a positive integer, got ${bad}`));
      await rejectsKeepingWeights(m, () => m.fit(x, y, { epochs: bad, verbose: 0 }), new RegExp(`epochs must be a positive integer, got ${bad}`));
    }
    await rejectsKeepingWeights(m, () => m.predict(x, { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
  });

  it('an empty data set', async () => {
    const m = compiled();
    const empty: Tensor = tensor(new Float32Array(0), [0, 4]);
    await rejectsKeepingWeights(m, () => m.fit(empty, new Int32Array(0), { verbose: 0 }), /x: the data set is empty \(shape \[0, 4\]\)/);
    await rejectsKeepingWeights(m, () => m.evaluate(empty, new Int32Array(0)), /the data set is empty/);
  });

  it('setWeights with a wrong shape or count', () => {
    const m = smallMlp();
    const ws = m.getWeights();
    const before = snapshot(m);
    expect(() => m.setWeights(ws.slice(1))).toThrow(/has 4 weights, got 3/);
    expect(() => m.setWeights([tensor(new Float32Array(64), [16, 4]), ...ws.slice(1)])).toThrow(/dense\w*\/kernel expects shape \[4, 16\], got \[16, 4\]/);
    expect(snapshot(m)).toEqual(before);
  });

  it('non-tensor x and a non-positive units', () => {
    const m = compiled();
    expect(() => m.predict([1, 2, 3, 4] as never)).toThrow(/x: expected a Tensor/);
    expect(() => layers.dense({ units: 0 })).toThrow(/units must be a positive integer, got 0/);
  });
});
