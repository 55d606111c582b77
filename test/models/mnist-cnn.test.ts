/**
 * End to end on the real MNIST files: a small CNN (the mnist-cnn example's shape at a quarter of
 * its widths) trained on 12,000 images for 3 epochs reaches ≥ 95% on the full 10,000-image test set,
 * fed flat [n, 784] rows through a reshape layer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, loadMnist, ready, setSeed, tensor, type Mnist } from '../../bindings/index.js';

let mnist: Mnist;
beforeAll(async () => {
  await ready();
  mnist = await loadMnist();
});

describe('MNIST CNN', () => {
  it('trains on 12,000 images for 3 epochs to ≥ 95% on the full test set', async () => {
    setSeed(1);
    const n = 12000;
    const x = tensor(mnist.xTrain.values.subarray(0, n * 784), [n, 784]);
    const y = tensor(mnist.yTrain.values.subarray(0, n), [n]);
    const model = new Sequential([
      layers.reshape({ targetShape: [28, 28, 1], inputShape: [784] }),
      layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: 32, activation: 'relu' }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const h = await model.fit(x, y, { epochs: 3, batchSize: 32, verbose: 0 });
    expect(h.history.loss[2]).toBeLessThan(h.history.loss[0]);
    const { accuracy } = await model.evaluate(mnist.xTest, mnist.yTest, { batchSize: 500 });
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    model.dispose();
  }, 120_000);
});
