/**
 * Softmax (any sample axis), ReLU and ThresholdedReLU layers: predictions against TensorFlow.js 4.22 (ReLU's
 * negativeSlope and threshold, which TF.js lacks, against Keras 3's formula), the float64
 * gradient check, softmax fused with crossentropy, config round trips, and argument errors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setBackend, setSeed, tensor, layerFromJSON, layerToJSON, type Layer } from '../../bindings/index.js';
import { expectClose, randomArray } from '../helpers/close.js';
import { expectTfjsParity, gradCheckLayer } from '../helpers/layer-check.js';

beforeAll(async () => { await ready(); });

interface Case { name: string; keel: () => Layer; tfjs: () => tf.layers.Layer; shape: number[] }

const CASES: Case[] = [
  { name: 'softmax over [5]', keel: () => layers.softmax(), tfjs: () => tf.layers.softmax(), shape: [5] },
  { name: 'softmax over the last axis of [3, 4]', keel: () => layers.softmax({ axis: -1 }), tfjs: () => tf.layers.softmax({ axis: -1 }), shape: [3, 4] },
  { name: 'softmax axis 3 of [2, 1, 3] (the last, counted with the batch)', keel: () => layers.softmax({ axis: 3 }), tfjs: () => tf.layers.softmax({ axis: 3 }), shape: [2, 1, 3] },
  { name: 'reLU', keel: () => layers.reLU(), tfjs: () => tf.layers.reLU(), shape: [17] },
  { name: 'reLU maxValue 1', keel: () => layers.reLU({ maxValue: 1 }), tfjs: () => tf.layers.reLU({ maxValue: 1 }), shape: [3, 5] },
  { name: 'thresholdedReLU default theta 1', keel: () => layers.thresholdedReLU(), tfjs: () => tf.layers.thresholdedReLU(), shape: [33] },
  { name: 'thresholdedReLU theta 0.3', keel: () => layers.thresholdedReLU({ theta: 0.3 }), tfjs: () => tf.layers.thresholdedReLU({ theta: 0.3 }), shape: [2, 3] },
  { name: 'thresholdedReLU theta -0.5', keel: () => layers.thresholdedReLU({ theta: -0.5 }), tfjs: () => tf.layers.thresholdedReLU({ theta: -0.5 }), shape: [7] },
];

describe.each(CASES)('$name', (c) => {
  it('predicts as TF.js (wasm and js)', async () => {
    await expectTfjsParity(c.keel, c.tfjs, c.shape);
  });
  it('passes the gradient check', () => {
    gradCheckLayer(c.keel, c.shape);
  });
  it('round-trips its config', () => {
    const l = c.keel();
    expect(layerFromJSON(layerToJSON(l)).getConfig()).toEqual(l.getConfig());
  });
});

describe('ReLU with Keras 3 arguments TF.js lacks', () => {
  // Keras 3 (keras/src/activations/activations.py, relu with negative_slope, max_value, threshold):
  // x·(x > thr), clipped to [0, max], minus slope·relu(thr − x).
  const keras3 = (x: number, max: number | null, slope: number, thr: number) =>
    Math.min(Math.max(x > thr ? x : 0, 0), max ?? Infinity) - slope * Math.max(thr - x, 0);
  const ARGS = [
    { maxValue: null, negativeSlope: 0.1, threshold: 0 },
    { maxValue: 6, negativeSlope: 0, threshold: 0 },
    { maxValue: 1.5, negativeSlope: 0.2, threshold: 0.5 },
    { maxValue: null, negativeSlope: 0, threshold: 1 },
  ];
  it.each(ARGS)('%o: Keras 3\'s formula, and the gradient check', (args) => {
    const x = randomArray(3 * 11, 5, -3, 8);
    const m = new Sequential([layers.reLU({ ...args, inputShape: [11] })]);
    const got = m.predict(tensor(x, [3, 11])).dataSync();
    expectClose(got, Array.from(x, (v) => keras3(v, args.maxValue, args.negativeSlope, args.threshold)), { atol: 1e-6, rtol: 1e-6 });
    gradCheckLayer(() => layers.reLU(args), [11]);
    m.dispose();
  });
});

describe('softmax over an axis other than the last (TF.js 4.22 throws "not yet supported"): against the formula', () => {
  /** Softmax of x (n samples of `shape`) along sample axis k, in float64. */
  const formula = (x: Float32Array, shape: number[], k: number, n: number) => {
    const outer = n * shape.slice(0, k).reduce((a, b) => a * b, 1), len = shape[k], inner = shape.slice(k + 1).reduce((a, b) => a * b, 1);
    const y = new Float64Array(x.length);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
      const at = (l: number) => (o * len + l) * inner + i;
      let max = -Infinity, sum = 0;
      for (let l = 0; l < len; l++) max = Math.max(max, x[at(l)]);
      for (let l = 0; l < len; l++) sum += Math.exp(x[at(l)] - max);
      for (let l = 0; l < len; l++) y[at(l)] = Math.exp(x[at(l)] - max) / sum;
    }
    return y;
  };
  it.each([
    ['axis 1 of [3, 4] (TF.js\'s default axis)', 1, [3, 4], 0],
    ['axis 2 of [2, 3, 5] (a middle axis)', 2, [2, 3, 5], 1],
    ['axis -3 of [3, 2, 4] (the first sample axis)', -3, [3, 2, 4], 0],
    ['axis -2 of [1, 4, 3]', -2, [1, 4, 3], 1],
  ] as const)('%s: predicts the formula on wasm and js, and passes the gradient check', async (_, axis, shape, k) => {
    const n = 3, x = randomArray(n * shape.reduce((a: number, b: number) => a * b, 1), 17, -3, 3);
    for (const name of ['wasm', 'js'] as const) {
      setBackend(name);
      const m = new Sequential([layers.softmax({ axis, inputShape: [...shape] })]);
      expectClose(m.predict(tensor(x, [n, ...shape])).dataSync(), formula(x, [...shape], k, n), { atol: 1e-6, rtol: 1e-5 });
      m.dispose();
    }
    setBackend('wasm');
    gradCheckLayer(() => layers.softmax({ axis }), [...shape]);
  });
});

describe('softmax into a crossentropy loss', () => {
  it('trains like activation("softmax") (the fused logits gradient)', () => {
    const run = (last: () => Layer) => {
      setSeed(4);
      const m = new Sequential([layers.dense({ units: 4, inputShape: [3] }), last()]);
      m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
      const x = tensor(randomArray(6 * 3, 1), [6, 3]);
      const y = tensor(Float32Array.from({ length: 24 }, (_, i) => (i % 4 === Math.floor(i / 4) % 4 ? 1 : 0)), [6, 4]);
      m.trainOnBatch(x, y);
      const w = m.getWeights()[0].dataSync();
      m.dispose();
      return w;
    };
    expect(Array.from(run(() => layers.softmax()))).toEqual(Array.from(run(() => layers.activation({ activation: 'softmax' }))));
  });
});

describe('errors name the layer, the argument, expected and given', () => {
  it.each([
    [() => layers.softmax({ axis: 1.5, name: 'sm' }), /sm: axis must be a non-zero integer .*got 1.5/],
    [() => layers.softmax({ axis: 0, name: 'sm' }), /sm: axis must be a non-zero integer \(a sample axis, counting the batch axis as 0; -1 the last\), got 0/],
    [() => layers.softmax({ axis: 3, name: 'sm' }).computeOutputShape([3, 4]), /sm: axis 3 is not an axis of an input of shape \[3, 4\] \(expected 1..2 or -2..-1\)/],
    [() => layers.softmax({ axis: -3, name: 'sm' }).computeOutputShape([3, 4]), /sm: axis -3 is not an axis of an input of shape \[3, 4\]/],
    [() => layers.reLU({ maxValue: -1, name: 'r' }), /r: maxValue must be a finite number ≥ 0, got -1/],
    [() => layers.reLU({ negativeSlope: -0.1, name: 'r' }), /r: negativeSlope must be a finite number ≥ 0, got -0.1/],
    [() => layers.reLU({ threshold: 'a' as never, name: 'r' }), /r: threshold must be a finite number ≥ 0, got "a"/],
    [() => layers.thresholdedReLU({ theta: NaN, name: 't' }), /t: theta must be a finite number, got NaN/],
  ])('%#', (f, message) => {
    expect(f).toThrow(message);
  });
});
