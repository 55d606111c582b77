/**
 * The functional API and the graph engine's guarantees: models built from symbolic tensors, data
 * by array or by name, errors that name the input/output/layer, and the defects of the design the
 * engine replaced — a layer in two models, a layer used twice, dropout masks in gradCheck, the
 * batch prefetched while callbacks run — each with a test that failed before.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Callback, Sequential, LayersModel, Tensor, callbacks, gradCheck, input, layers, model, modelFromJSON, optimizers, ready, setBackend, setSeed, tensor,
} from '../../bindings/index.js';
import { expectClose, randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); setBackend('wasm'); });

const data = (shape: number[], seed: number, lo = -1, hi = 1) => tensor(randomArray(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);

describe('model({ inputs, outputs })', () => {
  it('a symbolic tensor has the per-sample shape; apply builds the layer; summary shows what each layer is connected to', () => {
    const x = input({ shape: [4], name: 'x' });
    expect(x.shape).toEqual([4]);
    const d = layers.dense({ units: 3, name: 'd' });
    const h = d.apply(x);
    expect(h.shape).toEqual([3]);
    expect(d.built && d.inputShape).toEqual([4]);
    const y = layers.add({ name: 'sum' }).apply([h, layers.dense({ units: 3, name: 'e' }).apply(x)]);
    const m = model({ inputs: x, outputs: y, name: 'g' });
    expect(m.layers.map((l) => l.name)).toEqual(['x', 'd', 'e', 'sum']);
    const text = m.summary(null);
    expect(text).toMatch(/Connected to/);
    expect(text).toMatch(/sum \(Add\)\s+\[null, 3\]\s+0\s+d, e/);
    expect(m.countParams()).toBe(2 * (4 * 3 + 3));
    m.dispose();
  });

  it('fit, evaluate and predict take arrays or objects keyed by input and output names', async () => {
    setSeed(3);
    const a = input({ shape: [3], name: 'a' }), b = input({ shape: [2], name: 'b' });
    const h = layers.dense({ units: 4, activation: 'relu', name: 'ha' }).apply(a);
    const cls = layers.dense({ units: 2, activation: 'softmax', name: 'cls' }).apply(h);
    const reg = layers.dense({ units: 1, name: 'reg' }).apply(layers.dense({ units: 4, name: 'hb' }).apply(b));
    const m = model({ inputs: [a, b], outputs: [cls, reg] });
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: { cls: 'sparseCategoricalCrossentropy', reg: 'meanSquaredError' }, metrics: { cls: ['accuracy'] } });
    const xa = data([20, 3], 1), xb = data([20, 2], 2), ycls = tensor(Int32Array.from({ length: 20 }, (_, i) => i % 2), [20]), yreg = data([20, 1], 3);
    const h1 = await m.fit([xa, xb], [ycls, yreg], { epochs: 2, batchSize: 8, verbose: 0 });
    expect(Object.keys(h1.history)).toEqual(['loss', 'cls_loss', 'cls_accuracy', 'reg_loss']);
    const byName = await m.evaluate({ a: xa, b: xb }, { cls: ycls, reg: yreg });
    const byArray = await m.evaluate([xa, xb], [ycls, yreg]);
    expect(byName).toEqual(byArray);
    const out = m.predict({ b: xb, a: xa }) as Tensor[];
    expect(out.map((t) => t.shape)).toEqual([[20, 2], [20, 1]]);
    m.dispose();
  });

  it('toJSON/modelFromJSON rebuilds the graph (shared layers, nested models): same predictions after copying weights', () => {
    setSeed(4);
    const ei = input({ shape: [5], name: 'ei' });
    const enc = model({ inputs: ei, outputs: layers.dense({ units: 3, activation: 'tanh', name: 'enc' }).apply(ei), name: 'encoder' });
    const a = input({ shape: [5], name: 'a' }), b = input({ shape: [5], name: 'b' });
    const shared = layers.dense({ units: 3, name: 'shared' });
    const y = layers.add({ name: 'sum' }).apply([shared.apply(enc.apply(a)), shared.apply(enc.apply(b))]);
    const m = model({ inputs: [a, b], outputs: layers.dense({ units: 2, name: 'out' }).apply(y), name: 'pair' });
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    expect(json.config.layers.find((l: { name: string }) => l.name === 'shared').inboundNodes).toHaveLength(2);
    const copy = modelFromJSON(json);
    copy.setWeights(m.getWeights());
    const x = [data([3, 5], 5), data([3, 5], 6)];
    expectClose((copy.predict(x) as Tensor).dataSync(), (m.predict(x) as Tensor).dataSync(), { atol: 0, rtol: 0 });
    expect(copy.countParams()).toBe(m.countParams());
    copy.dispose();
    m.dispose();
  });
});

describe('bad graphs and bad data: errors name the input, output or layer, and both shapes', () => {
  it('an output that does not depend on the declared inputs, an input used but not declared', () => {
    const a = input({ shape: [3], name: 'a_in' }), b = input({ shape: [3], name: 'b_in' });
    const yb = layers.dense({ units: 2, name: 'from_b' }).apply(b);
    expect(() => model({ inputs: a, outputs: yb })).toThrow(/output 'from_b' is computed from input 'b_in', which is not among the declared inputs \[a_in\]/);
    const both = layers.add({ name: 'ab' }).apply([layers.dense({ units: 3 }).apply(a), b]);
    expect(() => model({ inputs: [a], outputs: both })).toThrow(/input 'b_in'.*not among the declared inputs/);
    expect(() => model({ inputs: [a, b], outputs: layers.dense({ units: 1, name: 'only_a' }).apply(a) })).toThrow(/input 'b_in' is declared but no output depends on it/);
    expect(() => model({ inputs: a, outputs: a })).toThrow(/output 'a_in' is one of the inputs/);
    expect(() => model({ inputs: [yb], outputs: yb })).toThrow(/inputs must come from input\(\); 'from_b' is the output of Dense 'from_b'/);
  });

  it('merge inputs of incompatible shapes; a layer reused on another shape', () => {
    const a = input({ shape: [3] }), b = input({ shape: [4] });
    expect(() => layers.add({ name: 'bad_add' }).apply([a, b])).toThrow(/bad_add: Add needs inputs of one shape; input 0 is \[3\], input 1 is \[4\]/);
    expect(() => layers.add({ name: 'lonely' }).apply(a)).toThrow(/lonely.apply: a Add layer merges at least 2 inputs, got 1/);
    const d = layers.dense({ units: 2, name: 'once' });
    d.apply(a);
    expect(() => d.apply(b)).toThrow(/once: was built for input \[3\] and cannot be applied to \[4\]/);
    expect(() => d.apply(42 as never)).toThrow(/once.apply: input must be a symbolic tensor/);
  });

  it('fit data whose count or shapes do not match the inputs/outputs, a loss naming an unknown output — weights untouched', async () => {
    const a = input({ shape: [3], name: 'a' }), b = input({ shape: [2], name: 'b' });
    const m = model({ inputs: [a, b], outputs: layers.add({}).apply([layers.dense({ units: 2, name: 'p' }).apply(a), b]) });
    expect(() => m.compile({ optimizer: 'sgd', loss: { nope: 'meanSquaredError' } })).toThrow(/loss names 'nope', which is not an output of .* \[add/);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = m.getWeights().map((w) => Array.from(w.values));
    const xa = data([4, 3], 1), xb = data([4, 2], 2), y = data([4, 2], 3);
    await expect(m.fit([xa], y)).rejects.toThrow(/x: the model has 2 inputs \[a, b\], got an array of 1/);
    await expect(m.fit([xa, data([5, 2], 4)], y)).rejects.toThrow(/inputs have different numbers of samples: 'a' has 4, 'b' has 5/);
    await expect(m.fit([xa, data([4, 3], 4)], y)).rejects.toThrow(/input 'b': expected x\[1\] of shape \[null, 2\], got \[4, 3\]/);
    await expect(m.fit({ a: xa }, y)).rejects.toThrow(/no data for input 'b'/);
    await expect(m.fit({ a: xa, b: xb, c: xb }, y)).rejects.toThrow(/'c' is not one of the model's inputs \[a, b\]/);
    await expect(m.fit([xa, xb], data([4, 3], 5))).rejects.toThrow(/expects targets of shape \[null, 2\], got \[4, 3\]/);
    expect(m.getWeights().map((w) => Array.from(w.values))).toEqual(before);
    m.dispose();
  });

  it('a second fit on a model that is fitting, and compile during fit, are refused', async () => {
    setSeed(5);
    const m = new Sequential([layers.dense({ units: 2, inputShape: [3] })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = data([64, 3], 1), y = data([64, 2], 2);
    const errors: string[] = [];
    const probe = new (class extends Callback {
      override async onBatchEnd(): Promise<void> {
        if (errors.length) return;
        await m.fit(x, y, { verbose: 0 }).catch((e: Error) => errors.push(e.message));
        try { m.compile({ optimizer: 'adam', loss: 'meanAbsoluteError' }); } catch (e) { errors.push((e as Error).message); }
      }
    })();
    const h = await m.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: [probe] });
    expect(errors).toEqual([expect.stringMatching(/fit: sequential\w* is training \(fit is running\)/), expect.stringMatching(/compile: .* is training/)]);
    expect(h.history.loss.every(Number.isFinite)).toBe(true);
    m.dispose();
  });
});

describe('what the old design got wrong (each failed before the engine)', () => {
  it('a layer in two models: each model reads its own activations, and both use the one set of weights', () => {
    setSeed(6);
    const d = layers.dense({ units: 2, name: 'common', inputShape: [3] });
    const a = new Sequential([d]);
    const x = input({ shape: [3] });
    const b = model({ inputs: x, outputs: layers.dense({ units: 4, name: 'after' }).apply(d.apply(x)) });
    const xs = data([2, 3], 7);
    const ya = Array.from((a.predict(xs)).dataSync());
    b.predict(data([5, 3], 8));                       // b runs d on other data, in its own buffers
    expect(Array.from(a.predict(xs).dataSync())).toEqual(ya);
    // The weights are the layer's: setting them through b changes what a computes, as in Keras.
    const w = b.getWeights();
    w[0] = new Tensor(Float32Array.from(w[0].values, (v) => v * 2), w[0].shape);
    b.setWeights(w);
    const [kernel, bias] = a.getWeights();
    expectClose(kernel.values, w[0].values, { atol: 0, rtol: 0 });
    const want = new Float32Array(4);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      let s = bias.values[j];
      for (let k = 0; k < 3; k++) s += xs.values[i * 3 + k] * kernel.values[k * 2 + j];
      want[i * 2 + j] = s;
    }
    expectClose(a.predict(xs).dataSync(), want, { atol: 1e-6, rtol: 1e-6 });
    b.dispose();
    // a still owns the weights' memory after b lets go.
    expectClose(a.getWeights()[0].values, kernel.values, { atol: 0, rtol: 0 });
    a.dispose();
  });

  it('a layer whose weights live on another backend cannot join a model: the error names the layer and both models, and nothing is planned', () => {
    setBackend('js');
    const d = layers.dense({ units: 2, name: 'on_js', inputShape: [3] });
    const a = new Sequential([d], { name: 'model_on_js' });
    a.build();
    setBackend('wasm');
    const x = input({ shape: [3] });
    const b = model({ inputs: x, outputs: d.apply(x), name: 'model_on_wasm' });
    expect(() => b.build()).toThrow(/model_on_wasm: layer 'on_js' already has its weights on the js backend of model 'model_on_js'/);
    expect(b.memoryInfo().total).toBe(0);
    expect(a.getWeights()).toHaveLength(2);
    a.dispose();
    // Once the model that held them is gone, the layer's weights (kept in JS) can move.
    b.build();
    expect(b.getWeights()).toHaveLength(2);
    b.dispose();
  });

  it('residual([d, d]) counts d\'s weights once, and residual([...layers]) is accepted as well as residual({ layers })', () => {
    const d = layers.dense({ units: 4 });
    const r = layers.residual([d, d]);
    const m = new Sequential([layers.dense({ units: 4, inputShape: [4] }), r]);
    expect(m.countParams()).toBe(2 * (4 * 4 + 4));
    expect(m.getWeights()).toHaveLength(4);
    m.dispose();
  });

  it('a layer applied twice gets the sum of both uses\' gradients (analytically: uses apart, then summed)', () => {
    setSeed(7);
    const shared = layers.dense({ units: 2, name: 'twice' });
    const a = input({ shape: [3] }), b = input({ shape: [3] });
    const m = model({ inputs: [a, b], outputs: layers.add({}).apply([shared.apply(a), shared.apply(b)]) });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const xa = data([4, 3], 9), xb = data([4, 3], 10), y = data([4, 2], 11);
    const g = m.computeGradients([xa, xb], y).grads;
    // The same layer in a model with two separate copies of it: their gradients must add up to g.
    const c1 = layers.dense({ units: 2 }), c2 = layers.dense({ units: 2 });
    const a2 = input({ shape: [3] }), b2 = input({ shape: [3] });
    const apart = model({ inputs: [a2, b2], outputs: layers.add({}).apply([c1.apply(a2), c2.apply(b2)]) });
    apart.setWeights([...m.getWeights(), ...m.getWeights()]);
    apart.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const ga = apart.computeGradients([xa, xb], y).grads;
    expectClose(g[0].values, Float32Array.from(ga[0].values, (v, i) => v + ga[2].values[i]), { atol: 1e-6, rtol: 1e-5 });
    expectClose(g[1].values, Float32Array.from(ga[1].values, (v, i) => v + ga[3].values[i]), { atol: 1e-6, rtol: 1e-5 });
    m.dispose();
    apart.dispose();
  });

  it('gradCheck fixes the dropout masks of lstm({ dropout, recurrentDropout }) and timeDistributed(dropout)', () => {
    setSeed(8);
    const m = new Sequential([
      layers.lstm({ units: 3, dropout: 0.3, recurrentDropout: 0.3, returnSequences: true, inputShape: [4, 2] }),
      layers.timeDistributed(layers.dropout({ rate: 0.4 })),
      layers.timeDistributed(layers.dense({ units: 1 })),
    ]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const r = gradCheck(m, data([3, 4, 2], 12), data([3, 4, 1], 13));
    expect(r.maxRelError, JSON.stringify(r.entries)).toBeLessThan(1e-5);
    m.dispose();
  });

  it('the default fit (verbose 1, EarlyStopping) loads the next batch beside the optimizer step on a pool, and a callback that predicts mid-fit changes nothing', async () => {
    const run = async (extra: boolean) => {
      setSeed(9);
      const m = new Sequential([layers.dense({ units: 8, activation: 'relu', inputShape: [5] }), layers.dense({ units: 3, activation: 'softmax' })]);
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      const be = m.engine.be as { beside?: (a: () => void, b: () => void) => void };
      let besides = 0;
      // A stand-in for the pool's beside(): both run, in order, on this thread.
      be.beside = (a, b) => { besides++; a(); b(); };
      const probe = new (class extends Callback {
        override async onBatchEnd(): Promise<void> { if (extra) m.predict(data([7, 5], 3)); }
      })();
      const x = data([50, 5], 1), y = tensor(Int32Array.from({ length: 50 }, (_, i) => i % 3), [50]);
      const logged: string[] = [];
      const log = console.log;
      console.log = (s: string) => { logged.push(s); };
      try {
        await m.fit(x, y, { epochs: 2, batchSize: 10, callbacks: [callbacks.earlyStopping({ monitor: 'loss', patience: 5 }), probe] });
      } finally {
        console.log = log;
        delete be.beside;
      }
      const w = m.getWeights().map((t) => Array.from(t.values));
      m.dispose();
      return { besides, w };
    };
    const plain = await run(false), predicting = await run(true);
    expect(plain.besides).toBe(2 * 4);
    expect(predicting.w).toEqual(plain.w);
  });
});

describe('LayersModel is what Sequential builds on', () => {
  it('a Sequential is a LayersModel whose layers are its stack (no input layer)', () => {
    const m = new Sequential([layers.dense({ units: 2, inputShape: [3], name: 'only' })]);
    expect(m).toBeInstanceOf(LayersModel);
    expect(m.layers.map((l) => l.name)).toEqual(['only']);
    expect(m.summary(null)).not.toMatch(/Connected to/);
    m.dispose();
  });
});
