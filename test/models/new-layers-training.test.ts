/**
 * Training through the new layers matches TensorFlow.js 4.22 (cpu): the same weights, the same
 * batches, plain SGD; per-step losses and the final weights within 1e-5 (a conv1d text-style
 * model; an image model with conv2dTranspose, depthwise and separable convolutions, cropping
 * and upsampling), on the wasm and js cores.
 *
 * Two TF.js 4.22 (cpu) input gradients are wrong, so those layers sit where their input gradient
 * is not needed (first) or use the options without the bug — keelnet's gradients pass the float64
 * finite-difference checks in test/layers/ instead:
 * - UpSampling2D (resizeNearestNeighbor's gradient) with a batch > 1: for [2, 4, 4, 1] inputs,
 *   size 2, tf.grad differs from the exact Σ-over-the-block by up to 4.19 (batch 1 is exact);
 * - AveragePooling 'same': the gradient divides by the whole window where the forward pass
 *   divides by the taps inside: avgPool([1, 1, 3, 1] ones, window [1, 2], stride 1, 'same')
 *   gives tf.grad(sum) = [0.5, 1, 1]; the exact one is [0.5, 1, 1.5].
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, Tensor, layers, optimizers, ready, setBackend, setSeed } from '../../bindings/index.js';
import { expectClose, randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); expect(await tf.setBackend('cpu')).toBe(true); });

const LR = 0.1, STEPS = 4, B = 6;

interface Case { name: string; keel: () => Sequential; tfjs: () => tf.LayersModel; inShape: number[]; outSize: number }

const CASES: Case[] = [
  {
    name: 'conv1d → maxPooling1d → averagePooling1d → conv1d → globalMaxPooling1d → dense',
    keel: () => new Sequential([
      layers.conv1d({ filters: 5, kernelSize: 3, activation: 'relu', padding: 'same', inputShape: [9, 4] }),
      layers.maxPooling1d({ poolSize: 2 }),
      layers.averagePooling1d({ poolSize: 2, strides: 1 }),
      layers.conv1d({ filters: 3, kernelSize: 2, activation: 'tanh' }),
      layers.globalMaxPooling1d(),
      layers.dense({ units: 2 }),
    ]),
    tfjs: () => tf.sequential({ layers: [
      tf.layers.conv1d({ filters: 5, kernelSize: 3, activation: 'relu', padding: 'same', inputShape: [9, 4] }),
      tf.layers.maxPooling1d({ poolSize: 2 }),
      tf.layers.averagePooling1d({ poolSize: 2, strides: 1 }),
      tf.layers.conv1d({ filters: 3, kernelSize: 2, activation: 'tanh' }),
      tf.layers.globalMaxPooling1d({}),
      tf.layers.dense({ units: 2 }),
    ] }),
    inShape: [9, 4], outSize: 2,
  },
  {
    name: 'upSampling2d → conv2dTranspose → depthwiseConv2d → separableConv2d → cropping2d → dense',
    keel: () => new Sequential([
      layers.upSampling2d({ size: [1, 2], inputShape: [3, 2, 2] }),
      layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, activation: 'sigmoid' }),
      layers.separableConv2d({ filters: 4, kernelSize: 2, padding: 'same', activation: 'tanh' }),
      layers.cropping2d({ cropping: [[1, 0], [0, 1]] }),
      layers.flatten(),
      layers.dense({ units: 3 }),
    ]),
    tfjs: () => tf.sequential({ layers: [
      tf.layers.upSampling2d({ size: [1, 2], inputShape: [3, 2, 2] }),
      tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, activation: 'sigmoid' }),
      tf.layers.separableConv2d({ filters: 4, kernelSize: 2, padding: 'same', activation: 'tanh' }),
      tf.layers.cropping2D({ cropping: [[1, 0], [0, 1]] }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ] }),
    inShape: [3, 2, 2], outSize: 3,
  },
];

describe.each(['wasm', 'js'] as const)('on %s', (backend) => {
  beforeAll(() => setBackend(backend));

  it.each(CASES)('$name: SGD steps match TF.js', async (c) => {
    setSeed(9);
    const keel = c.keel();
    keel.compile({ optimizer: optimizers.sgd({ learningRate: LR }), loss: 'meanSquaredError' });
    const tfm = c.tfjs();
    tfm.setWeights(keel.getWeights().map((w) => tf.tensor(w.values, [...w.shape])));
    tfm.compile({ optimizer: tf.train.sgd(LR), loss: 'meanSquaredError' });
    const inSize = c.inShape.reduce((a, b) => a * b, 1);
    const keelLosses: number[] = [], tfLosses: number[] = [];
    for (let s = 0; s < STEPS; s++) {
      const x = randomArray(B * inSize, 100 + s, -1, 1), y = randomArray(B * c.outSize, 200 + s, -1, 1);
      keelLosses.push(keel.trainOnBatch(new Tensor(x, [B, ...c.inShape]), new Tensor(y, [B, c.outSize])).loss);
      tfLosses.push(await tfm.trainOnBatch(tf.tensor(x, [B, ...c.inShape]), tf.tensor(y, [B, c.outSize])) as number);
    }
    expectClose(keelLosses, tfLosses, { atol: 1e-5, rtol: 1e-5 });
    // The losses moved: the check compares training, not four evaluations of one model.
    expect(Math.abs(keelLosses[STEPS - 1] - keelLosses[0])).toBeGreaterThan(1e-3);
    const tw = tfm.getWeights();
    keel.getWeights().forEach((w, i) => expectClose(w.values, tw[i].dataSync(), { atol: 1e-5, rtol: 1e-4 }));
    keel.dispose();
    tfm.dispose();
  });
});
