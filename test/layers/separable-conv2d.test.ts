/**
 * SeparableConv2D: predictions against TensorFlow.js 4.22 with the same weights (wasm and js),
 * the weights (depthwise_kernel, pointwise_kernel, bias: TF.js's names, shapes and order), the
 * float64 gradient check (input and all three weights), config round trips and errors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, layerFromJSON, layerToJSON } from '../../bindings/index.js';
import { expectTfjsParity, gradCheckLayer } from '../helpers/layer-check.js';

beforeAll(async () => { await ready(); });

type Args = Parameters<typeof layers.separableConv2d>[0];
const bias = { biasInitializer: 'glorotUniform' } as const;

const CASES: [string, Args, number[], number[]][] = [
  ['3×3 valid, 4 filters', { filters: 4, kernelSize: 3 }, [5, 4, 3], [3, 2, 4]],
  ['3×3 same stride 2, multiplier 2, relu', { filters: 3, kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, activation: 'relu' }, [5, 6, 2], [3, 3, 3]],
  ['2×2 valid, 5 channels, tanh, no bias', { filters: 2, kernelSize: 2, activation: 'tanh', useBias: false }, [3, 4, 5], [2, 3, 2]],
  ['3×3 same, softmax', { filters: 3, kernelSize: 3, padding: 'same', activation: 'softmax' }, [3, 3, 2], [3, 3, 3]],
];

describe.each(CASES)('%s', (_, args, shape, out) => {
  it('has the expected output shape and predicts as TF.js (wasm and js)', async () => {
    expect(layers.separableConv2d(args).computeOutputShape(shape)).toEqual(out);
    await expectTfjsParity(() => layers.separableConv2d({ ...bias, ...args }),
      () => tf.layers.separableConv2d(args as Parameters<typeof tf.layers.separableConv2d>[0]), shape);
  });
  it('passes the gradient check', () => {
    gradCheckLayer(() => layers.separableConv2d({ ...bias, ...args }), shape);
  });
});

describe('SeparableConv2D', () => {
  it('dilation 2: the gradient check', () => {
    gradCheckLayer(() => layers.separableConv2d({ filters: 2, kernelSize: 2, dilationRate: 2, depthMultiplier: 2, ...bias }), [5, 4, 2]);
  });

  it('has TF.js\'s weights in order and round-trips its config', () => {
    setSeed(1);
    const m = new Sequential([layers.separableConv2d({ filters: 4, kernelSize: [3, 2], depthMultiplier: 2, inputShape: [6, 6, 3] })]);
    expect(m.layers[0].weights.map((w) => [w.name, w.shape])).toEqual([
      ['depthwise_kernel', [3, 2, 3, 2]], ['pointwise_kernel', [1, 1, 6, 4]], ['bias', [4]]]);
    const l = m.layers[0];
    expect(l.getConfig()).toMatchObject({ depthwiseInitializer: 'glorotUniform', pointwiseInitializer: 'glorotUniform', depthMultiplier: 2 });
    expect(layerFromJSON(layerToJSON(l)).getConfig()).toEqual(l.getConfig());
    m.dispose();
  });

  it.each([
    [() => layers.separableConv2d({ filters: 2, kernelSize: 3, depthwiseInitializer: 'nope' as never, name: 'sc' }), /sc: unknown depthwiseInitializer 'nope'/],
    [() => layers.separableConv2d({ filters: 2, kernelSize: 3, pointwiseInitializer: 'nope' as never, name: 'sc' }), /sc: unknown pointwiseInitializer 'nope'/],
    [() => layers.separableConv2d({ filters: 0, kernelSize: 3, name: 'sc' }), /sc: filters must be a positive integer, got 0/],
    [() => layers.separableConv2d({ filters: 2, name: 'sc' } as never), /sc: kernelSize is required/],
    [() => layers.separableConv2d({ filters: 2, kernelSize: 3, depthMultiplier: 1.5, name: 'sc' }), /sc: depthMultiplier must be a positive integer, got 1.5/],
    [() => layers.separableConv2d({ filters: 2, kernelSize: 3, padding: 'causal' as never, name: 'sc' }), /sc: padding must be 'valid' or 'same', got "causal"/],
  ])('error %#', (f, message) => {
    expect(f).toThrow(message);
  });
});
