import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, optimizers, ready, setBackend, setSeed, tensor, Callback } from '../../bindings/index.js';
import { blobs, smallMlp } from '../helpers/models.js';
import { expectClose } from '../helpers/close.js';
import { backend } from '../../bindings/backend/index.js';

beforeAll(async () => { await ready(); });

describe.each(['wasm', 'js'] as const)('Sequential on %s', (name) => {
  beforeAll(() => setBackend(name));

  it('learns a 3-class problem with sgd and reports history and evaluate', async () => {
    const { x, y } = blobs(300, 1);
    const model = smallMlp();
    model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const h = await model.fit(x, y, { epochs: 8, batchSize: 16, verbose: 0, validationSplit: 0.2 });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(h.history.loss).toHaveLength(8);
    expect(h.history.loss[7]).toBeLessThan(h.history.loss[0] / 3);
    const scores = await model.evaluate(x, y);
    expect(scores.accuracy).toBeGreaterThan(0.97);
    const p = model.predict(x);
    expect(p.shape).toEqual([300, 3]);
    const v = p.dataSync();
    for (let i = 0; i < 3; i++) expect(v[i * 3] + v[i * 3 + 1] + v[i * 3 + 2]).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('trains every optimizer to a lower loss', async () => {
    const { x, y } = blobs(120, 2);
    for (const opt of ['sgd', 'adam', 'rmsprop', 'adagrad']) {
      const model = smallMlp(3);
      model.compile({ optimizer: opt, loss: 'sparse_categorical_crossentropy' });
      const before = (await model.evaluate(x, y)).loss;
      await model.fit(x, y, { epochs: 5, batchSize: 10, verbose: 0 });
      expect((await model.evaluate(x, y)).loss, opt).toBeLessThan(before);
      model.dispose();
    }
  });

  it('is bitwise deterministic under setSeed', async () => {
    const { x, y } = blobs(90, 3);
    const run = async () => {
      const m = smallMlp(42);
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      await m.fit(x, y, { epochs: 3, batchSize: 7, verbose: 0 });
      const w = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return w;
    };
    expect(await run()).toEqual(await run());
  });

  it('trains the last partial batch and honours stopTraining from a callback', async () => {
    const { x, y } = blobs(25, 4);
    const model = smallMlp();
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const sizes: number[] = [];
    await model.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0, callbacks: { onBatchEnd: (_b, logs) => { sizes.push(logs!.size); } } });
    expect(sizes).toEqual([10, 10, 5]);
    class StopAfterTwo extends Callback {
      batches = 0;
      override async onBatchEnd(): Promise<void> { if (++this.batches === 2) this.model!.stopTraining = true; }
    }
    const stop = new StopAfterTwo();
    const h = await model.fit(x, y, { epochs: 5, batchSize: 5, verbose: 0, callbacks: [stop] });
    expect(stop.batches).toBe(2);
    expect(h.epoch).toEqual([0]);
    model.dispose();
  });

  it('getWeights/setWeights round-trip in Keras layout', () => {
    const model = smallMlp();
    const ws = model.getWeights();
    expect(ws.map((w) => w.shape)).toEqual([[4, 16], [16], [16, 3], [3]]);
    const changed = ws.map((w) => tensor(w.dataSync().map((v, i) => v + i * 1e-3), [...w.shape]));
    model.setWeights(changed);
    model.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(changed[i].dataSync())));
    model.dispose();
  });
});

describe('wasm and js agree', () => {
  it('on predictions and on the weights after training steps', async () => {
    const { x, y } = blobs(64, 5);
    const results: { p: Float32Array | Int32Array; w: (Float32Array | Int32Array)[] }[] = [];
    for (const name of ['wasm', 'js'] as const) {
      setBackend(name);
      const m = smallMlp(9);
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
      results.push({ p: m.predict(x).dataSync(), w: m.getWeights().map((t) => t.dataSync()) });
      m.dispose();
    }
    setBackend('wasm');
    expectClose(results[0].p, results[1].p, { atol: 1e-4, rtol: 1e-3 });
    results[0].w.forEach((w, i) => expectClose(w, results[1].w[i], { atol: 1e-4, rtol: 1e-3 }));
  });
});

describe('model API', () => {
  beforeAll(() => setBackend('wasm'));

  it('add() builds like the constructor; summary lists layers and totals', () => {
    setSeed(1);
    const m = new Sequential();
    m.add(layers.dense({ units: 64, activation: 'relu', inputShape: [784] }));
    m.add(layers.dense({ units: 10, activation: 'softmax' }));
    const text = m.summary(null);
    expect(text).toContain('(Dense)');
    expect(text).toContain('[null, 64]');
    expect(text).toContain('50,240');
    expect(text).toContain('Total params: 50,890');
    expect(m.countParams()).toBe(784 * 64 + 64 + 64 * 10 + 10);
    m.dispose();
  });

  it('builds lazily from the data when no inputShape is given', async () => {
    const { x, y } = blobs(30, 6);
    setSeed(1);
    const m = new Sequential([layers.dense({ units: 5, activation: 'tanh' }), layers.dense({ units: 3, activation: 'softmax' })]);
    expect(m.built).toBe(false);
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    expect(m.built).toBe(true);
    expect(m.getWeights()[0].shape).toEqual([4, 5]);
    m.dispose();
  });

  it('accepts labels as [n,1] tensors, Int32Array, Uint8Array and number[]', async () => {
    const { x, y } = blobs(30, 7);
    const labels = Array.from(y.dataSync());
    const m = smallMlp();
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['acc'] });
    const ref = await m.evaluate(x, y);
    for (const l of [tensor(labels, [30, 1]), Int32Array.from(labels), Uint8Array.from(labels), labels]) {
      expect(await m.evaluate(x, l)).toEqual(ref);
    }
    expect(Object.keys(ref)).toEqual(['loss', 'acc']);
    m.dispose();
  });

  it('disposing 1,000 built-and-trained models does not grow linear memory', async () => {
    const { x, y } = blobs(20, 8);
    const cycle = async () => {
      const m = smallMlp();
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      await m.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0 });
      m.dispose();
    };
    await cycle();
    const be = backend();
    const before = be.memoryBytes();
    for (let i = 0; i < 1000; i++) await cycle();
    expect(be.memoryBytes()).toBe(before);
  });
});
