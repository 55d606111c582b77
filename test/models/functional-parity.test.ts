/**
 * Functional models against TensorFlow.js 4.22 (cpu, float32) as the oracle. Each graph is built
 * twice by one builder, once with keelnet's API and once with TF.js's (the names are the same:
 * input, model, layers.dense, layers.add, …), every layer named, keelnet's seeded weights copied
 * into the TF.js twin by getWeights order — so the copy itself pins that order against TF.js's.
 * Both train 3 SGD steps on fixed batches; predictions, losses and weights must agree, and
 * keelnet's analytic gradients must pass the float64 finite-difference check.
 *
 * TF.js 4.22 ignores `lossWeights` (two equal MSE heads weighted [1, 0.5] report a total of
 * 8 = 4 + 4); keelnet follows Keras 3 (total = Σ wᵢ·Lᵢ), checked against that formula at the end.
 *
 * Graphs: an MLP with a skip connection; two inputs and two outputs (per-output losses and
 * loss weights); a siamese model (one layer applied to both inputs: its gradient is the sum of
 * both uses); an autoencoder whose encoder and decoder are models nested in it (after training,
 * the encoder model predicts with the trained weights); and a graph whose layer creation order
 * differs from its depth order.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LayersModel, Tensor, gradCheck, input, layers, model, optimizers, ready, setBackend, setSeed,
} from '../../bindings/index.js';
import { expectClose, randomArray, rng } from '../helpers/close.js';

const N = 6, STEPS = 3, LR = 0.1;
const TOL = { atol: 1e-5, rtol: 1e-4 };

type AnyLayer = { apply(x: unknown): unknown };
/** The part of either library a builder uses. */
interface Lib {
  input(a: { shape: number[]; name: string }): unknown;
  model(a: { inputs: unknown; outputs: unknown; name: string }): unknown;
  dense(a: { units: number; activation?: string; name: string }): AnyLayer;
  add(a: { name: string }): AnyLayer;
  average(a: { name: string }): AnyLayer;
}
const keelLib: Lib = {
  input: (a) => input(a), model: (a) => model(a as never),
  dense: (a) => layers.dense(a), add: (a) => layers.add(a), average: (a) => layers.average(a),
};
const tfLib: Lib = {
  input: (a) => tf.input(a), model: (a) => tf.model(a as never),
  dense: (a) => tf.layers.dense(a as never), add: (a) => tf.layers.add(a), average: (a) => tf.layers.average(a),
};

interface Case {
  name: string;
  build(lib: Lib): unknown;
  inputs: number[][];
  /** Per output: 'sparse' (3 classes), 'binary' (1 unit) or the regression width. */
  targets: ('sparse' | 'binary' | number)[];
  loss: string[];
  lossWeights?: number[];
}

const CASES: Case[] = [
  {
    name: 'MLP with a skip connection',
    inputs: [[6]], targets: ['sparse'], loss: ['sparseCategoricalCrossentropy'],
    build: (L) => {
      const x = L.input({ shape: [6], name: 'x' });
      const h1 = L.dense({ units: 8, activation: 'tanh', name: 'h1' }).apply(x);
      const h2 = L.dense({ units: 8, activation: 'relu', name: 'h2' }).apply(h1);
      const s = L.add({ name: 'skip' }).apply([h1, h2]);
      return L.model({ inputs: x, outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(s), name: 'skip_mlp' });
    },
  },
  {
    name: 'two inputs, two outputs',
    inputs: [[5], [3]], targets: ['sparse', 2], loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'],
    build: (L) => {
      const a = L.input({ shape: [5], name: 'a' }), b = L.input({ shape: [3], name: 'b' });
      const ha = L.dense({ units: 6, activation: 'relu', name: 'ha' }).apply(a);
      const hb = L.dense({ units: 6, activation: 'tanh', name: 'hb' }).apply(b);
      const m = L.average({ name: 'mix' }).apply([ha, hb]);
      const cls = L.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(m);
      const reg = L.dense({ units: 2, name: 'reg' }).apply(hb);
      return L.model({ inputs: [a, b], outputs: [cls, reg], name: 'two_heads' });
    },
  },
  {
    name: 'siamese (one layer applied to both inputs)',
    inputs: [[5], [5]], targets: ['binary'], loss: ['binaryCrossentropy'],
    build: (L) => {
      const a = L.input({ shape: [5], name: 'left' }), b = L.input({ shape: [5], name: 'right' });
      const shared = L.dense({ units: 4, activation: 'tanh', name: 'shared' });
      const e = L.add({ name: 'join' }).apply([shared.apply(a), shared.apply(b)]);
      return L.model({ inputs: [a, b], outputs: L.dense({ units: 1, activation: 'sigmoid', name: 'same' }).apply(e), name: 'siamese' });
    },
  },
  {
    name: 'autoencoder with nested encoder and decoder models',
    inputs: [[8]], targets: [8], loss: ['meanSquaredError'],
    build: (L) => {
      const ei = L.input({ shape: [8], name: 'enc_in' });
      const encoder = L.model({ inputs: ei, outputs: L.dense({ units: 2, name: 'code' }).apply(L.dense({ units: 4, activation: 'relu', name: 'enc_h' }).apply(ei)), name: 'encoder' });
      const di = L.input({ shape: [2], name: 'dec_in' });
      const decoder = L.model({ inputs: di, outputs: L.dense({ units: 8, name: 'recon' }).apply(L.dense({ units: 4, activation: 'relu', name: 'dec_h' }).apply(di)), name: 'decoder' });
      const x = L.input({ shape: [8], name: 'x' });
      const ae = L.model({ inputs: x, outputs: (decoder as AnyLayer).apply((encoder as AnyLayer).apply(x)), name: 'autoencoder' });
      return { ae, encoder };
    },
  },
  {
    name: 'creation order differs from depth order',
    inputs: [[4], [5]], targets: [5], loss: ['meanSquaredError'],
    build: (L) => {
      // Made last-first; the second input joins only at the end, so it sits at a shallower depth.
      const late = L.dense({ units: 5, name: 'late' });
      const early = L.dense({ units: 5, activation: 'tanh', name: 'early' });
      const a = L.input({ shape: [4], name: 'deep_in' }), b = L.input({ shape: [5], name: 'shallow_in' });
      const y = L.add({ name: 'sum' }).apply([late.apply(early.apply(a)), b]);
      return L.model({ inputs: [a, b], outputs: y, name: 'order' });
    },
  },
];

function data(c: Case, seed: number) {
  const r = rng(seed);
  const xs = c.inputs.map((s, i) => randomArray(N * STEPS * s[0], seed + 10 * i, -1.5, 1.5));
  const ys = c.targets.map((t, i) => (t === 'sparse' ? Float32Array.from({ length: N * STEPS }, () => Math.floor(r() * 3))
    : t === 'binary' ? Float32Array.from({ length: N * STEPS }, () => (r() < 0.5 ? 0 : 1))
      : randomArray(N * STEPS * t, seed + 100 + i, -1, 1)));
  const width = (t: Case['targets'][number]) => (t === 'sparse' || t === 'binary' ? 1 : t);
  const keel = (step: number) => ({
    x: xs.map((v, i) => new Tensor(v.subarray(step * N * c.inputs[i][0], (step + 1) * N * c.inputs[i][0]), [N, c.inputs[i][0]])),
    y: ys.map((v, i) => {
      const w = width(c.targets[i]), part = v.subarray(step * N * w, (step + 1) * N * w);
      return c.targets[i] === 'sparse' ? new Tensor(Int32Array.from(part), [N]) : new Tensor(part, [N, w]);
    }),
  });
  const tfd = (step: number) => ({
    x: xs.map((v, i) => tf.tensor2d(v.subarray(step * N * c.inputs[i][0], (step + 1) * N * c.inputs[i][0]), [N, c.inputs[i][0]])),
    y: ys.map((v, i) => {
      const w = width(c.targets[i]);
      return tf.tensor2d(v.subarray(step * N * w, (step + 1) * N * w), [N, w]);
    }),
  });
  return { keel, tfd };
}

const unwrap = <T>(m: unknown): T => ((m as { ae?: T }).ae ?? m) as T;

describe.each(['wasm', 'js'] as const)('functional models against TensorFlow.js on %s', (backendName) => {
  beforeAll(async () => { await ready(); setBackend(backendName); });

  it.each(CASES)('$name: same predictions, 3 SGD steps to the same losses and weights, and gradCheck', async (c) => {
    setSeed(21);
    const builtK = c.build(keelLib), builtT = c.build(tfLib);
    const keel = unwrap<LayersModel>(builtK), tfm = unwrap<tf.LayersModel>(builtT);
    // Layer order is TF.js's (by depth from the inputs, then discovery).
    expect(keel.layers.map((l) => l.name)).toEqual(tfm.layers.map((l) => l.name));
    const w0 = keel.getWeights();
    expect(w0.map((w) => [...w.shape])).toEqual(tfm.getWeights().map((w) => w.shape));
    tfm.setWeights(w0.map((w) => tf.tensor(w.values as Float32Array, [...w.shape])));
    const loss = c.loss.length === 1 ? c.loss[0] : c.loss;
    keel.compile({ optimizer: optimizers.sgd({ learningRate: LR }), loss: loss as never, lossWeights: c.lossWeights });
    tfm.compile({ optimizer: tf.train.sgd(LR), loss: loss as never, ...(c.lossWeights && { lossWeights: c.lossWeights }) });
    const { keel: kd, tfd } = data(c, 5);

    const pk = keel.predict(kd(0).x), pt = tfm.predict(tfd(0).x) as tf.Tensor | tf.Tensor[];
    const listK = Array.isArray(pk) ? pk : [pk], listT = Array.isArray(pt) ? pt : [pt];
    listK.forEach((p, i) => expectClose(p.dataSync(), listT[i].dataSync(), TOL));

    for (let s = 0; s < STEPS; s++) {
      const lk = keel.trainOnBatch(kd(s).x, kd(s).y).loss;
      const lt = await tfm.trainOnBatch(tfd(s).x, tfd(s).y);
      expect(lk).toBeCloseTo(Array.isArray(lt) ? lt[0] : lt, 4);
    }
    const wk = keel.getWeights(), wt = tfm.getWeights();
    wk.forEach((w, i) => expectClose(w.values, wt[i].dataSync(), { atol: 1e-4, rtol: 1e-4 }));

    const g = gradCheck(keel, kd(0).x, kd(0).y, { epsilon: 1e-5 });
    expect(g.maxRelError, JSON.stringify(g.entries)).toBeLessThan(1e-5);

    const encoder = (builtK as { encoder?: LayersModel }).encoder;
    if (encoder) {
      // The nested encoder shares its layers: it predicts with the weights the autoencoder trained.
      const te = (builtT as { encoder: tf.LayersModel }).encoder;
      expectClose((encoder.predict(kd(1).x[0]) as Tensor).dataSync(), (te.predict(tfd(1).x[0]) as tf.Tensor).dataSync(), TOL);
    }
    keel.dispose();
  });
});

describe('lossWeights (Keras 3: the total is Σ wᵢ·Lᵢ; History keeps each output\'s unweighted loss)', () => {
  beforeAll(async () => { await ready(); setBackend('wasm'); });

  it('weights the total and its gradients, and names the per-output losses <output>_loss', async () => {
    const c = CASES[1];
    setSeed(22);
    const m = unwrap<LayersModel>(c.build(keelLib));
    m.compile({ optimizer: optimizers.sgd({ learningRate: LR }), loss: c.loss as never, lossWeights: { cls: 1, reg: 0.5 }, metrics: { cls: ['accuracy'] } });
    const { keel: kd } = data(c, 6);
    const logs = await m.evaluate(kd(0).x, kd(0).y, { batchSize: N });
    expect(Object.keys(logs)).toEqual(['loss', 'cls_loss', 'cls_accuracy', 'reg_loss']);
    expect(logs.loss).toBeCloseTo(logs.cls_loss + 0.5 * logs.reg_loss, 6);
    const g = gradCheck(m, kd(0).x, kd(0).y, { epsilon: 1e-5 });
    expect(g.maxRelError, JSON.stringify(g.entries)).toBeLessThan(1e-5);
    // The weight only scales the reg head's gradient: its kernel's gradient halves against weight 1.
    const half = m.computeGradients(kd(0).x, kd(0).y).grads;
    m.compile({ optimizer: 'sgd', loss: c.loss as never });
    const full = m.computeGradients(kd(0).x, kd(0).y).grads;
    const reg = m.layers.findIndex((l) => l.name === 'reg');
    const at = m.layers.slice(0, reg).reduce((s, l) => s + l.weights.length, 0);
    expectClose(half[at].values, Float32Array.from(full[at].values, (v) => v * 0.5), { atol: 1e-7, rtol: 1e-6 });
    m.dispose();
  });
});
