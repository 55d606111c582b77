/**
 * Models move between keelnet and TensorFlow.js 4.22 (cpu backend) through files on disk:
 * keelnet's model.json + weights.bin load in tf.loadLayersModel, TF.js's load in keelnet's
 * loadModel, and both predict the same (max |diff| ≤ 1e-5). @tensorflow/tfjs has no file://
 * handler in Node, so TF.js reads and writes the directory through a small IOHandler here.
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
  dir = await mkdtemp(join(tmpdir(), 'keelnet-tfjs-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const TOL = { atol: 1e-5, rtol: 0 };


const tfPredict = (m: tf.LayersModel, x: Float32Array, shape: number[]) => (m.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array;

describe.each(['wasm', 'js'] as const)('keelnet → TF.js on %s', (backend) => {
  beforeAll(() => setBackend(backend));

  it('an MLP with every layer TF.js has loads in tf.loadLayersModel and predicts the same', async () => {
    setSeed(11);
    const model = new Sequential([
      layers.dense({ units: 12, activation: 'relu', inputShape: [6] }),
      layers.batchNormalization(),
      layers.dense({ units: 10, activation: 'tanh', kernelInitializer: 'heNormal' }),
      layers.leakyReLU({ alpha: 0.2 }),
      layers.dense({ units: 10, activation: 'selu', kernelInitializer: 'lecunNormal' }),
      layers.prelu(),
      layers.dense({ units: 8, activation: 'softplus' }),
      layers.elu(),
      layers.dropout({ rate: 0.3 }),
      layers.dense({ units: 8, activation: 'gelu' }),
      layers.layerNormalization({ epsilon: 1e-5 }),
      layers.activation({ activation: 'sigmoid' }),
      layers.dense({ units: 4, activation: 'softmax' }),
    ]);
    randomize(model, 100);
    await model.save(`file://${dir}/mlp-${backend}`);
    const twin = await tf.loadLayersModel(directory(`${dir}/mlp-${backend}`));
    expect(twin.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    const x = randomArray(16 * 6, 7, -2, 2);
    expectClose(tfPredict(twin, x, [16, 6]), model.predict(tensor(x, [16, 6])).dataSync(), TOL);
  });

  it('a CNN (Conv2D, pooling, padding, flatten, reshape) loads in TF.js and predicts the same', async () => {
    setSeed(12);
    const model = new Sequential([
      layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', padding: 'same', inputShape: [10, 10, 3] }),
      layers.batchNormalization(),
      layers.prelu({ sharedAxes: [1, 2] }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.zeroPadding2d({ padding: 1 }),
      layers.conv2d({ filters: 4, kernelSize: 3, strides: 2 }),
      layers.averagePooling2d({ poolSize: 2, strides: 1 }),
      layers.flatten(),
      layers.reshape({ targetShape: [2, 2, 4] }),
      layers.globalMaxPooling2d(),
      layers.dense({ units: 3, activation: 'softmax' }),
    ]);
    randomize(model, 200);
    await model.save(`file://${dir}/cnn-${backend}`);
    const twin = await tf.loadLayersModel(directory(`${dir}/cnn-${backend}`));
    const x = randomArray(5 * 300, 8, -1, 1);
    expectClose(tfPredict(twin, x, [5, 10, 10, 3]), model.predict(tensor(x, [5, 10, 10, 3])).dataSync(), TOL);
  });

  it('a recurrent model (Embedding, SimpleRNN, LSTM, TimeDistributed Dense) loads in TF.js and predicts the same', async () => {
    setSeed(13);
    const model = new Sequential([
      layers.embedding({ inputDim: 12, outputDim: 5, inputShape: [7] }),
      layers.simpleRNN({ units: 6, returnSequences: true }),
      layers.lstm({ units: 4, returnSequences: true }),
      layers.timeDistributed({ layer: layers.dense({ units: 3, activation: 'tanh' }) }),
      layers.lstm({ units: 5, goBackwards: true }),
      layers.dense({ units: 2 }),
    ]);
    randomize(model, 500);
    await model.save(`file://${dir}/rnn-${backend}`);
    const twin = await tf.loadLayersModel(directory(`${dir}/rnn-${backend}`));
    const x = Float32Array.from({ length: 4 * 7 }, (_, i) => (i * 5) % 12);
    expectClose(tfPredict(twin, x, [4, 7]), model.predict(tensor(x, [4, 7])).dataSync(), TOL);
  });
});

describe.each(['wasm', 'js'] as const)('TF.js → keelnet on %s', (backend) => {
  beforeAll(() => setBackend(backend));

  it('an MLP built and saved by TF.js loads in keelnet and predicts the same', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 12, inputShape: [6], activation: 'relu', kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }) }));
    m.add(tf.layers.batchNormalization({ momentum: 0.9 }));
    m.add(tf.layers.dense({ units: 10, activation: 'tanh', kernelInitializer: 'heUniform' }));
    m.add(tf.layers.leakyReLU({ alpha: 0.1 }));
    m.add(tf.layers.dense({ units: 10, activation: 'elu', biasInitializer: tf.initializers.constant({ value: 0.1 }) }));
    m.add(tf.layers.prelu({ alphaInitializer: tf.initializers.constant({ value: 0.2 }) }));
    m.add(tf.layers.elu());
    m.add(tf.layers.dropout({ rate: 0.25 }));
    m.add(tf.layers.dense({ units: 8, activation: 'sigmoid', useBias: false }));
    m.add(tf.layers.activation({ activation: 'relu6' }));
    m.add(tf.layers.layerNormalization());
    m.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
    tfRandomize(m, 300);
    await m.save(directory(`${dir}/tf-mlp-${backend}`));
    const model = await loadModel(`file://${dir}/tf-mlp-${backend}/model.json`);
    expect(model.layers.map((l) => l.className)).toEqual(
      ['Dense', 'BatchNormalization', 'Dense', 'LeakyReLU', 'Dense', 'PReLU', 'ELU', 'Dropout', 'Dense', 'Activation', 'LayerNormalization', 'Dense']);
    const x = randomArray(16 * 6, 9, -2, 2);
    expectClose((model.predict(tensor(x, [16, 6])) as Tensor).dataSync(), tfPredict(m, x, [16, 6]), TOL);
    // The regularizer and the momentum came across too.
    expect(model.toJSON().config.layers[0].config.kernelRegularizer).toEqual({ className: 'L2', l1: 0, l2: 0.01 });
    expect(model.toJSON().config.layers[1].config.momentum).toBe(0.9);
  });

  it('a CNN built and saved by TF.js loads in keelnet and predicts the same', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, inputShape: [9, 9, 2], activation: 'relu' }));
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.zeroPadding2d({ padding: 1 }));
    m.add(tf.layers.conv2d({ filters: 3, kernelSize: 2, padding: 'same', strides: 2 }));
    m.add(tf.layers.averagePooling2d({ poolSize: 1 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.reshape({ targetShape: [3, 3, 3] }));
    m.add(tf.layers.globalAveragePooling2d({}));
    m.add(tf.layers.dense({ units: 3 }));
    tfRandomize(m, 400);
    await m.save(directory(`${dir}/tf-cnn-${backend}`));
    const model = await loadModel(`file://${dir}/tf-cnn-${backend}`);
    const x = randomArray(4 * 162, 10, -1, 1);
    expectClose((model.predict(tensor(x, [4, 9, 9, 2])) as Tensor).dataSync(), tfPredict(m, x, [4, 9, 9, 2]), TOL);
  });

  it('a recurrent model built and saved by TF.js (LSTM with sigmoid gates) loads in keelnet and predicts the same', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 12, outputDim: 5, inputLength: 7 }));
    m.add(tf.layers.simpleRNN({ units: 6, returnSequences: true }));
    m.add(tf.layers.lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }));
    m.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'relu' }) }));
    m.add(tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', goBackwards: true }));
    m.add(tf.layers.dense({ units: 2 }));
    tfRandomize(m, 600);
    await m.save(directory(`${dir}/tf-rnn-${backend}`));
    const model = await loadModel(`file://${dir}/tf-rnn-${backend}`);
    const x = Float32Array.from({ length: 4 * 7 }, (_, i) => (i * 7) % 12);
    expectClose((model.predict(tensor(x, [4, 7])) as Tensor).dataSync(), tfPredict(m, x, [4, 7]), TOL);
  });
});

it("TF.js's own GRU (reset_after = false) and hard_sigmoid LSTM gates are refused with the reason", async () => {
  const gru = tf.sequential();
  gru.add(tf.layers.gru({ units: 3, inputShape: [4, 2], recurrentActivation: 'sigmoid' }));
  await gru.save(directory(`${dir}/tf-gru`));
  await expect(loadModel(`file://${dir}/tf-gru`)).rejects.toThrow(/layer 0 '.*' \(GRU\): reset_after = false \(the GRU of TF\.js and Keras 2\) is not supported/);
  const lstm = tf.sequential();
  lstm.add(tf.layers.lstm({ units: 3, inputShape: [4, 2] })); // TF.js's default recurrent activation: hard_sigmoid
  await lstm.save(directory(`${dir}/tf-lstm`));
  await expect(loadModel(`file://${dir}/tf-lstm`)).rejects.toThrow(/\(LSTM\): recurrent_activation 'hard_sigmoid' is clip\(0\.2·x \+ 0\.5, 0, 1\) in TF\.js/);
});
