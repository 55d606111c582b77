/**
 * SimpleRNN, LSTM, GRU, Embedding and TimeDistributed:
 *  - forward against an independent float64 implementation of Keras 3's formulas (and TF.js 4.22
 *    for SimpleRNN and LSTM, whose layers share Keras's layout), on wasm and js;
 *  - finite-difference gradient checks (float64 reference core) for the input and every weight:
 *    short sequences, odd sizes, with and without returnSequences and goBackwards, stacked,
 *    regularized, with dropout (frozen masks), after an embedding, before a TimeDistributed head;
 *  - dropout masks: one per sequence, the same on both cores;
 *  - Keras weight layouts and defaults, toJSON/fromJSON, bad input, and `hiddenGradNorms`.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Sequential, layers, ready, setSeed, tensor, gradCheck, initializers, regularizers, LSTM, GRU, SimpleRNN, Embedding,
  type Layer, type Tensor,
} from '../../bindings/index.js';
import type { Backend } from '../../bindings/backend/backend.js';
import { backendByName } from '../helpers/backends.js';
import { expectClose, randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); await tf.setBackend('cpu'); });

type Kind = 'simpleRNN' | 'lstm' | 'gru';
const KINDS: Kind[] = ['simpleRNN', 'lstm', 'gru'];
const make = (kind: Kind, args: Record<string, unknown>): Layer => (layers[kind] as (a: never) => Layer)(args as never);
const data = (shape: number[], seed: number, scale = 1) => tensor(randomArray(shape.reduce((a, b) => a * b, 1), seed, -scale, scale), shape);

/**
 * Keras 3 formulas in float64, straight from keras/src/layers/rnn/{simple_rnn,lstm,gru}.py
 * (tanh activation, sigmoid recurrent activation, zero initial state). x (B, T, F); returns the
 * outputs (B, T, u) in processing order, or the last (B, u).
 */
function reference(kind: Kind, x: Tensor, w: Tensor[], units: number, returnSequences: boolean, goBackwards: boolean): Float64Array {
  const [B, T, F] = x.shape, u = units, G = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
  const W = w[0].values, U = w[1].values, b = w[2].values;
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const out = new Float64Array(B * (returnSequences ? T : 1) * u);
  for (let s = 0; s < B; s++) {
    let h = new Float64Array(u), c = new Float64Array(u);
    for (let step = 0; step < T; step++) {
      const t = goBackwards ? T - 1 - step : step;
      const xz = new Float64Array(G * u), hz = new Float64Array(G * u);
      for (let k = 0; k < G * u; k++) {
        for (let f = 0; f < F; f++) xz[k] += x.values[(s * T + t) * F + f] * W[f * G * u + k];
        for (let j = 0; j < u; j++) hz[k] += h[j] * U[j * G * u + k];
      }
      const nh = new Float64Array(u), nc = new Float64Array(u);
      for (let j = 0; j < u; j++) {
        if (kind === 'simpleRNN') nh[j] = Math.tanh(xz[j] + hz[j] + b[j]);
        else if (kind === 'lstm') {
          const g = (q: number) => xz[q * u + j] + hz[q * u + j] + b[q * u + j];
          nc[j] = sig(g(1)) * c[j] + sig(g(0)) * Math.tanh(g(2));
          nh[j] = sig(g(3)) * Math.tanh(nc[j]);
        } else {
          // bias (2, 3u): input bias then recurrent bias.
          const z = sig(xz[j] + b[j] + hz[j] + b[3 * u + j]);
          const r = sig(xz[u + j] + b[u + j] + hz[u + j] + b[4 * u + j]);
          const hh = Math.tanh(xz[2 * u + j] + b[2 * u + j] + r * (hz[2 * u + j] + b[5 * u + j]));
          nh[j] = z * h[j] + (1 - z) * hh;
        }
      }
      h = nh; c = nc;
      if (returnSequences) out.set(h, (s * T + step) * u);
    }
    if (!returnSequences) out.set(h, s * u);
  }
  return out;
}

/** A model with random (non-default) biases so every weight matters. */
function model(kind: Kind, T: number, F: number, u: number, extra: Record<string, unknown> = {}, head = true): Sequential {
  return new Sequential([
    make(kind, { units: u, inputShape: [T, F], biasInitializer: initializers.randomNormal({ stddev: 0.5 }), unitForgetBias: kind === 'lstm' ? false : undefined, ...extra }),
    ...(head ? [layers.dense({ units: 2 })] : []),
  ]);
}

describe.each(['wasm', 'js'] as const)('forward on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });

  const cases = KINDS.flatMap((k) => [[k, false, false], [k, true, false], [k, false, true], [k, true, true]] as const);
  it.each(cases)('%s returnSequences=%s goBackwards=%s matches Keras 3 formulas', (kind, returnSequences, goBackwards) => {
    setSeed(11);
    const B = 3, T = 6, F = 5, u = 7;
    const m = model(kind, T, F, u, { returnSequences, goBackwards }, false);
    m.build([T, F], be);
    const x = data([B, T, F], 3, 1.5);
    const y = m.predict(x);
    expect(y.shape).toEqual(returnSequences ? [B, T, u] : [B, u]);
    expectClose(y.values, reference(kind, x, m.getWeights(), u, returnSequences, goBackwards), { atol: 2e-6, rtol: 1e-5 });
    m.dispose();
  });

  it.each([['simpleRNN', false], ['lstm', false], ['lstm', true], ['simpleRNN', true]] as const)(
    '%s (goBackwards=%s, returnSequences) matches TensorFlow.js 4.22 with the same weights', (kind, goBackwards) => {
      setSeed(12);
      const B = 4, T = 5, F = 3, u = 6;
      const m = model(kind, T, F, u, { returnSequences: true, goBackwards }, false);
      m.build([T, F], be);
      const x = data([B, T, F], 4, 2);
      const opts = { units: u, returnSequences: true, goBackwards, inputShape: [T, F] };
      const t = kind === 'lstm' ? tf.layers.lstm({ ...opts, recurrentActivation: 'sigmoid' }) : tf.layers.simpleRNN(opts);
      const tm = tf.sequential({ layers: [t] });
      tm.setWeights(m.getWeights().map((w) => tf.tensor(w.values as Float32Array, [...w.shape])));
      const want = (tm.predict(tf.tensor3d(x.values as Float32Array, [B, T, F])) as tf.Tensor).dataSync();
      expectClose(m.predict(x).values, want, { atol: 2e-6, rtol: 1e-5 });
      tm.dispose();
      m.dispose();
    });
});

describe('Keras weight layouts and defaults', () => {
  it('LSTM: kernel [in, 4u], recurrent_kernel [u, 4u] orthogonal, bias [4u] = [0, 1, 0, 0] blocks', () => {
    setSeed(1);
    const m = new Sequential([layers.lstm({ units: 5, inputShape: [4, 3] })]);
    const [k, r, b] = m.getWeights();
    expect(m.layers[0].weights.map((w) => [w.name, w.shape])).toEqual([['kernel', [3, 20]], ['recurrent_kernel', [5, 20]], ['bias', [20]]]);
    expect(Array.from(b.values)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, ...new Array(10).fill(0)]);
    // Glorot uniform: limit √(6/(3 + 20)).
    expect(Math.max(...Array.from(k.values, Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 23));
    // (5, 20) orthogonal: orthonormal rows, R·Rᵀ = I.
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
      let dot = 0;
      for (let c = 0; c < 20; c++) dot += r.values[i * 20 + c] * r.values[j * 20 + c];
      expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
    }
    const l = m.layers[0] as LSTM;
    expect([l.activation.name, l.recurrentActivation.name, l.returnSequences, l.goBackwards, l.unitForgetBias]).toEqual(['tanh', 'sigmoid', false, false, true]);
  });

  it('GRU: kernel [in, 3u], recurrent_kernel [u, 3u], bias [2, 3u]; SimpleRNN: [in, u], [u, u], [u]', () => {
    const g = new Sequential([layers.gru({ units: 4, inputShape: [2, 3] })]);
    expect(g.layers[0].weights.map((w) => [w.name, w.shape])).toEqual([['kernel', [3, 12]], ['recurrent_kernel', [4, 12]], ['bias', [2, 12]]]);
    expect((g.layers[0] as GRU).resetAfter).toBe(true);
    const s = new Sequential([layers.simpleRNN({ units: 4, inputShape: [2, 3] })]);
    expect(s.layers[0].weights.map((w) => [w.name, w.shape])).toEqual([['kernel', [3, 4]], ['recurrent_kernel', [4, 4]], ['bias', [4]]]);
    const e = new Sequential([layers.embedding({ inputDim: 10, outputDim: 3, inputShape: [4] })]);
    expect(e.layers[0].weights.map((w) => [w.name, w.shape])).toEqual([['embeddings', [10, 3]]]);
    // Keras's 'uniform' embeddings initializer: RandomUniform(−0.05, 0.05).
    expect(Math.max(...Array.from(e.getWeights()[0].values, Math.abs))).toBeLessThanOrEqual(0.05);
  });
});

/** Measured ≤ 3e-6 (the worst elements are gradients near the 1e-6 floor of the relative error); float64 central differences. */
const GC_TOL = 1e-5;

describe('gradient checks (float64 finite differences)', () => {
  const check = (m: Sequential, x: Tensor, y: Tensor, checkInput = true) => {
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const r = gradCheck(m, x, y, { epsilon: 1e-5, checkInput });
    expect(r.maxRelError, JSON.stringify(r.entries)).toBeLessThan(GC_TOL);
    return r;
  };

  const cases = KINDS.flatMap((k) => [[k, false, false], [k, true, false], [k, false, true], [k, true, true]] as const);
  it.each(cases)('%s returnSequences=%s goBackwards=%s: input and every weight', (kind, returnSequences, goBackwards) => {
    setSeed(5);
    const B = 3, T = 4, F = 3, u = 5;
    const m = model(kind, T, F, u, { returnSequences, goBackwards });
    const r = check(m, data([B, T, F], 1, 1.5), data(returnSequences ? [B, T, 2] : [B, 2], 2));
    expect(r.entries.map((e) => e.name.split('/').pop())).toEqual(['kernel', 'recurrent_kernel', 'bias', 'kernel', 'bias', 'input']);
  });

  it.each(KINDS)('%s: one time step, one unit, one sample', (kind) => {
    setSeed(6);
    check(model(kind, 1, 1, 1), data([1, 1, 1], 3), data([1, 2], 4));
  });

  it.each(KINDS)('%s: other gate activations (relu / hardSigmoid / softsign), no bias, regularizers', (kind) => {
    setSeed(7);
    const m = model(kind, 3, 2, 3, {
      activation: kind === 'simpleRNN' ? 'softsign' : 'relu', recurrentActivation: 'hardSigmoid', useBias: false,
      kernelRegularizer: regularizers.l2({ l2: 0.01 }), recurrentRegularizer: regularizers.l1({ l1: 0.01 }),
      // hardSigmoid's kinks at ±3 stay away from these small inputs.
      recurrentInitializer: initializers.randomNormal({ stddev: 0.3 }),
    });
    check(m, data([3, 3, 2], 5), data([3, 2], 6));
  });

  it.each(KINDS)('%s with dropout and recurrentDropout (masks frozen)', (kind) => {
    setSeed(8);
    const m = model(kind, 4, 5, 6, { dropout: 0.3, recurrentDropout: 0.4, returnSequences: true });
    check(m, data([3, 4, 5], 7), data([3, 4, 2], 8));
  });

  it('stacked: LSTM(returnSequences) → GRU(goBackwards) → SimpleRNN → Dense', () => {
    setSeed(9);
    const m = new Sequential([
      layers.lstm({ units: 4, returnSequences: true, inputShape: [5, 3] }),
      layers.gru({ units: 3, returnSequences: true, goBackwards: true, biasInitializer: initializers.randomNormal({ stddev: 0.3 }) }),
      layers.simpleRNN({ units: 5 }),
      layers.dense({ units: 1 }),
    ]);
    check(m, data([2, 5, 3], 9), data([2, 1], 10));
  });

  it('Embedding → LSTM(returnSequences) → TimeDistributed(Dense) and → Dense on 3-D', () => {
    setSeed(10);
    const ids = tensor(Float32Array.from([0, 3, 6, 1, 6, 6, 2, 5, 4, 0, 1, 3]), [3, 4]);
    for (const head of [layers.timeDistributed(layers.dense({ units: 2, activation: 'tanh' })), layers.dense({ units: 2, activation: 'tanh' })]) {
      const m = new Sequential([
        layers.embedding({ inputDim: 7, outputDim: 5, inputShape: [4], embeddingsInitializer: initializers.randomNormal({ stddev: 0.5 }) }),
        layers.lstm({ units: 3, returnSequences: true }),
        head,
      ]);
      expect(m.outputShape).toEqual([4, 2]);
      const r = check(m, ids, data([3, 4, 2], 11), false);
      // Ids 0..6 all appear: every row of the table gets a gradient that the check compares.
      expect(r.entries[0].name).toMatch(/embedding\w*\/embeddings/);
    }
  });
});

describe('losses on sequences (returnSequences + a per-step head)', () => {
  it.each([['Dense', false], ['TimeDistributed(Dense)', true]] as const)(
    'categorical crossentropy with a %s softmax head is the mean over samples and steps of the per-step loss, with correct gradients', async (_, wrap) => {
      setSeed(20);
      const B = 3, T = 4, C = 3;
      const head = layers.dense({ units: C, activation: 'softmax' });
      const m = new Sequential([layers.gru({ units: 5, returnSequences: true, inputShape: [T, 2] }), wrap ? layers.timeDistributed(head) : head]);
      m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const x = data([B, T, 2], 21, 2);
      const labels = [0, 2, 1, 1, 0, 0, 2, 2, 1, 0, 1, 2];
      const y = tensor(Float32Array.from(labels.flatMap((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)))), [B, T, C]);
      const p = m.predict(x).values;
      let want = 0, hits = 0;
      labels.forEach((c, i) => {
        want -= Math.log(p[i * C + c]);
        const row = Array.from(p.subarray(i * C, i * C + C));
        if (row.indexOf(Math.max(...row)) === c) hits++;
      });
      const got = await m.evaluate(x, y);
      expect(got.loss).toBeCloseTo(want / (B * T), 5);
      expect(got.accuracy).toBeCloseTo(hits / (B * T), 6);
      const r = gradCheck(m, x, y, { epsilon: 1e-5 });
      expect(r.maxRelError, JSON.stringify(r.entries)).toBeLessThan(GC_TOL);
    });
});

describe('dropout masks', () => {
  it('one mask per sequence, fixed over time, identical on wasm and js', async () => {
    const B = 4, T = 5, F = 8, u = 6;
    const x = data([B, T, F], 12, 2), y = data([B, 1], 13);
    const runs: { loss: number; mask: Float32Array; xt: Float32Array; w: Float32Array }[] = [];
    for (const name of ['wasm', 'js'] as const) {
      const be = await backendByName(name);
      setSeed(14);
      const m = new Sequential([layers.lstm({ units: u, dropout: 0.5, recurrentDropout: 0.5, inputShape: [T, F] }), layers.dense({ units: 1 })]);
      m.build([T, F], be);
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const { loss } = m.trainOnBatch(x, y);
      const io = m.engine.acts!.ios[0];
      runs.push({ loss, mask: be.read(io.buffers.inMask, B * F), xt: be.read(io.buffers.xt, T * B * F), w: m.getWeights()[0].values as Float32Array });
      m.dispose();
    }
    const [w, j] = runs;
    expect(Array.from(w.mask)).toEqual(Array.from(j.mask));
    const kept = Array.from(w.mask).filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([2]));
    expect(kept.length).toBeGreaterThan(B * F * 0.2);
    expect(kept.length).toBeLessThan(B * F * 0.8);
    // xt (time, batch, features) = x ⊙ the same (batch, features) mask at every step.
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) {
      expect(w.xt[(t * B + b) * F + f]).toBe(Math.fround(x.values[(b * T + t) * F + f] * w.mask[b * F + f]));
    }
    expect(w.loss).toBeCloseTo(j.loss, 5);
    expectClose(w.w, j.w, { atol: 1e-6, rtol: 1e-5 });
  });

  it('inference (predict) drops nothing', () => {
    setSeed(15);
    const m = new Sequential([layers.gru({ units: 3, dropout: 0.5, recurrentDropout: 0.5, inputShape: [3, 2] })]);
    const x = data([2, 3, 2], 16);
    expectClose(m.predict(x).values, reference('gru', x, m.getWeights(), 3, false, false), { atol: 2e-6, rtol: 1e-5 });
  });
});

describe('serialization', () => {
  it('toJSON/fromJSON rebuilds Embedding, LSTM, GRU, SimpleRNN and TimeDistributed with every argument', () => {
    setSeed(16);
    const m = new Sequential([
      layers.embedding({ inputDim: 9, outputDim: 4, inputShape: [6] }),
      layers.lstm({ units: 5, returnSequences: true, goBackwards: true, recurrentActivation: 'hardSigmoid', dropout: 0.1, unitForgetBias: false }),
      layers.gru({ units: 3, returnSequences: true, recurrentDropout: 0.2, seed: 3, kernelRegularizer: 'l2' }),
      layers.simpleRNN({ units: 4, returnSequences: true, activation: 'relu', useBias: false }),
      layers.timeDistributed(layers.dense({ units: 2 })),
    ]);
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    const copy = Sequential.fromJSON(json);
    expect(JSON.parse(JSON.stringify(copy.toJSON()))).toEqual(json);
    copy.setWeights(m.getWeights());
    const ids = tensor(Float32Array.from({ length: 12 }, (_, i) => (i * 5) % 9), [2, 6]);
    expectClose(copy.predict(ids).values, m.predict(ids).values, { atol: 0, rtol: 0 });
    expect(copy.layers[1]).toBeInstanceOf(LSTM);
    expect(copy.layers[0]).toBeInstanceOf(Embedding);
  });
});

describe('bad input', () => {
  it('a 2-D input to a recurrent layer names the layer and the shapes', async () => {
    for (const kind of KINDS) {
      const m = new Sequential([make(kind, { units: 3 }), layers.dense({ units: 1 })]);
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      await expect(m.fit(data([4, 5], 1), data([4, 1], 2), { verbose: 0 })).rejects.toThrow(/(simple_rnn|lstm|gru)\w*: expected a 3-D input \[batch, time, features\], got \[batch, 5\]/);
      const declared = new Sequential([make(kind, { units: 3, inputShape: [6, 5] })]);
      expect(() => declared.predict(data([4, 5], 1))).toThrow(/expected x of shape \[null, 6, 5\], got \[4, 5\]/);
    }
  });

  it('sequences of length 0', () => {
    for (const kind of KINDS) {
      expect(() => new Sequential([make(kind, { units: 3, inputShape: [0, 2] })])).toThrow(/inputShape must be positive integers, got \[0, 2\]/);
      const m = new Sequential([make(kind, { units: 3 })]);
      expect(() => m.predict(tensor(new Float32Array(0), [4, 0, 2]))).toThrow(/(simple_rnn|lstm|gru)\w*: sequences of length 0 \(input \[batch, 0, 2\]\)/);
    }
  });

  it('token ids outside [0, inputDim), or not integers, name the embedding, the id and where it is — all checked before the first step', async () => {
    const m = new Sequential([layers.embedding({ inputDim: 5, outputDim: 2, inputShape: [3] }), layers.lstm({ units: 2 })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = m.getWeights().map((w) => Array.from(w.values));
    const y = data([2, 2], 1);
    // Batches of one: the bad id is in the second batch, and no step runs (before, the first one did).
    await expect(m.fit(tensor([0, 1, 2, 3, 5, 1], [2, 3]), y, { verbose: 0, batchSize: 1, shuffle: false }))
      .rejects.toThrow(/embedding\w*: token ids must be integers in \[0, 5\) \(inputDim 5\); x has 5 at flat index 4/);
    expect(() => m.predict(tensor([0, -1, 2, 3, 4, 1], [2, 3]))).toThrow(/x has -1 at flat index 1/);
    expect(() => m.predict(tensor([0, 1, 2, 3, 4, 1.5], [2, 3]))).toThrow(/x has 1.5 at flat index 5/);
    expect(m.getWeights().map((w) => Array.from(w.values))).toEqual(before);
  });

  it('returnSequences: false feeding a layer that needs 3-D input', () => {
    for (const next of [() => layers.lstm({ units: 2 }), () => layers.gru({ units: 2 }), () => layers.timeDistributed(layers.dense({ units: 1 }))]) {
      expect(() => new Sequential([layers.lstm({ units: 4, inputShape: [5, 3] }), next()]))
        .toThrow(/(lstm|gru|time_distributed)\w*: expected (a 3-D input \[batch, time, features\]|an input \[batch, time, \.\.\.\]), got \[batch, 4\] — the previous layer outputs one vector per sample .*returnSequences/);
    }
  });

  it('unsupported activations, units, dropout rates and resetAfter: false', () => {
    expect(() => layers.lstm({ units: 3, activation: 'elu' })).toThrow(/lstm\w*: activation 'elu' is not supported by recurrent layers; use one of tanh, sigmoid/);
    expect(() => layers.gru({ units: 3, recurrentActivation: 'gelu' })).toThrow(/gru\w*: recurrentActivation 'gelu' is not supported/);
    expect(() => layers.simpleRNN({ units: 0 })).toThrow(/simple_rnn\w*: units must be a positive integer, got 0/);
    expect(() => layers.lstm({ units: 2, dropout: 1 })).toThrow(/dropout must be a number in \[0, 1\), got 1/);
    expect(() => layers.gru({ units: 2, resetAfter: false })).toThrow(/resetAfter: false .* is not supported/);
    expect(() => layers.embedding({ inputDim: 0, outputDim: 2 })).toThrow(/embedding\w*: inputDim must be a positive integer, got 0/);
    // Arguments that would change the result are refused, not ignored.
    expect(() => layers.lstm({ units: 2, returnState: true } as never)).toThrow(/lstm\w*: returnState: true is not supported/);
    expect(() => layers.gru({ units: 2, stateful: true } as never)).toThrow(/gru\w*: stateful: true is not supported/);
    expect(() => layers.embedding({ inputDim: 3, outputDim: 2, maskZero: true } as never)).toThrow(/embedding\w*: maskZero: true \(masking\) is not supported/);
  });
});

describe('hidden-state gradient norms', () => {
  it('gradientReport adds ‖dL/dh_t‖ for t = T…1 to recurrent layers, equal to a direct computation', () => {
    setSeed(17);
    const B = 3, T = 6, F = 2, u = 4;
    const m = new Sequential([layers.simpleRNN({ units: u, inputShape: [T, F], returnSequences: true }), layers.lstm({ units: u }), layers.dense({ units: 1 })]);
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = data([B, T, F], 18), y = data([B, 1], 19);
    const r = m.gradientReport(x, y);
    const [rnn, lstmStats, dense] = r.layers;
    expect(rnn.hiddenGradNorms).toHaveLength(T);
    expect(lstmStats.hiddenGradNorms).toHaveLength(T);
    expect(dense.hiddenGradNorms).toBeUndefined();
    // The LSTM returns its last state only: dL/dh_T is the Dense's input gradient, ‖dy‖.
    const { be, acts } = m.engine;
    const dy = be.read(acts!.ios[1].dy, B * u);
    expect(lstmStats.hiddenGradNorms![0]).toBeCloseTo(Math.hypot(...dy), 6);
    for (const v of [...rnn.hiddenGradNorms!, ...lstmStats.hiddenGradNorms!]) expect(v).toBeGreaterThan(0);
    expect(r.toString()).toMatch(/‖dL\/dh_t‖/);
  });
});
