/**
 * DepthwiseConv2D: predictions against TensorFlow.js 4.22 with the same weights (wasm and js),
 * the kernel layout [kh, kw, inC, depthMultiplier], the float64 gradient check (input, depthwise
 * kernel, bias; strides, paddings, multipliers, dilation, activations), config round trips and errors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, layerFromJSON, layerToJSON } from '../../bindings/index.js';
import { expectTfjsParity, gradCheckLayer } from '../helpers/layer-check.js';

beforeAll(async () => { await ready(); });

type Args = Parameters<typeof layers.depthwiseConv2d>[0];
const bias = { biasInitializer: 'glorotUniform' } as const;

const CASES: [string, Args, number[], number[]][] = [
  ['3×3 valid', { kernelSize: 3 }, [5, 4, 3], [3, 2, 3]],
  ['3×3 same stride 2, multiplier 2', { kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2 }, [5, 6, 3], [3, 3, 6]],
  ['2×3 valid, 5 channels (f32x4 + tail), relu', { kernelSize: [2, 3], activation: 'relu' }, [4, 5, 5], [3, 3, 5]],
  ['1×1 multiplier 3, tanh, no bias', { kernelSize: 1, depthMultiplier: 3, activation: 'tanh', useBias: false }, [3, 3, 2], [3, 3, 6]],
  ['3×3 same, 4 channels, sigmoid', { kernelSize: 3, padding: 'same', activation: 'sigmoid' }, [3, 4, 4], [3, 4, 4]],
];

describe.each(CASES)('%s', (_, args, shape, out) => {
  it('has the expected output shape and predicts as TF.js (wasm and js)', async () => {
    expect(layers.depthwiseConv2d(args).computeOutputShape(shape)).toEqual(out);
    await expectTfjsParity(() => layers.depthwiseConv2d({ ...bias, ...args }),
      () => tf.layers.depthwiseConv2d(args as Parameters<typeof tf.layers.depthwiseConv2d>[0]), shape);
  });
  it('passes the gradient check', () => {
    gradCheckLayer(() => layers.depthwiseConv2d({ ...bias, ...args }), shape);
  });
});

describe('DepthwiseConv2D', () => {
  it('dilation 2 with multiplier 2, softmax: the gradient check', () => {
    gradCheckLayer(() => layers.depthwiseConv2d({ kernelSize: 2, dilationRate: 2, depthMultiplier: 2, activation: 'softmax', ...bias }), [5, 4, 2]);
  });

  it('has the kernel layout [kh, kw, inC, depthMultiplier] and round-trips its config', () => {
    setSeed(1);
    const m = new Sequential([layers.depthwiseConv2d({ kernelSize: [3, 2], depthMultiplier: 2, inputShape: [6, 6, 3] })]);
    expect(m.layers[0].weights.map((w) => [w.name, w.shape])).toEqual([['depthwise_kernel', [3, 2, 3, 2]], ['bias', [6]]]);
    const l = m.layers[0];
    expect(l.getConfig()).toMatchObject({ depthwiseInitializer: 'glorotUniform', depthMultiplier: 2 });
    expect(layerFromJSON(layerToJSON(l)).getConfig()).toEqual(l.getConfig());
    m.dispose();
  });

  it.each([
    [() => layers.depthwiseConv2d({ name: 'dw' } as never), /dw: kernelSize is required/],
    [() => layers.depthwiseConv2d({ kernelSize: 3, depthwiseInitializer: 'nope' as never, name: 'dw' }), /dw: unknown depthwiseInitializer 'nope'/],
    [() => layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 0, name: 'dw' }), /dw: depthMultiplier must be a positive integer, got 0/],
    [() => layers.depthwiseConv2d({ kernelSize: 3, strides: [1, 0] as never, name: 'dw' }), /dw: strides must be a positive integer or a pair of positive integers, got \[1,0\]/],
    [() => layers.depthwiseConv2d({ kernelSize: 3, name: 'dw' }).computeOutputShape([2, 5, 1]), /dw: the kernel 3×3 \(height 3\) is larger than the input height 2 with padding 'valid'/],
  ])('error %#', (f, message) => {
    expect(f).toThrow(message);
  });
});
