/**
 * Merge layers on every backend: predictions against TensorFlow.js 4.22 with the same weights
 * (Subtract, which TF.js lacks, against its formula), the float64 gradient check for inputs and
 * weights, and shape errors that name the layer and both shapes.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor, gradCheck, input, layers, model, ready, setBackend, setSeed, type LayersModel, type SymbolicTensor } from '../../bindings/index.js';
import { expectClose, randomArray } from '../helpers/close.js';

const B = 5;
type Merge = (a: { name: string }) => { apply(x: unknown): unknown };

interface Case {
  name: string;
  /** Per-sample shapes of the inputs. */
  shapes: number[][];
  keel: Merge;
  tfjs?: Merge;
  /** Without TF.js: the expected output for the inputs, by formula. */
  formula?: (xs: Float32Array[]) => Float32Array;
}

const CASES: Case[] = [
  { name: 'add', shapes: [[3, 4], [3, 4], [3, 4]], keel: (a) => layers.add(a), tfjs: (a) => tf.layers.add(a) },
  { name: 'subtract', shapes: [[7], [7]], keel: (a) => layers.subtract(a), formula: ([x, y]) => x.map((v, i) => v - y[i]) },
  { name: 'average', shapes: [[5], [5], [5]], keel: (a) => layers.average(a), tfjs: (a) => tf.layers.average(a) },
  { name: 'multiply (2 inputs)', shapes: [[6], [6]], keel: (a) => layers.multiply(a), tfjs: (a) => tf.layers.multiply(a) },
  { name: 'multiply (3 inputs)', shapes: [[2, 3], [2, 3], [2, 3]], keel: (a) => layers.multiply(a), tfjs: (a) => tf.layers.multiply(a) },
  { name: 'maximum', shapes: [[9], [9], [9]], keel: (a) => layers.maximum(a), tfjs: (a) => tf.layers.maximum(a) },
  { name: 'minimum', shapes: [[4, 2], [4, 2]], keel: (a) => layers.minimum(a), tfjs: (a) => tf.layers.minimum(a) },
  { name: 'concatenate (last axis)', shapes: [[3], [5], [1]], keel: (a) => layers.concatenate(a), tfjs: (a) => tf.layers.concatenate(a) },
  { name: 'concatenate (axis 1 of [t, f])', shapes: [[2, 3], [4, 3]], keel: (a) => layers.concatenate({ ...a, axis: 1 }), tfjs: (a) => tf.layers.concatenate({ ...a, axis: 1 }) },
  // TF.js mis-reads negative axes of 4-D concatenations ("concat4D … along the non-concatenated axis 1"): the same axis, counted from 0 there.
  { name: 'concatenate (axis −2 of [h, w, c])', shapes: [[2, 3, 2], [2, 1, 2]], keel: (a) => layers.concatenate({ ...a, axis: -2 }), tfjs: (a) => tf.layers.concatenate({ ...a, axis: 2 }) },
  { name: 'dot of vectors', shapes: [[6], [6]], keel: (a) => layers.dot({ ...a, axes: 1 }), tfjs: (a) => tf.layers.dot({ ...a, axes: 1 }) },
  { name: 'dot of vectors, normalized (cosine)', shapes: [[6], [6]], keel: (a) => layers.dot({ ...a, axes: -1, normalize: true }), tfjs: (a) => tf.layers.dot({ ...a, axes: -1, normalize: true }) },
  { name: 'dot [n, d]·[m, d] over axes 2', shapes: [[3, 4], [2, 4]], keel: (a) => layers.dot({ ...a, axes: 2 }), tfjs: (a) => tf.layers.dot({ ...a, axes: 2 }) },
  { name: 'dot [n, d]·[n, e] over axes 1', shapes: [[3, 4], [3, 2]], keel: (a) => layers.dot({ ...a, axes: 1 }), tfjs: (a) => tf.layers.dot({ ...a, axes: 1 }) },
  { name: 'dot over axes [2, 1], normalized', shapes: [[3, 4], [4, 2]], keel: (a) => layers.dot({ ...a, axes: [2, 1], normalize: true }), tfjs: (a) => tf.layers.dot({ ...a, axes: [2, 1], normalize: true }) },
];

const values = (c: Case, k: number) => randomArray(B * c.shapes[k].reduce((a, b) => a * b, 1), 40 + k, -2, 2);

describe.each(['wasm', 'js'] as const)('merge layers on %s', (backendName) => {
  beforeAll(async () => { await ready(); setBackend(backendName); });

  it.each(CASES)('$name: predicts as TF.js (or its formula) and passes the gradient check', (c) => {
    setSeed(3);
    const ins = c.shapes.map((s, k) => input({ shape: s, name: `in${k}` }));
    const merged = c.keel({ name: 'merge' }).apply(ins) as SymbolicTensor;
    const bare = model({ inputs: ins, outputs: merged });
    const xs = c.shapes.map((s, k) => new Tensor(values(c, k), [B, ...s]));
    const got = (bare.predict(xs) as Tensor).dataSync();
    if (c.tfjs) {
      const tins = c.shapes.map((s, k) => tf.input({ shape: s, name: `in${k}` }));
      const tm = tf.model({ inputs: tins, outputs: c.tfjs({ name: 'merge' }).apply(tins) as tf.SymbolicTensor });
      expect([B, ...merged.shape]).toEqual(tm.outputs[0].shape.map((d) => d ?? B));
      const want = (tm.predict(c.shapes.map((s, k) => tf.tensor(values(c, k), [B, ...s]))) as tf.Tensor).dataSync();
      expectClose(got, want, { atol: 1e-5, rtol: 1e-5 });
    } else {
      expectClose(got, c.formula!(c.shapes.map((_, k) => values(c, k))), { atol: 1e-6, rtol: 1e-6 });
    }
    // Gradients: the merge between Dense layers, so weights and inputs both flow through it.
    const pre = ins.map((t, k) => layers.dense({ units: t.shape[t.shape.length - 1], name: `pre${k}` }).apply(t));
    const out = layers.dense({ units: 2, name: 'head' }).apply(c.keel({ name: 'merge2' }).apply(pre) as SymbolicTensor);
    const m: LayersModel = model({ inputs: ins, outputs: out });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const y = new Tensor(randomArray(B * out.shape.reduce((a, b) => a * b, 1), 9), [B, ...out.shape]);
    const r = gradCheck(m, xs, y, { epsilon: 1e-5 });
    // Some input-gradient entries are ~1e-6 (a concatenated slice far from the loss): float64
    // central differences leave them a relative error near 3e-5 at an absolute error of 3e-11.
    expect(r.maxRelError, JSON.stringify(r.entries)).toBeLessThan(1e-4);
    expect(Math.max(...r.entries.map((e) => e.maxAbsError)), JSON.stringify(r.entries)).toBeLessThan(1e-9);
    bare.dispose();
    m.dispose();
  });
});

describe('merge layer errors', () => {
  it('name the layer and the shapes', () => {
    const a = input({ shape: [3, 4] }), b = input({ shape: [3, 5] }), v = input({ shape: [4] });
    expect(() => layers.multiply({ name: 'mul' }).apply([a, b])).toThrow(/mul: Multiply needs inputs of one shape; input 0 is \[3, 4\], input 1 is \[3, 5\]/);
    expect(() => layers.concatenate({ name: 'cat', axis: 1 }).apply([a, b])).toThrow(/cat: Concatenate on axis 1 needs inputs equal but along that axis; input 0 is \[3, 4\], input 1 is \[3, 5\]/);
    expect(() => layers.concatenate({ name: 'cat0', axis: 0 })).toThrow(/cat0: axis must be a non-zero integer \(0 is the batch axis\)/);
    expect(() => layers.dot({ name: 'dt', axes: 2 }).apply([a, b])).toThrow(/dt: Dot over axes \[2, 2\] needs the same size along them; input 0 \[3, 4\] has 4, input 1 \[3, 5\] has 5/);
    expect(() => layers.dot({ name: 'dv', axes: 1 }).apply([a, v])).toThrow(/dv: Dot/);
    expect(() => layers.subtract({ name: 'sub' }).apply([v, v, v])).toThrow(/sub: Subtract takes exactly 2 inputs, got 3/);
  });
});
