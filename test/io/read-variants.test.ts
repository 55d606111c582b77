/**
 * The shapes a TF.js Layers model takes in the wild, all read the same: weights sharded across
 * files (a weight spanning two shards), several manifest groups, quantized entries (uint8,
 * uint16, float16), optimizer weights, Keras's model_config wrapper, the legacy bare list of
 * layers, Keras 3 files (InputLayer, DTypePolicy, module keys), 'layer/cell/weight' names,
 * and model.json served over http.
 */
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LayersModel, Sequential, Tensor, layers, loadModel, modelFromArtifacts, modelToArtifacts, ready, setSeed, tensor, type ModelArtifacts, type WeightSpec } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';

let root: string, model: Sequential, artifacts: ModelArtifacts;
const x = tensor(randomArray(3 * 4, 21, -2, 2), [3, 4]);

beforeAll(async () => {
  await ready();
  root = await mkdtemp(join(tmpdir(), 'keelnet-variants-'));
  setSeed(6);
  model = new Sequential([
    layers.dense({ units: 8, activation: 'relu', inputShape: [4], name: 'hidden' }),
    layers.batchNormalization({ name: 'norm' }),
    layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
  ], { name: 'variants' });
  artifacts = modelToArtifacts(model);
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

const bytes = () => new Uint8Array(artifacts.weightData as ArrayBuffer);
const specs = () => artifacts.weightSpecs as WeightSpec[];
const predictions = (m: LayersModel) => Array.from((m.predict(x) as Tensor).dataSync());

it('weights sharded over three files (one weight spanning two) in two manifest groups', async () => {
  const dir = join(root, 'sharded');
  await mkdir(dir);
  const all = bytes();
  // Group 1: hidden/kernel + hidden/bias (40 floats = 160 bytes) in shards of 100 and 60 bytes:
  // hidden/kernel (bytes 0–128) spans both. Group 2: the rest, in one file.
  await writeFile(join(dir, 'group1-shard1of2.bin'), all.subarray(0, 100));
  await writeFile(join(dir, 'group1-shard2of2.bin'), all.subarray(100, 160));
  await writeFile(join(dir, 'group2-shard1of1.bin'), all.subarray(160));
  await writeFile(join(dir, 'model.json'), JSON.stringify({
    modelTopology: artifacts.modelTopology, format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', convertedBy: null,
    weightsManifest: [
      { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs().slice(0, 2) },
      { paths: ['group2-shard1of1.bin'], weights: specs().slice(2) },
    ],
  }));
  expect(predictions(await loadModel(`file://${dir}/model.json`))).toEqual(predictions(model));
  // A short shard is named with its group's files.
  await writeFile(join(dir, 'group1-shard2of2.bin'), all.subarray(100, 150));
  await expect(loadModel(`file://${dir}/model.json`)).rejects.toThrow(`${join(dir, 'group1-shard1of2.bin')} + ${join(dir, 'group1-shard2of2.bin')} holds 150 bytes but the weights manifest needs 160: weight 'hidden/bias'`);
});

/** IEEE half bits of a value that half represents exactly (the test's values are k/64). */
function toHalf(v: number): number {
  if (v === 0) return 0;
  const sign = v < 0 ? 0x8000 : 0, a = Math.abs(v), e = Math.floor(Math.log2(a));
  return sign | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
}

it('quantized entries are dequantized: uint8 and uint16 as code·scale + min, float16 as halves', () => {
  const weights = model.getWeights();
  const parts: Uint8Array[] = [];
  const newSpecs: WeightSpec[] = [];
  const expected: number[][] = [];
  weights.forEach((w, i) => {
    const spec = { ...specs()[i] };
    const v = w.dataSync();
    if (i === 0 || i === 1) { // hidden/kernel as uint8, hidden/bias as uint16
      const dtype = i === 0 ? 'uint8' : 'uint16', levels = i === 0 ? 255 : 65535;
      const min = -0.75, scale = 1.5 / levels;
      const codes = Array.from(v, (_, j) => (j * 37) % (levels + 1));
      const buf = i === 0 ? new Uint8Array(codes) : new Uint8Array(new Uint16Array(codes).buffer);
      parts.push(buf);
      spec.quantization = { dtype, scale, min };
      expected.push(codes.map((c) => Math.fround(c * scale + min)));
    } else if (spec.name === 'out/kernel') { // float16
      const vals = Array.from(v, (_, j) => (j - 12) / 64);
      parts.push(new Uint8Array(new Uint16Array(vals.map(toHalf)).buffer));
      spec.quantization = { dtype: 'float16' };
      expected.push(vals);
    } else {
      parts.push(new Uint8Array(new Float32Array(v).buffer));
      expected.push(Array.from(v));
    }
    newSpecs.push(spec);
  });
  // Optimizer state at the end (group 'optimizer') is skipped.
  newSpecs.push({ name: 'iter', shape: [], dtype: 'int32', group: 'optimizer' }, { name: 'hidden/kernel/m', shape: [4, 8], dtype: 'float32', group: 'optimizer' });
  parts.push(new Uint8Array(4), new Uint8Array(128));
  const loaded = modelFromArtifacts({ ...artifacts, weightSpecs: newSpecs, weightData: parts.map((p) => p.slice().buffer) }, 'memory');
  expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(expected);
});

it("Keras's model_config wrapper and the legacy bare list of layers", () => {
  const topology = artifacts.modelTopology as { config: { name: string; layers: unknown[] } };
  const wrapped = modelFromArtifacts({ ...artifacts, modelTopology: { model_config: topology, training_config: {} } }, 'wrapped');
  expect(predictions(wrapped)).toEqual(predictions(model));
  const legacy = modelFromArtifacts({ ...artifacts, modelTopology: { class_name: 'Sequential', config: topology.config.layers } }, 'legacy');
  expect(predictions(legacy)).toEqual(predictions(model));
});

it('a Keras 3 file: InputLayer, module/registered_name keys, DTypePolicy, named initializers, layer/cell/weight names', () => {
  const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  const dense = (name: string, units: number, activation: string) => ({
    module: 'keras.layers', class_name: 'Dense', registered_name: null,
    config: {
      name, trainable: true, dtype: policy, units, activation, use_bias: true,
      kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null },
      bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
      kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null, lora_rank: null,
    },
  });
  const topology = {
    class_name: 'Sequential', config: { name: 'keras3', trainable: true, dtype: policy, layers: [
      { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null },
      dense('hidden', 8, 'relu'),
      { module: 'keras.layers', class_name: 'BatchNormalization', registered_name: null, config: {
        name: 'norm', trainable: true, dtype: policy, axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true,
        beta_initializer: { class_name: 'Zeros', config: {} }, gamma_initializer: { class_name: 'Ones', config: {} },
        moving_mean_initializer: { class_name: 'Zeros', config: {} }, moving_variance_initializer: { class_name: 'Ones', config: {} },
        beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null, synchronized: false } },
      dense('out', 3, 'softmax'),
    ] },
    keras_version: '3.16.0', backend: 'tensorflow',
  };
  // The converter may write 'layer/cell/weight' (TF ≥ 2.2); those shorten to 'layer/weight'.
  const weightSpecs = specs().map((s) => (s.name === 'hidden/kernel' ? { ...s, name: 'hidden/hidden_cell/kernel' } : s));
  const loaded = modelFromArtifacts({ ...artifacts, modelTopology: topology, weightSpecs, generatedBy: 'keras v3.16.0' }, 'keras3');
  expect(loaded.name).toBe('keras3');
  expect(loaded.inputShape).toEqual([4]);
  expect(loaded.toJSON().config.layers[0].config.kernelInitializer).toBe('glorotUniform');
  expect(predictions(loaded)).toEqual(predictions(model));
  // A Keras 3 policy other than float32 is refused.
  const half = JSON.parse(JSON.stringify(topology));
  half.config.layers[1].config.dtype.config.name = 'mixed_float16';
  expect(() => modelFromArtifacts({ ...artifacts, modelTopology: half }, 'keras3')).toThrow(`keras3: layer 1 'hidden' (Dense): dtype "mixed_float16" is not supported; keelnet computes in float32`);
});

it('loads model.json over http, with weights resolved relative to it', async () => {
  const dir = join(root, 'served');
  await model.save(`file://${dir}`);
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readFile(join(dir, req.url!.replace('/models/', '')));
      res.writeHead(200).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  try {
    expect(predictions(await loadModel(`http://127.0.0.1:${port}/models/model.json`))).toEqual(predictions(model));
    await expect(loadModel(`http://127.0.0.1:${port}/models/nothing.json`)).rejects.toThrow(`http://127.0.0.1:${port}/models/nothing.json: HTTP 404`);
    // In a page (location defined), a path without a scheme is relative to the page.
    (globalThis as { location?: { href: string } }).location = { href: `http://127.0.0.1:${port}/models/index.html` };
    try {
      expect(predictions(await loadModel('model.json'))).toEqual(predictions(model));
    } finally {
      delete (globalThis as { location?: unknown }).location;
    }
  } finally {
    await new Promise((r) => server.close(r));
  }
});
