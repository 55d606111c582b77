/**
 * The new layers in Keras files written by keelnet (.keras and legacy .h5): a sequence and an
 * image model with every one of them save and load back in keelnet with the same config,
 * weights and predictions. (Whether Keras 3 itself reads them was not checked here: no Python
 * Keras on this machine.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sequential, Tensor, layers, ready, setSeed } from '../../bindings/index.js';
import { loadKeras, saveKeras } from '../../bindings/io/keras/index.js';
import { randomArray } from '../helpers/close.js';

let dir: string;
beforeAll(async () => {
  await ready();
  dir = await mkdtemp(join(tmpdir(), 'keelnet-new-layers-keras-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const models: Array<[string, () => Sequential, number[]]> = [
  ['sequence', () => new Sequential([
    layers.conv1d({ filters: 4, kernelSize: 3, padding: 'causal', activation: 'relu', inputShape: [12, 3] }),
    layers.maxPooling1d({ poolSize: 2 }),
    layers.gaussianNoise({ stddev: 0.1 }),
    layers.spatialDropout1d({ rate: 0.2 }),
    layers.averagePooling1d({ poolSize: 2, strides: 1 }),
    layers.permute({ dims: [2, 1] }),
    layers.softmax(),
    layers.globalAveragePooling1d(),
    layers.repeatVector({ n: 2 }),
    layers.globalMaxPooling1d(),
    layers.reLU({ maxValue: 0.5, negativeSlope: 0.1, threshold: 0.05 }),
  ], { name: 'new_sequence' }), [12, 3]],
  ['image', () => new Sequential([
    layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputShape: [4, 4, 2] }),
    layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', biasInitializer: 'glorotUniform' }),
    layers.separableConv2d({ filters: 4, kernelSize: 3, activation: 'tanh', biasInitializer: 'glorotUniform' }),
    layers.cropping2d({ cropping: [[1, 0], [0, 1]] }),
    layers.upSampling2d({ size: [1, 2] }),
    layers.gaussianDropout({ rate: 0.3 }),
    layers.spatialDropout2d({ rate: 0.3 }),
    layers.globalAveragePooling2d(),
  ], { name: 'new_image' }), [4, 4, 2]],
];

describe.each(['keras', 'h5'])('keelnet-saved .%s files with the new layers', (ext) => {
  it.each(models)('the %s model loads back with the same config, weights and predictions', async (name, make, shape) => {
    setSeed(21);
    const model = make();
    const x = new Tensor(randomArray(3 * shape.reduce((a, b) => a * b, 1), 5, -1, 1), [3, ...shape]);
    const path = join(dir, `${name}.${ext}`);
    await saveKeras(model, path);
    const back = await loadKeras(path);
    expect(back.toJSON()).toEqual(model.toJSON());
    back.getWeights().forEach((w, i) => expect(w.values).toEqual(model.getWeights()[i].values));
    expect(back.predict(x).values).toEqual(model.predict(x).values);
    model.dispose();
    back.dispose();
  });
});
