/**
 * model.save('file://dir') writes the TF.js Layers format exactly (REFERENCE.md, "The TF.js
 * Layers format"), and loadModel reads it back into a model that predicts bit-identically,
 * for every layer keelnet has — Residual included — on both backends.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sequential, Tensor, initializers, layers, loadModel, ready, regularizers, setBackend, setSeed, tensor } from '../../bindings/index.js';
import { blobs } from '../helpers/models.js';
import { randomArray } from '../helpers/close.js';

let dir: string;
beforeAll(async () => { await ready(); dir = await mkdtemp(join(tmpdir(), 'keelnet-io-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const readJSON = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

/** Every key of every object, recursively (for the snake_case check). */
function allKeys(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(allKeys);
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => [k, ...allKeys(x)]);
}

function everyLayerMlp(): Sequential {
  return new Sequential([
    layers.dense({ units: 8, activation: 'gelu', inputShape: [5], kernelRegularizer: regularizers.l2({ l2: 0.001 }), activityRegularizer: regularizers.l1({ l1: 1e-4 }) }),
    layers.batchNormalization({ momentum: 0.9 }),
    layers.leakyReLU({ alpha: 0.1 }),
    layers.residual({ layers: [layers.dense({ units: 8, activation: 'elu', kernelInitializer: 'heNormal' }), layers.layerNormalization(), layers.dense({ units: 6, biasInitializer: initializers.constant({ value: 0.5 }) })] }),
    layers.prelu({ alphaInitializer: initializers.constant({ value: 0.25 }) }),
    layers.elu({ alpha: 0.5 }),
    layers.dropout({ rate: 0.2, seed: 3 }),
    layers.activation({ activation: 'hardSigmoid' }),
    layers.dense({ units: 3, activation: 'softmax', useBias: false, kernelInitializer: initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'untruncatedNormal' }) }),
  ]);
}

function smallCnn(): Sequential {
  return new Sequential([
    layers.zeroPadding2d({ padding: 1, inputShape: [6, 6, 2] }),
    layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 3, kernelSize: 2, padding: 'same', strides: 1 }),
    layers.averagePooling2d({ poolSize: 1 }),
    layers.reshape({ targetShape: [9, 3] }),
    layers.reshape({ targetShape: [3, 3, 3] }),
    layers.globalAveragePooling2d({}),
    layers.dense({ units: 2 }),
  ]);
}

it('writes model.json and weights.bin exactly as the TF.js Layers format (the REFERENCE example)', async () => {
  setSeed(1);
  const model = new Sequential([layers.dense({ units: 1, activation: 'sigmoid', inputShape: [4], name: 'dense_Dense1', kernelInitializer: 'glorotNormal' })], { name: 'sequential_1' });
  const result = await model.save(`file://${dir}/minimal`);
  const json = await readJSON(`${dir}/minimal/model.json`);
  const pkg = await readJSON('package.json');
  expect(json).toEqual({
    format: 'layers-model', generatedBy: `keelnet ${pkg.version}`, convertedBy: null,
    modelTopology: {
      class_name: 'Sequential', keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js',
      config: { name: 'sequential_1', layers: [{ class_name: 'Dense', config: {
        units: 1, activation: 'sigmoid', use_bias: true,
        kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
        bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
        name: 'dense_Dense1', trainable: true, batch_input_shape: [null, 4], dtype: 'float32' } }] },
    },
    weightsManifest: [{ paths: ['weights.bin'], weights: [
      { name: 'dense_Dense1/kernel', shape: [4, 1], dtype: 'float32' },
      { name: 'dense_Dense1/bias', shape: [1], dtype: 'float32' }] }],
  });
  // 16 + 4 bytes of little-endian float32, kernel then bias.
  const bin = await readFile(`${dir}/minimal/weights.bin`);
  expect(bin.byteLength).toBe(20);
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const expected = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
  expect(Array.from({ length: 5 }, (_, i) => view.getFloat32(4 * i, true))).toEqual(expected);
  // SaveResult as TF.js's: byte counts of the JSON topology, the specs and the data.
  const info = result.modelArtifactsInfo;
  expect(info.modelTopologyType).toBe('JSON');
  expect(info.dateSaved).toBeInstanceOf(Date);
  expect(info.modelTopologyBytes).toBe(JSON.stringify(json.modelTopology).length);
  expect(info.weightSpecsBytes).toBe(JSON.stringify(json.weightsManifest[0].weights).length);
  expect(info.weightDataBytes).toBe(20);
});

describe.each(['wasm', 'js'] as const)('keelnet → file → keelnet on %s', (backend) => {
  beforeAll(() => setBackend(backend));

  it('every layer, Residual included: snake_case topology, identical weights and predictions, and a re-save writes the same file', async () => {
    setSeed(2);
    const model = everyLayerMlp();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const { y } = blobs(60, 4);
    const wide = tensor(randomArray(60 * 5, 9, -2, 2), [60, 5]);
    await model.fit(wide, y, { epochs: 2, batchSize: 16, verbose: 0 }); // moving statistics away from 0 and 1
    await model.save(`file://${dir}/mlp-${backend}`);
    const json = await readJSON(`${dir}/mlp-${backend}/model.json`);
    for (const k of allKeys(json.modelTopology)) expect(k, 'topology keys are snake_case').toMatch(/^[a-z0-9_]+$/);
    const first = json.modelTopology.config.layers[0].config;
    expect(first.batch_input_shape).toEqual([null, 5]);
    expect(first.activity_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 1e-4, l2: 0 } });
    expect(json.modelTopology.config.layers[3].class_name).toBe('Residual');
    expect(json.modelTopology.config.layers[7].config.activation).toBe('hard_sigmoid');
    // The Residual's inner layers keep their own weight names.
    const names = json.weightsManifest[0].weights.map((w: { name: string }) => w.name);
    const inner = (model.layers[3] as unknown as { innerLayers: { name: string }[] }).innerLayers.map((l) => l.name);
    expect(names).toContain(`${inner[0]}/kernel`);
    expect(names).toContain(`${inner[1]}/gamma`);

    const copy = await loadModel(`file://${dir}/mlp-${backend}/model.json`);
    expect(copy.name).toBe(model.name);
    expect(copy.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expect(copy.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(model.getWeights().map((w) => Array.from(w.dataSync())));
    expect(Array.from((copy.predict(wide) as Tensor).dataSync())).toEqual(Array.from(model.predict(wide).dataSync()));

    await copy.save(`file://${dir}/mlp-${backend}-again`);
    expect(await readFile(`${dir}/mlp-${backend}-again/model.json`, 'utf8')).toBe(await readFile(`${dir}/mlp-${backend}/model.json`, 'utf8'));
    expect(Buffer.compare(await readFile(`${dir}/mlp-${backend}-again/weights.bin`), await readFile(`${dir}/mlp-${backend}/weights.bin`))).toBe(0);
    model.dispose();
    copy.dispose();
  });

  it('a CNN (Conv2D, pooling, padding, reshape) round-trips through a directory given without model.json', async () => {
    setSeed(3);
    const model = smallCnn();
    await model.save(`file://${dir}/cnn-${backend}`);
    const copy = await loadModel(`file://${dir}/cnn-${backend}`);
    const x = tensor(randomArray(3 * 72, 5), [3, 6, 6, 2]);
    expect(Array.from((copy.predict(x) as Tensor).dataSync())).toEqual(Array.from(model.predict(x).dataSync()));
    expect(copy.toJSON()).toEqual(model.toJSON());
  });

  it('a recurrent model (Embedding, GRU, LSTM, SimpleRNN, TimeDistributed) round-trips exactly', async () => {
    setSeed(5);
    const model = new Sequential([
      layers.embedding({ inputDim: 9, outputDim: 4, inputShape: [6] }),
      layers.gru({ units: 5, returnSequences: true, recurrentDropout: 0.1, seed: 4 }),
      layers.timeDistributed({ layer: layers.dense({ units: 3, activation: 'relu' }) }),
      layers.lstm({ units: 4, returnSequences: true, goBackwards: true }),
      layers.simpleRNN({ units: 3, activation: 'relu' }),
    ]);
    await model.save(`file://${dir}/rnn-${backend}`);
    const json = await readJSON(`${dir}/rnn-${backend}/model.json`);
    expect(json.modelTopology.config.layers[1].config.reset_after).toBe(true);
    // As in TF.js, a TimeDistributed layer's weights are named after the wrapper.
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain(`${model.layers[2].name}/kernel`);
    const copy = await loadModel(`file://${dir}/rnn-${backend}`);
    const x = tensor(Float32Array.from({ length: 3 * 6 }, (_, i) => (i * 4) % 9), [3, 6]);
    expect(Array.from((copy.predict(x) as Tensor).dataSync())).toEqual(Array.from(model.predict(x).dataSync()));
    expect(copy.toJSON()).toEqual(model.toJSON());
    await copy.save(`file://${dir}/rnn-${backend}-again`);
    expect(await readFile(`${dir}/rnn-${backend}-again/model.json`, 'utf8')).toBe(await readFile(`${dir}/rnn-${backend}/model.json`, 'utf8'));
  });
});

it('the loaded config equals the saved one (named initializers come back by name)', async () => {
  setSeed(4);
  const model = everyLayerMlp();
  await model.save(`file://${dir}/config`);
  const copy = await loadModel(`file://${dir}/config/model.json`);
  expect(copy.toJSON()).toEqual(model.toJSON());
  expect(copy.toJSON().config.layers[0].config.kernelInitializer).toBe('glorotUniform');
});
