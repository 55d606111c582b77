/**
 * What a careless or hostile caller does (issue "Nothing silent, nothing unbounded"): each call
 * here was accepted or misbehaved before; now it is an Error that names the argument, layer or
 * model, what was expected and what was given — and nothing is left half-changed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Callback, Sequential, Tensor, layers, optimizers, ready, setBackend, setSeed, tensor } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); setBackend('wasm'); });

const mlp = (name?: string) => new Sequential([layers.dense({ units: 3, inputShape: [4] }), layers.dense({ units: 2 })], { name });
const flat = (m: Sequential) => m.getWeights().flatMap((w) => Array.from(w.values));

describe('bad shapes and arguments never reach the allocator', () => {
  it('build([NaN]), build("abc"), build([2.5]), build([0]), build([-1]) throw; models made afterwards do not share memory', () => {
    for (const bad of [[NaN], 'abc', [2.5], [0], [-1]]) {
      const m = new Sequential([layers.dense({ units: 2 })]);
      expect(() => m.build(bad as never), JSON.stringify(bad)).toThrow(/shape must be an array of positive integers/);
      m.dispose();
    }
    setSeed(1);
    const a = mlp('a'), b = mlp('b');
    const before = flat(a);
    b.setWeights(b.getWeights().map((w) => new Tensor(new Float32Array(w.size).fill(7), w.shape)));
    expect(flat(a)).toEqual(before);
    expect(flat(b).every((v) => v === 7)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('strings for booleans, a non-object for options, a number for inputShape, a non-array for layers', () => {
    expect(() => layers.dense({ units: 2, useBias: 'false' as never })).toThrow(/dense\w*: useBias must be true or false, got "false" \(a string\)/);
    expect(() => layers.dense({ units: 2, trainable: 'false' as never })).toThrow(/dense\w*: trainable must be true or false, got "false"/);
    expect(() => layers.lstm({ units: 2, useBias: 1 as never })).toThrow(/lstm\w*: useBias must be true or false, got 1/);
    expect(() => layers.dense(null as never)).toThrow(/Dense: expected an options object .* got null/);
    expect(() => layers.dense({ units: 2, inputShape: 5 as never })).toThrow(/dense\w*: inputShape must be an array of sizes .* got 5/);
    expect(() => new Sequential(42 as never)).toThrow(/Sequential: expected an array of layers or \{ layers, name \}, got 42/);
    expect(() => new Sequential([layers.dense({ units: 2 }), null as never])).toThrow(/Sequential: layers\[1\] must be a layer .* got null/);
    // TF.js's form works.
    const m = new Sequential({ layers: [layers.dense({ units: 2, inputShape: [3] })], name: 'tfjs_form' });
    expect(m.name).toBe('tfjs_form');
    expect(m.countParams()).toBe(8);
    m.dispose();
  });

  it('fit options that are not an object, callbacks that are not callbacks; callbacks: null is none (TF.js code passes it)', async () => {
    const m = mlp();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = tensor(randomArray(8 * 4, 1), [8, 4]), y = tensor(randomArray(8 * 2, 2), [8, 2]);
    const before = flat(m);
    await expect(m.fit(x, y, 42 as never)).rejects.toThrow(/fit: options must be an object such as \{ epochs: 5, batchSize: 32 \}, got 42/);
    await expect(m.fit(x, y, { callbacks: 42 as never })).rejects.toThrow(/fit: callbacks must be a callback .* got 42/);
    await expect(m.fit(x, y, { callbacks: [null as never] })).rejects.toThrow(/fit: callbacks\[0\] must be a callback .* got null/);
    expect(flat(m)).toEqual(before);
    const h = await m.fit(x, y, { verbose: 0, callbacks: null as never });
    expect(h.history.loss).toHaveLength(1);
    m.dispose();
  });
});

describe('one optimizer, one model', () => {
  it('an optimizer already given to one model is refused by another, which stays uncompiled', async () => {
    const a = mlp('first'), b = mlp('second');
    const opt = optimizers.adam();
    a.compile({ optimizer: opt, loss: 'meanSquaredError' });
    expect(() => b.compile({ optimizer: opt, loss: 'meanSquaredError' })).toThrow(/compile: this Adam optimizer was given to model 'first' already; second needs its own/);
    await expect(b.fit(tensor(randomArray(4, 1), [1, 4]), tensor([0, 1], [1, 2]))).rejects.toThrow(/second is not compiled/);
    a.dispose();
    // Once that model is gone, the optimizer may serve another.
    b.compile({ optimizer: optimizers.adam(), loss: 'meanSquaredError' });
    b.dispose();
  });
});

describe('memory limits', () => {
  it('activations past 2 GiB are refused up front naming the batch size and the layer; the model and others are unharmed', async () => {
    setSeed(3);
    const other = mlp('bystander');
    const otherWeights = flat(other);
    // 2 MiB of output and its gradient per sample: 1,100 samples need 2.1 GiB.
    const wide = new Sequential([layers.dense({ units: 1 << 18, name: 'very_wide', inputShape: [4] }), layers.dense({ units: 1 })], { name: 'wide' });
    wide.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const n = 1100, x = tensor(randomArray(n * 4, 4), [n, 4]), y = tensor(randomArray(n, 5), [n, 1]);
    const before = flat(wide);
    await expect(wide.fit(x, y, { batchSize: n, verbose: 0 })).rejects.toThrow(
      /wide: the activations for batch size 1100 do not fit \(alloc: .* past keelnet's limit of 2 GiB .*\); the largest are layer 'very_wide''s/);
    expect(flat(wide)).toEqual(before);
    // A batch that fits still trains, and nothing else was touched.
    const h = await wide.fit(tensor(x.values.subarray(0, 16 * 4), [16, 4]), tensor(y.values.subarray(0, 16), [16, 1]), { batchSize: 8, epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
    expect(flat(other)).toEqual(otherWeights);
    wide.dispose();
    other.dispose();
  });

  it('predict with a batch size far above the data plans for the data only (batchSize 700000 on 10 samples)', () => {
    const m = mlp();
    const x = tensor(randomArray(10 * 4, 6), [10, 4]);
    const want = Array.from(m.predict(x).dataSync());
    expect(Array.from(m.predict(x, { batchSize: 700000 }).dataSync())).toEqual(want);
    m.dispose();
  });
});

describe('calls in the wrong order', () => {
  it('dispose() from a callback during fit is refused; fit finishes and the model still works', async () => {
    const m = mlp();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const errors: string[] = [];
    const disposer = new (class extends Callback {
      override async onBatchEnd(): Promise<void> { try { m.dispose(); } catch (e) { errors.push((e as Error).message); } }
    })();
    const x = tensor(randomArray(16 * 4, 7), [16, 4]), y = tensor(randomArray(16 * 2, 8), [16, 2]);
    const h = await m.fit(x, y, { batchSize: 8, verbose: 0, callbacks: [disposer] });
    expect(errors[0]).toMatch(/dispose: sequential\w* is training \(fit is running\); set model.stopTraining = true and dispose after fit returns/);
    expect(h.history.loss.every(Number.isFinite)).toBe(true);
    m.dispose();
  });

  it('computeGradients leaves BatchNormalization\'s moving statistics as they were', () => {
    setSeed(9);
    const m = new Sequential([layers.dense({ units: 4, inputShape: [3] }), layers.batchNormalization(), layers.dense({ units: 1 })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = flat(m);
    const { grads } = m.computeGradients(tensor(randomArray(8 * 3, 10, -3, 3), [8, 3]), tensor(randomArray(8, 11), [8, 1]));
    expect(grads.some((g) => g.values.some((v) => v !== 0))).toBe(true);
    expect(flat(m)).toEqual(before);
    m.dispose();
  });
});
