/**
 * The image layers pass a finite-difference gradient check (float64 reference core) for the input
 * and every trainable weight, on small odd shapes: Conv2D with strides 1 and 2, both paddings,
 * dilation, rectangular kernels, fused activations and no bias; max and average pooling with
 * both paddings; global pooling, flatten, reshape, zero padding; batch normalization over the
 * channels of 4-D inputs; and residual conv blocks with identity and 1×1-conv projections.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, tensor, gradCheck, type Layer } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); });

/**
 * Measured (ε = 1e-5): weights ≤ 1e-7 relative; the input entries reach 1.4e-6 relative where the
 * input gradient is only ~1e-5 (a mean over many outputs) and the float64 rounding of the loss,
 * ~1e-16/ε ≈ 1e-11 absolute, is what is left. So: 1e-5 relative and 1e-9 absolute.
 */
const TOL = 1e-5;
const ABS_TOL = 1e-9;

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const data = (shape: number[], seed: number) => tensor(randomArray(size(shape), seed, -1.5, 1.5), shape);

/** `stack` on 3 samples of `inputShape`, mean squared error against random targets; returns the check. */
function check(inputShape: number[], stack: () => Layer[], seed = 1) {
  setSeed(seed);
  const model = new Sequential(stack());
  model.build(inputShape);
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const n = 3;
  const result = gradCheck(model, data([n, ...inputShape], seed + 1), data([n, ...model.outputShape], seed + 2), { epsilon: 1e-5 });
  const names = result.entries.map((e) => e.name);
  expect(names).toContain('input');
  for (const w of model.layers.flatMap((l) => l.weights.filter((x) => x.trainable))) expect(names).toContain(`${w.owner}/${w.name}`);
  expect(result.maxRelError, JSON.stringify(result.entries)).toBeLessThan(TOL);
  expect(Math.max(...result.entries.map((e) => e.maxAbsError)), JSON.stringify(result.entries)).toBeLessThan(ABS_TOL);
  return model;
}

describe('Conv2D gradient check', () => {
  const cases: [string, Parameters<typeof layers.conv2d>[0], number[]][] = [
    ['3×3 valid stride 1', { filters: 3, kernelSize: 3 }, [5, 6, 2]],
    ['3×3 same stride 1', { filters: 3, kernelSize: 3, padding: 'same' }, [5, 6, 2]],
    ['3×3 valid stride 2', { filters: 2, kernelSize: 3, strides: 2 }, [7, 6, 3]],
    ['3×3 same stride 2 (uneven padding)', { filters: 2, kernelSize: 3, strides: 2, padding: 'same' }, [6, 5, 3]],
    ['2×3 kernel, strides [2, 1], same', { filters: 3, kernelSize: [2, 3], strides: [2, 1], padding: 'same' }, [5, 5, 1]],
    ['dilation 2, valid', { filters: 2, kernelSize: 3, dilationRate: 2 }, [7, 6, 2]],
    ['dilation [2, 1], same', { filters: 2, kernelSize: [3, 2], dilationRate: [2, 1], padding: 'same' }, [5, 4, 3]],
    ['1×1 (the direct path), tanh', { filters: 4, kernelSize: 1, activation: 'tanh' }, [3, 5, 3]],
    ['1×1 stride 2', { filters: 2, kernelSize: 1, strides: 2 }, [5, 5, 3]],
    ['sigmoid, no bias', { filters: 3, kernelSize: 2, activation: 'sigmoid', useBias: false }, [4, 5, 2]],
    ['softmax over channels', { filters: 3, kernelSize: 2, activation: 'softmax', padding: 'same' }, [3, 3, 2]],
  ];
  it.each(cases)('%s', (_, args, inputShape) => {
    check(inputShape, () => [layers.conv2d(args)]);
  });

  it('two stacked convolutions with relu (dx through col2im into a planned gradient)', () => {
    check([7, 7, 2], () => [
      layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' }),
      layers.conv2d({ filters: 3, kernelSize: 2, activation: 'tanh' }),
      layers.flatten(),
      layers.dense({ units: 2 }),
    ]);
  });
});

describe('pooling gradient check', () => {
  const pools = [
    ['max 2×2', () => layers.maxPooling2d()],
    ['max 3×3 stride 2 same', () => layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' })],
    ['max 2×3 stride 1 same', () => layers.maxPooling2d({ poolSize: [2, 3], strides: 1, padding: 'same' })],
    ['average 2×2', () => layers.averagePooling2d()],
    ['average 3×3 stride 2 same', () => layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' })],
    ['average 2×2 stride 1 valid', () => layers.averagePooling2d({ strides: 1 })],
    ['global average', () => layers.globalAveragePooling2d()],
    ['global max', () => layers.globalMaxPooling2d()],
    ['global average keepdims', () => layers.globalAveragePooling2d({ keepdims: true })],
  ] as const;
  it.each(pools)('%s after a conv', (_, pool) => {
    check([5, 7, 2], () => [layers.conv2d({ filters: 3, kernelSize: 2, activation: 'tanh' }), pool()]);
  });
});

describe('shape layers gradient check', () => {
  it('reshape [35] → [5, 7, 1] → conv → flatten → dense', () => {
    check([35], () => [
      layers.reshape({ targetShape: [5, 7, 1] }),
      layers.conv2d({ filters: 2, kernelSize: 3 }),
      layers.flatten(),
      layers.dense({ units: 3 }),
    ]);
  });

  it('zeroPadding2d [[2, 0], [1, 3]] between convolutions', () => {
    check([3, 4, 2], () => [
      layers.zeroPadding2d({ padding: [[2, 0], [1, 3]] }),
      layers.conv2d({ filters: 2, kernelSize: 3, activation: 'tanh' }),
    ]);
  });
});

describe('batch normalization and residual blocks on images', () => {
  it('batchNormalization normalizes the channels of 4-D inputs', () => {
    check([5, 4, 3], () => [
      layers.conv2d({ filters: 3, kernelSize: 2, padding: 'same' }),
      layers.batchNormalization({ gammaInitializer: 'glorotUniform' }),
      layers.conv2d({ filters: 2, kernelSize: 2 }),
    ]);
  });

  it('an identity residual conv block with batch normalization', () => {
    check([5, 5, 3], () => [
      layers.residual({ layers: [
        layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }),
        layers.batchNormalization(),
        layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }),
      ] }),
    ]);
  });

  it('a downsampling residual block: the projection is a 1×1 conv with stride 2', () => {
    const model = check([5, 7, 2], () => [
      layers.residual({ layers: [
        layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }),
        layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
      ] }),
    ]);
    const projection = model.layers[0].weights.find((w) => w.owner.endsWith('_projection') && w.name === 'kernel');
    expect(projection?.shape).toEqual([1, 1, 2, 4]);
  });
});
