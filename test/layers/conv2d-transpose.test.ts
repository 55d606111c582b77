/**
 * Conv2DTranspose: predictions against TensorFlow.js 4.22 with the same weights (wasm and js),
 * output sizes (Keras's deconv_output_length), the kernel layout [kh, kw, filters, inC], the
 * float64 gradient check (input, kernel, bias; strides, both paddings, dilation, activations),
 * config round trips and argument errors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, layerFromJSON, layerToJSON } from '../../bindings/index.js';
import { expectTfjsParity, gradCheckLayer } from '../helpers/layer-check.js';

beforeAll(async () => { await ready(); });

type Args = Parameters<typeof layers.conv2dTranspose>[0];
const bias = { biasInitializer: 'glorotUniform' } as const;

const CASES: [string, Args, number[], number[]][] = [
  ['3×3 valid stride 1', { filters: 3, kernelSize: 3 }, [4, 3, 2], [6, 5, 3]],
  ['3×3 valid stride 2', { filters: 2, kernelSize: 3, strides: 2 }, [3, 4, 3], [7, 9, 2]],
  ['2×2 valid stride 2 (no overlap)', { filters: 2, kernelSize: 2, strides: 2 }, [3, 2, 2], [6, 4, 2]],
  ['3×3 same stride 2 (uneven crop)', { filters: 3, kernelSize: 3, strides: 2, padding: 'same' }, [3, 3, 2], [6, 6, 3]],
  ['4×3 same strides [2, 1], relu', { filters: 2, kernelSize: [4, 3], strides: [2, 1], padding: 'same', activation: 'relu' }, [3, 4, 1], [6, 4, 2]],
  ['1×1 stride 3 (gaps), tanh', { filters: 2, kernelSize: 1, strides: 3, activation: 'tanh' }, [2, 3, 3], [6, 9, 2]],
  ['3×3 same stride 1, sigmoid, no bias', { filters: 4, kernelSize: 3, padding: 'same', activation: 'sigmoid', useBias: false }, [3, 5, 2], [3, 5, 4]],
];

describe.each(CASES)('%s', (_, args, shape, out) => {
  it('has the output size of Keras and predicts as TF.js (wasm and js)', async () => {
    expect(layers.conv2dTranspose(args).computeOutputShape(shape)).toEqual(out);
    await expectTfjsParity(() => layers.conv2dTranspose({ ...bias, ...args }), () => tf.layers.conv2dTranspose(args as Parameters<typeof tf.layers.conv2dTranspose>[0]), shape);
  });
  it('passes the gradient check', () => {
    gradCheckLayer(() => layers.conv2dTranspose({ ...bias, ...args }), shape);
  });
});

describe('Conv2DTranspose', () => {
  it('dilation 2 (TF.js has none): the gradient check and Keras\'s size (in·s + max(span − s, 0))', () => {
    expect(layers.conv2dTranspose({ filters: 2, kernelSize: 3, dilationRate: 2 }).computeOutputShape([3, 4, 2])).toEqual([7, 8, 2]);
    gradCheckLayer(() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, dilationRate: 2, ...bias }), [3, 4, 2]);
  });

  it('softmax over the filters: the gradient check', () => {
    gradCheckLayer(() => layers.conv2dTranspose({ filters: 3, kernelSize: 2, strides: 2, activation: 'softmax', ...bias }), [2, 3, 2]);
  });

  it('has the Keras kernel layout [kh, kw, filters, inC] and round-trips its config', () => {
    setSeed(1);
    const m = new Sequential([layers.conv2dTranspose({ filters: 5, kernelSize: [3, 2], inputShape: [4, 4, 3] })]);
    expect(m.layers[0].weights.map((w) => [w.name, w.shape])).toEqual([['kernel', [3, 2, 5, 3]], ['bias', [5]]]);
    const l = m.layers[0];
    expect(layerFromJSON(layerToJSON(l)).getConfig()).toEqual(l.getConfig());
    m.dispose();
  });

  it.each([
    [() => layers.conv2dTranspose({ filters: 0, kernelSize: 3, name: 'ct' }), /ct: filters must be a positive integer, got 0/],
    [() => layers.conv2dTranspose({ filters: 2, name: 'ct' } as never), /ct: kernelSize is required/],
    [() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, padding: 'full' as never, name: 'ct' }), /ct: padding must be 'valid' or 'same', got "full"/],
    [() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, outputPadding: 1 as never, name: 'ct' }), /ct: outputPadding is not supported \(only null, the default\), got 1/],
    [() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, name: 'ct' }).computeOutputShape([4, 4]), /ct: expected an input of shape \[height, width, channels\]/],
  ])('error %#', (f, message) => {
    expect(f).toThrow(message);
  });
});
