/**
 * Conv1D, MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling1D over
 * [steps, channels]: predictions against TensorFlow.js 4.22 with the same weights on the wasm and
 * js cores, the float64 gradient check (input through a branching graph, kernel, bias), the
 * Keras kernel layout, config round trips, and argument and shape errors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, layerFromJSON, layerToJSON, type Layer } from '../../bindings/index.js';
import { expectTfjsParity, gradCheckLayer } from '../helpers/layer-check.js';

beforeAll(async () => { await ready(); });

interface Case { name: string; keel: () => Layer; tfjs: () => tf.layers.Layer | tf.layers.Layer[]; shape: number[]; out: number[] }

// Biases drawn (not zeros), so the parity covers them.
const bias = { biasInitializer: 'glorotUniform' } as const;

// TF.js 4.22 does not implement 'causal' ("not implemented yet"): against Keras's definition of it,
// zero padding of (k − 1)·dilation steps in front, then a 'valid' convolution.
/** TF.js has no ZeroPadding1D: `pad` zero steps in front of [steps, c] as a 2-D padding of [1, steps, c]. */
const padFront = (pad: number, [steps, c]: number[]) => [tf.layers.reshape({ targetShape: [1, steps, c] }),
  tf.layers.zeroPadding2d({ padding: [[0, 0], [pad, 0]] }), tf.layers.reshape({ targetShape: [steps + pad, c] })];

const CASES: Case[] = [
  { name: 'conv1d k3 valid', keel: () => layers.conv1d({ filters: 4, kernelSize: 3, ...bias }), tfjs: () => tf.layers.conv1d({ filters: 4, kernelSize: 3 }), shape: [7, 3], out: [5, 4] },
  { name: 'conv1d k3 same stride 2', keel: () => layers.conv1d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', ...bias }), tfjs: () => tf.layers.conv1d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }), shape: [8, 2], out: [4, 3] },
  { name: 'conv1d k2 same (uneven padding)', keel: () => layers.conv1d({ filters: 2, kernelSize: 2, padding: 'same', ...bias }), tfjs: () => tf.layers.conv1d({ filters: 2, kernelSize: 2, padding: 'same' }), shape: [5, 3], out: [5, 2] },
  { name: 'conv1d k3 causal dilation 2, relu', keel: () => layers.conv1d({ filters: 3, kernelSize: 3, padding: 'causal', dilationRate: 2, activation: 'relu', ...bias }), tfjs: () => [...padFront(4, [6, 2]), tf.layers.conv1d({ filters: 3, kernelSize: 3, dilationRate: 2, activation: 'relu' })], shape: [6, 2], out: [6, 3] },
  { name: 'conv1d k2 causal stride 2 tanh', keel: () => layers.conv1d({ filters: 2, kernelSize: [2], strides: [2], padding: 'causal', activation: 'tanh', ...bias }), tfjs: () => [...padFront(1, [7, 3]), tf.layers.conv1d({ filters: 2, kernelSize: [2], strides: [2], activation: 'tanh' })], shape: [7, 3], out: [4, 2] },
  { name: 'conv1d k1 (direct), no bias, sigmoid', keel: () => layers.conv1d({ filters: 5, kernelSize: 1, useBias: false, activation: 'sigmoid' }), tfjs: () => tf.layers.conv1d({ filters: 5, kernelSize: 1, useBias: false, activation: 'sigmoid' }), shape: [4, 3], out: [4, 5] },
  { name: 'conv1d k3 dilation 2 valid, softmax', keel: () => layers.conv1d({ filters: 3, kernelSize: 3, dilationRate: 2, activation: 'softmax', ...bias }), tfjs: () => tf.layers.conv1d({ filters: 3, kernelSize: 3, dilationRate: 2, activation: 'softmax' }), shape: [9, 2], out: [5, 3] },
  { name: 'maxPooling1d default', keel: () => layers.maxPooling1d(), tfjs: () => tf.layers.maxPooling1d({}), shape: [7, 3], out: [3, 3] },
  { name: 'maxPooling1d 3 stride 2 same', keel: () => layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }), tfjs: () => tf.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }), shape: [6, 2], out: [3, 2] },
  { name: 'maxPooling1d 2 stride 1', keel: () => layers.maxPooling1d({ poolSize: [2], strides: 1 }), tfjs: () => tf.layers.maxPooling1d({ poolSize: [2], strides: 1 }), shape: [5, 1], out: [4, 1] },
  { name: 'averagePooling1d default', keel: () => layers.averagePooling1d(), tfjs: () => tf.layers.averagePooling1d({}), shape: [7, 3], out: [3, 3] },
  { name: 'averagePooling1d 3 stride 2 same', keel: () => layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' }), tfjs: () => tf.layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' }), shape: [6, 2], out: [3, 2] },
  { name: 'globalMaxPooling1d', keel: () => layers.globalMaxPooling1d(), tfjs: () => tf.layers.globalMaxPooling1d({}), shape: [5, 3], out: [3] },
  { name: 'globalAveragePooling1d', keel: () => layers.globalAveragePooling1d(), tfjs: () => tf.layers.globalAveragePooling1d({}), shape: [5, 3], out: [3] },
  { name: 'globalAveragePooling1d one step', keel: () => layers.globalAveragePooling1d(), tfjs: () => tf.layers.globalAveragePooling1d({}), shape: [1, 17], out: [17] },
];

describe.each(CASES)('$name', (c) => {
  it('has the expected output shape and predicts as TF.js (wasm and js)', async () => {
    expect(c.keel().computeOutputShape(c.shape)).toEqual(c.out);
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

describe('Conv1D weights and keepdims', () => {
  it('has the Keras kernel layout [k, inC, filters]', () => {
    setSeed(1);
    const m = new Sequential([layers.conv1d({ filters: 4, kernelSize: 3, inputShape: [10, 2] })]);
    expect(m.layers[0].weights.map((w) => [w.name, w.shape])).toEqual([['kernel', [3, 2, 4]], ['bias', [4]]]);
    expect(m.outputShape).toEqual([8, 4]);
    m.dispose();
  });
  it('global pooling keepdims gives [1, channels] and a gradient', () => {
    expect(layers.globalMaxPooling1d({ keepdims: true }).computeOutputShape([4, 3])).toEqual([1, 3]);
    gradCheckLayer(() => layers.globalMaxPooling1d({ keepdims: true }), [4, 3]);
    gradCheckLayer(() => layers.globalAveragePooling1d({ keepdims: true }), [4, 3]);
  });
});

describe('errors name the layer, the argument, expected and given', () => {
  it.each([
    [() => layers.conv1d({ filters: 0, kernelSize: 3, name: 'c' }), /c: filters must be a positive integer, got 0/],
    [() => layers.conv1d({ filters: 2, name: 'c' } as never), /c: kernelSize is required/],
    [() => layers.conv1d({ filters: 2, kernelSize: [3, 3] as never, name: 'c' }), /c: kernelSize must be a positive integer or \[positive integer\], got \[3,3\]/],
    [() => layers.conv1d({ filters: 2, kernelSize: 3, padding: 'full' as never, name: 'c' }), /c: padding must be 'valid', 'same' or 'causal', got "full"/],
    [() => layers.maxPooling1d({ padding: 'causal' as never, name: 'p' }), /p: padding must be 'valid', 'same', got "causal"/],
    [() => layers.averagePooling1d({ strides: 0, name: 'p' }), /p: strides must be a positive integer or \[positive integer\], got 0/],
    [() => layers.conv1d({ filters: 2, kernelSize: 3, name: 'c' }).computeOutputShape([4, 4, 1]), /c: expected an input of shape \[steps, channels\] per sample \(rank 2, channels last\), got \[4, 4, 1\]/],
    [() => layers.conv1d({ filters: 2, kernelSize: 5, name: 'c' }).computeOutputShape([4, 1]), /c: the kernel 5 \(steps 5\) is larger than the input steps 4 with padding 'valid'/],
    [() => layers.globalMaxPooling1d({ name: 'g' }).computeOutputShape([4]), /g: expected an input of shape \[steps, channels\]/],
  ])('%#', (f, message) => {
    expect(f).toThrow(message);
  });
});
