/**
 * Softmax, ReLU and ThresholdedReLU layers: predictions against TensorFlow.js 4.22 (ReLU's
 * negativeSlope and threshold, which TF.js lacks, against Keras 3's formula), the float64
 * gradient check, softmax fused with crossentropy, config round trips, and argument errors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, tensor, layerFromJSON, layerToJSON, type Layer } from '../../bindings/index.js';
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
    [() => layers.softmax({ axis: 1.5, name: 'sm' }), /sm: axis must be an integer .*got 1.5/],
    [() => layers.softmax({ axis: 1, name: 'sm' }).computeOutputShape([3, 4]), /sm: only the last axis \(-1 or 2\) is supported, got axis 1 for an input of shape \[3, 4\]/],
    [() => layers.reLU({ maxValue: -1, name: 'r' }), /r: maxValue must be a finite number ≥ 0, got -1/],
    [() => layers.reLU({ negativeSlope: -0.1, name: 'r' }), /r: negativeSlope must be a finite number ≥ 0, got -0.1/],
    [() => layers.reLU({ threshold: 'a' as never, name: 'r' }), /r: threshold must be a finite number ≥ 0, got "a"/],
    [() => layers.thresholdedReLU({ theta: NaN, name: 't' }), /t: theta must be a finite number, got NaN/],
  ])('%#', (f, message) => {
    expect(f).toThrow(message);
  });
});
