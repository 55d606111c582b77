/**
 * The new layers in files: keelnet models with every one of them load in TensorFlow.js 4.22
 * (cpu) and predict the same, and a TF.js model built with them loads in keelnet and predicts the
 * same (max |diff| ≤ 1e-5); all but SpatialDropout2D, which TF.js lacks. TF.js's Softmax default
 * (axis 1) is read as axis 1 (which TF.js itself cannot run on rank-3 inputs).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, loadModel, ready, setBackend, setSeed, tensor, Tensor } from '../../bindings/index.js';
import { expectClose, randomArray } from '../helpers/close.js';
import { directory, randomize, tfRandomize } from '../helpers/tfjs-files.js';

let dir: string;
beforeAll(async () => {
  await ready();
  expect(await tf.setBackend('cpu')).toBe(true);
  dir = await mkdtemp(join(tmpdir(), 'keelnet-new-layers-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const TOL = { atol: 1e-5, rtol: 0 };


const tfPredict = (m: tf.LayersModel, x: Float32Array, shape: number[]) => (m.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array;

const sequenceModel = () => new Sequential([
  layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [12, 3] }),
  layers.maxPooling1d({ poolSize: 2 }),
  layers.gaussianNoise({ stddev: 0.1 }),
  layers.spatialDropout1d({ rate: 0.2 }),
  layers.conv1d({ filters: 3, kernelSize: 2, strides: 1 }),
  layers.averagePooling1d({ poolSize: 2, strides: 1 }),
  layers.permute({ dims: [2, 1] }),
  layers.softmax(),
  layers.globalAveragePooling1d(),
  layers.repeatVector({ n: 2 }),
  layers.globalMaxPooling1d(),
  layers.dense({ units: 3 }),
  layers.reLU({ maxValue: 0.5 }),
  layers.thresholdedReLU({ theta: 0.1 }),
]);

const imageModel = () => new Sequential([
  layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputShape: [4, 4, 2] }),
  layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
  layers.separableConv2d({ filters: 4, kernelSize: 3, activation: 'tanh' }),
  layers.cropping2d({ cropping: [[1, 0], [0, 1]] }),
  layers.upSampling2d({ size: [1, 2] }),
  layers.gaussianDropout({ rate: 0.3 }),
  layers.globalAveragePooling2d(),
  layers.dense({ units: 2 }),
]);

describe.each(['wasm', 'js'] as const)('keelnet → TF.js on %s', (backend) => {
  beforeAll(() => setBackend(backend));

  it.each([['sequence', sequenceModel, [12, 3]], ['image', imageModel, [4, 4, 2]]] as const)('the %s model loads in TF.js and predicts the same', async (name, make, shape) => {
    setSeed(3);
    const model = make();
    randomize(model, 100);
    await model.save(`file://${dir}/${name}-${backend}`);
    const twin = await tf.loadLayersModel(directory(`${dir}/${name}-${backend}`));
    const x = randomArray(5 * shape.reduce((a, b) => a * b, 1), 8, -1, 1);
    expectClose(tfPredict(twin, x, [5, ...shape]), model.predict(tensor(x, [5, ...shape])).dataSync(), TOL);
    model.dispose();
  });
});

describe.each(['wasm', 'js'] as const)('TF.js → keelnet on %s', (backend) => {
  beforeAll(() => setBackend(backend));

  it('a TF.js model with the new layers loads in keelnet and predicts the same', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [12, 3] }));
    m.add(tf.layers.maxPooling1d({ poolSize: 2 }));
    m.add(tf.layers.gaussianNoise({ stddev: 0.1 }));
    m.add(tf.layers.spatialDropout1d({ rate: 0.2 }));
    m.add(tf.layers.averagePooling1d({ poolSize: 2, strides: 1 }));
    m.add(tf.layers.permute({ dims: [2, 1] }));
    m.add(tf.layers.softmax({ axis: -1 }));
    m.add(tf.layers.globalMaxPooling1d({}));
    m.add(tf.layers.repeatVector({ n: 4 }));
    m.add(tf.layers.reshape({ targetShape: [2, 2, 5] }));
    m.add(tf.layers.conv2dTranspose({ filters: 3, kernelSize: 2, strides: 2 }));
    m.add(tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 }));
    m.add(tf.layers.separableConv2d({ filters: 2, kernelSize: 2, padding: 'same' }));
    m.add(tf.layers.cropping2D({ cropping: 1 }));
    m.add(tf.layers.upSampling2d({ size: [2, 1] }));
    m.add(tf.layers.gaussianDropout({ rate: 0.2 }));
    m.add(tf.layers.globalAveragePooling2d({}));
    m.add(tf.layers.reLU({ maxValue: 0.7 }));
    m.add(tf.layers.thresholdedReLU({ theta: 0.05 }));
    tfRandomize(m, 400);
    await m.save(directory(`${dir}/tf-new-${backend}`));
    const model = await loadModel(`file://${dir}/tf-new-${backend}`);
    const x = randomArray(4 * 36, 10, -1, 1);
    expectClose((model.predict(tensor(x, [4, 12, 3])) as Tensor).dataSync(), tfPredict(m, x, [4, 12, 3]), TOL);
  });
});

it("TF.js's Softmax default (axis 1, not Keras 3's -1) over [steps, features] loads as axis 1 (TF.js itself cannot run it)", async () => {
  const m = tf.sequential();
  m.add(tf.layers.softmax({ inputShape: [4, 5] }));
  expect(() => m.predict(tf.zeros([1, 4, 5]))).toThrow(/Softmax along a non-last dimension is not yet supported/);
  await m.save(directory(`${dir}/tf-softmax-axis`));
  const model = await loadModel(`file://${dir}/tf-softmax-axis`);
  expect(model.layers[0].getConfig()).toMatchObject({ axis: 1 });
  // Each column of a sample sums to 1 over the 4 steps.
  const y = (model.predict(tensor(randomArray(20, 12, -2, 2), [1, 4, 5])) as Tensor).dataSync();
  for (let c = 0; c < 5; c++) expect(y[c] + y[5 + c] + y[10 + c] + y[15 + c]).toBeCloseTo(1, 6);
});
