/**
 * Keras's own files: Keras 3.15.1-saved `.keras` and `.h5` fixtures (test/fixtures/keras,
 * made by make_fixtures.py) load in keelnet and predict within 1e-5 of Keras; training resumes
 * from Keras's Adam state; keelnet-saved `.keras` files load back identically; corrupt or foreign
 * files are errors naming the file, the layer and the weight, with nothing assigned before every
 * check passed.
 *
 * The other direction (Keras loading keelnet's files) needs Python; it is checked by
 * test/fixtures/keras/check_keelnet_files.py over the files this suite writes when
 * KEELNET_KERAS_OUT names a directory:
 *   KEELNET_KERAS_OUT=/tmp/keelnet-keras npx vitest run test/io/keras-files.test.ts
 *   KERAS_BACKEND=jax python test/fixtures/keras/check_keelnet_files.py /tmp/keelnet-keras
 */
import { unzipSync, zipSync } from 'fflate';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Sequential, layers, optimizers, ready, regularizers, setSeed, tensor, type Tensor } from '../../bindings/index.js';
import { kerasArchive, kerasH5, loadKeras, saveKeras } from '../../bindings/io/keras/index.js';
import { h5Get, readHdf5, writeHdf5 } from '../../bindings/io/keras/hdf5.js';
import { expectClose, randomArray } from '../helpers/close.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/keras');
const fixture = (name: string) => join(FIXTURES, name);
const TOL = { atol: 1e-5, rtol: 0 };

interface TensorJSON { shape: number[]; values: number[] }
interface Expected { keras_version: string; inputs: TensorJSON[]; outputs: TensorJSON[] }
const readJSON = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;
const asTensor = (t: TensorJSON) => tensor(t.values, t.shape);

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

let dir: string;
beforeAll(async () => {
  await ready();
  dir = await mkdtemp(join(tmpdir(), 'keelnet-keras-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const SEQUENTIAL = ['mlp', 'cnn', 'lstm', 'gru', 'bn'] as const;

describe.each(['keras', 'h5'])('Keras 3 .%s files', (ext) => {
  it.each(SEQUENTIAL)('%s loads and predicts within 1e-5 of Keras', async (name) => {
    const expected = await readJSON<Expected>(fixture(`${name}.json`));
    expect(expected.keras_version).toBe('3.15.1');
    const model = await loadKeras(fixture(`${name}.${ext}`));
    const y = model.predict(asTensor(expected.inputs[0])) as Tensor;
    expect(y.shape).toEqual(expected.outputs[0].shape);
    expectClose(y.values, expected.outputs[0].values, TOL);
    // Measured: ≤ 2.4e-7 on every fixture (bn), 0 on gru.
    expect(maxDiff(y.values, expected.outputs[0].values)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('compiles as the file says (optimizer, loss, metrics)', async () => {
    const model = await loadKeras(fixture(`mlp.${ext}`));
    expect(model.compileConfig).toEqual({
      optimizer: { className: 'Adam', config: { learningRate: expect.closeTo(0.001, 9), beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false } },
      loss: { name: 'sparseCategoricalCrossentropy', fromLogits: false, delta: 1 },
      metrics: ['accuracy'],
    });
    const cnn = await loadKeras(fixture(`cnn.${ext}`));
    expect(cnn.compileConfig?.optimizer.className).toBe('SGD');
    expect((cnn.compileConfig?.loss as { name: string }).name).toBe('categoricalCrossentropy');
    const plain = await loadKeras(fixture(`mlp.${ext}`), { compile: false });
    expect(plain.compileConfig).toBeUndefined();
    for (const m of [model, cnn, plain]) m.dispose();
  });

  it("training resumes from Keras's Adam state: one step matches Keras's within 1e-5", async () => {
    const step = await readJSON<{ x: TensorJSON; y: number[]; loss: number; iterations_before: number; iterations_after: number; weights_after: TensorJSON[] }>(fixture('mlp_adam_step.json'));
    const model = await loadKeras(fixture(`mlp_adam.${ext}`));
    expect(model.optimizer?.iterations).toBe(step.iterations_before);
    expect(model.optimizer?.learningRate).toBeCloseTo(0.01, 8);
    const logs = model.trainOnBatch(asTensor(step.x), tensor(step.y, [step.y.length], 'int32'));
    expect(logs.loss).toBeCloseTo(step.loss, 5);
    expect(model.optimizer?.iterations).toBe(step.iterations_after);
    const after = model.getWeights();
    after.forEach((w, i) => expectClose(w.values, step.weights_after[i].values, TOL));
    // Measured: max |diff| 1.2e-7 over all weights after the step.
    expect(Math.max(...after.map((w, i) => maxDiff(w.values, step.weights_after[i].values)))).toBeLessThan(1e-6);
    model.dispose();
  });
});

describe('Keras 3 layer configs', () => {
  it("every layer class keelnet has loads from Keras 3's default config", async () => {
    const { layers: configs } = await readJSON<{ layers: Array<{ class_name: string }> }>(fixture('layer_defaults.json'));
    const input: Record<string, number[]> = {
      Conv2D: [6, 6, 2], MaxPooling2D: [6, 6, 2], AveragePooling2D: [6, 6, 2], GlobalAveragePooling2D: [6, 6, 2], GlobalMaxPooling2D: [6, 6, 2],
      ZeroPadding2D: [6, 6, 2], SimpleRNN: [3, 2], LSTM: [3, 2], GRU: [3, 2], Embedding: [3], TimeDistributed: [3, 2],
    };
    const { modelFromKerasConfig } = await import('../../bindings/io/keras/index.js');
    const loaded = configs.map((l) => {
      const config = { class_name: 'Sequential', config: { name: 'one', layers: [{ class_name: 'InputLayer', config: { batch_shape: [null, ...(input[l.class_name] ?? [4])] } }, l] } };
      const model = modelFromKerasConfig(config, { where: 'layer_defaults.json', fromKeelnet: true });
      const cls = model.layers[0].className;
      model.dispose();
      return cls;
    });
    expect(loaded).toEqual(configs.map((l) => l.class_name));
  });
});

// --- keelnet → .keras → keelnet ----------------------------------------------------------------------

/** Models built in keelnet over the layer classes a Keras file can hold, each with an input batch. */
function keelnetModels(): Array<{ name: string; model: Sequential; x: Tensor }> {
  setSeed(11);
  const zoo = new Sequential([
    layers.dense({ units: 7, activation: 'relu', inputShape: [6], kernelRegularizer: regularizers.l2({ l2: 0.01 }) }),
    layers.leakyReLU({ alpha: 0.2 }),
    layers.layerNormalization({}),
    layers.dropout({ rate: 0.3 }),
    layers.dense({ units: 5, activation: 'gelu', kernelInitializer: 'heNormal' }),
    layers.elu({}),
    layers.prelu({}),
    layers.dense({ units: 3, activation: 'softmax' }),
  ], { name: 'keelnet_zoo' });
  const conv = new Sequential([
    layers.zeroPadding2d({ padding: 1, inputShape: [6, 6, 2] }),
    layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }),
    layers.batchNormalization({}),
    layers.averagePooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 4, kernelSize: 2, padding: 'same', strides: 1 }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten({}),
    layers.dense({ units: 2, activation: 'sigmoid' }),
  ], { name: 'keelnet_conv' });
  const seq = new Sequential([
    layers.embedding({ inputDim: 10, outputDim: 4, inputShape: [5] }),
    layers.simpleRNN({ units: 4, returnSequences: true }),
    layers.timeDistributed({ layer: layers.dense({ units: 3, activation: 'tanh' }) }),
    layers.lstm({ units: 3, returnSequences: true, goBackwards: true }),
    layers.gru({ units: 3 }),
    layers.dense({ units: 2 }),
  ], { name: 'keelnet_seq' });
  const pool = new Sequential([
    layers.conv2d({ filters: 2, kernelSize: 2, inputShape: [5, 5, 1] }),
    layers.globalAveragePooling2d({}),
    layers.reshape({ targetShape: [2, 1] }),
    layers.flatten({}),
    layers.activation({ activation: 'softplus' }),
  ], { name: 'keelnet_pool' });
  // Weights away from their initial values (biases, normalization statistics), so any mix-up shows.
  for (const m of [zoo, conv, seq, pool]) {
    m.setWeights(m.getWeights().map((w, i) => tensor(w.values.map((v, k) => (w.shape.length === 1 ? 0.5 + 0.4 * Math.sin(k + i) : v)), [...w.shape])));
  }
  const ints = tensor(Array.from({ length: 15 }, (_, i) => (i * 7) % 10), [3, 5]);
  return [
    { name: 'keelnet_zoo', model: zoo, x: tensor(randomArray(4 * 6, 1), [4, 6]) },
    { name: 'keelnet_conv', model: conv, x: tensor(randomArray(3 * 72, 2), [3, 6, 6, 2]) },
    { name: 'keelnet_seq', model: seq, x: ints },
    { name: 'keelnet_pool', model: pool, x: tensor(randomArray(2 * 25, 3), [2, 5, 5, 1]) },
  ];
}

/**
 * A keelnet MLP trained a few Adam steps, with a batch for the next step. `frozen` puts a frozen
 * Dense and a BatchNormalization in it: the optimizer then skips the frozen weights and the moving
 * statistics (as Keras's model.trainable_variables does), and a training step updates the statistics.
 */
function adamTrained(frozen = false): { model: Sequential; x: Tensor; y: Tensor; next: { x: Tensor; y: Tensor } } {
  setSeed(3);
  const model = new Sequential([
    layers.dense({ units: 6, activation: 'tanh', inputShape: [4] }),
    ...(frozen ? [layers.dense({ units: 5, trainable: false }), layers.batchNormalization({ momentum: 0.9 })] : []),
    layers.dense({ units: 3, activation: 'softmax' }),
  ], { name: frozen ? 'keelnet_adam_frozen' : 'keelnet_adam' });
  model.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const y = tensor(Array.from({ length: 12 }, (_, i) => i % 3), [12], 'int32');
  const x = tensor(randomArray(12 * 4, 5), [12, 4]);
  for (let s = 0; s < 3; s++) model.trainOnBatch(x, y);
  return { model, x, y, next: { x: tensor(randomArray(6 * 4, 6), [6, 4]), y: tensor([2, 0, 1, 1, 0, 2], [6], 'int32') } };
}

const out = process.env.KEELNET_KERAS_OUT;
const tensorJSON = (t: Tensor) => ({ shape: [...t.shape], values: Array.from(t.values) });

describe.each(['keras', 'h5'])('keelnet-saved .%s files', (ext) => {
  it('load back in keelnet with the same config, weights and predictions', async () => {
    if (out) await mkdir(out, { recursive: true });
    const fromKeras = await Promise.all(SEQUENTIAL.map(async (name) => ({
      name: `resaved_${name}`, model: await loadKeras(fixture(`${name}.keras`)), x: asTensor((await readJSON<Expected>(fixture(`${name}.json`))).inputs[0]),
    })));
    for (const { name, model, x } of [...keelnetModels(), ...fromKeras]) {
      const path = join(dir, `${name}.${ext}`);
      const { bytes } = await saveKeras(model, path);
      expect(bytes).toBeGreaterThan(1000);
      const back = await loadKeras(path);
      expect(back.toJSON()).toEqual(model.toJSON());
      expect(back.compileConfig).toEqual(model.compileConfig);
      back.getWeights().forEach((w, i) => expect(w.values).toEqual(model.getWeights()[i].values));
      const y = model.predict(x) as Tensor;
      expect((back.predict(x) as Tensor).values).toEqual(y.values);
      if (out) {
        await writeFile(join(out, `${name}.${ext}`), await readFile(path));
        await writeFile(join(out, `${name}.json`), JSON.stringify({ inputs: [tensorJSON(x)], outputs: [tensorJSON(y)] }));
      }
      model.dispose();
      back.dispose();
    }
  });

  it.each([false, true])('carry the Adam state (frozen layer and BatchNormalization: %s): the next step after loading equals the next step without saving', async (frozen) => {
    const { model, next } = adamTrained(frozen);
    const name = model.name;
    const path = join(dir, `${name}.${ext}`);
    await saveKeras(model, path);
    const back = await loadKeras(path);
    expect(back.optimizer?.iterations).toBe(3);
    expect(back.compileConfig).toEqual(model.compileConfig);
    expect(back.layers.map((l) => l.trainable)).toEqual(model.layers.map((l) => l.trainable));
    if (out) await writeFile(join(out, `${name}.${ext}`), await readFile(path));
    const a = model.trainOnBatch(next.x, next.y), b = back.trainOnBatch(next.x, next.y);
    expect(b).toEqual(a);
    back.getWeights().forEach((w, i) => expect(w.values).toEqual(model.getWeights()[i].values));
    if (out) {
      await writeFile(join(out, `${name}_step.json`), JSON.stringify({
        x: tensorJSON(next.x), y: Array.from(next.y.values), loss: a.loss, iterations_before: 3, iterations_after: 4,
        weights_after: model.getWeights().map(tensorJSON),
      }));
    }
    model.dispose();
    back.dispose();
  });
});

describe('keelnet-saved files', () => {
  it("hold the layout Keras 3's saving_lib writes", async () => {
    const { model } = adamTrained();
    const members = unzipSync(await kerasArchive(model));
    expect(Object.keys(members)).toEqual(['metadata.json', 'config.json', 'model.weights.h5']);
    const metadata = JSON.parse(new TextDecoder().decode(members['metadata.json']));
    expect(metadata.keras_version).toBe('3.15.1');
    expect(metadata.date_saved).toMatch(/^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$/);
    const config = JSON.parse(new TextDecoder().decode(members['config.json']));
    expect(config).toMatchObject({ module: 'keras', class_name: 'Sequential', registered_name: null, build_config: { input_shape: [null, 4] } });
    expect(config.config.layers[0]).toMatchObject({ class_name: 'InputLayer', config: { batch_shape: [null, 4] } });
    expect(config.config.layers[1]).toMatchObject({
      module: 'keras.layers', class_name: 'Dense', registered_name: null, build_config: { input_shape: [null, 4] },
      config: { units: 6, activation: 'tanh', dtype: { class_name: 'DTypePolicy', config: { name: 'float32' } }, kernel_initializer: { module: 'keras.initializers' } },
    });
    expect(config.compile_config).toMatchObject({
      optimizer: { module: 'keras.optimizers', class_name: 'Adam', config: { learning_rate: 0.02, beta_1: 0.9, use_ema: false } },
      loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'],
    });
    const tree = await readHdf5(members['model.weights.h5'], 'model.weights.h5');
    const shapeAt = (p: string) => { const n = h5Get(tree, p); return n?.kind === 'dataset' ? n.shape : undefined; };
    expect(shapeAt('layers/dense/vars/0')).toEqual([4, 6]);
    expect(shapeAt('layers/dense_1/vars/1')).toEqual([3]);
    expect(h5Get(tree, 'layers/dense_1/vars')?.attrs.name).toBe(model.layers[1].name);
    // iteration, learning_rate, then momentum and velocity per weight, interleaved.
    expect([0, 1, 2, 3, 9].map((i) => shapeAt(`optimizer/vars/${i}`))).toEqual([[], [], [4, 6], [4, 6], [3]]);
    expect(h5Get(tree, 'optimizer/vars/10')).toBeUndefined();
    model.dispose();
  });

  it("hold the legacy .h5 layout Keras's legacy_h5_format writes", async () => {
    const { model } = adamTrained();
    const tree = await readHdf5(await kerasH5(model), 'legacy.h5');
    expect(JSON.parse(tree.attrs.model_config as string)).toMatchObject({ class_name: 'Sequential', config: { name: 'keelnet_adam', layers: [{ class_name: 'InputLayer' }, { class_name: 'Dense' }, { class_name: 'Dense' }] } });
    expect(JSON.parse(tree.attrs.training_config as string)).toMatchObject({ loss: 'sparse_categorical_crossentropy', optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.02 } } });
    expect(tree.attrs.training_config).toContain('"amsgrad": false');
    expect(tree.attrs.keras_version).toBe('3.15.1');
    const [first, second] = model.layers.map((l) => l.name);
    expect(h5Get(tree, 'model_weights')?.attrs.layer_names).toEqual([first, second]);
    expect(h5Get(tree, `model_weights/${first}`)?.attrs.weight_names).toEqual([`keelnet_adam/${first}/kernel`, `keelnet_adam/${first}/bias`]);
    const kernel = h5Get(tree, `model_weights/${first}/keelnet_adam/${first}/kernel`);
    expect(kernel?.kind === 'dataset' && kernel.shape).toEqual([4, 6]);
    const names = h5Get(tree, 'optimizer_weights')?.attrs.weight_names as string[];
    expect(names.slice(0, 4)).toEqual(['adam/iteration', 'adam/learning_rate', `adam/keelnet_adam_${first}_kernel_momentum`, `adam/keelnet_adam_${first}_kernel_velocity`]);
    expect(names).toHaveLength(10);
    model.dispose();
  });

  it('read legacy name lists split over name0, name1, … (as Keras splits lists over 64 KB)', async () => {
    const { model } = adamTrained();
    const tree = await readHdf5(await kerasH5(model, { includeOptimizer: false }), 'legacy.h5');
    const [first, second] = model.layers.map((l) => l.name);
    const weights = model.getWeights();
    const group = (layer: string, k: number) => ({
      attrs: { weight_names0: [`m/${layer}/kernel`], weight_names1: [`m/${layer}/bias`] },
      datasets: [{ name: 'kernel', shape: [...weights[k].shape], values: weights[k].values as Float32Array }, { name: 'bias', shape: [...weights[k + 1].shape], values: weights[k + 1].values as Float32Array }],
    });
    const path = join(dir, 'chunked.h5');
    await writeFile(path, await writeHdf5([
      ['model_weights', { attrs: { layer_names0: [first], layer_names1: [second] } }],
      [`model_weights/${first}`, { attrs: group(first, 0).attrs }], [`model_weights/${first}/m/${first}`, { datasets: group(first, 0).datasets }],
      [`model_weights/${second}`, { attrs: group(second, 2).attrs }], [`model_weights/${second}/m/${second}`, { datasets: group(second, 2).datasets }],
    ], { model_config: tree.attrs.model_config as string, keras_version: '3.15.1' }));
    const back = await loadKeras(path);
    back.getWeights().forEach((w, i) => expect(w.values).toEqual(weights[i].values));
    for (const m of [model, back]) m.dispose();
  });

  it("write an optimizer's options as Python floats (Keras checks isinstance(momentum, float))", async () => {
    const model = new Sequential([layers.dense({ units: 2, inputShape: [3] })], { name: 'sgd_model' });
    model.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: 'mse' });
    const config = new TextDecoder().decode(unzipSync(await kerasArchive(model))['config.json']);
    expect(config).toContain('"learning_rate": 1.0,');
    expect(config).toContain('"momentum": 0.0, "nesterov": false}');
    expect(config).toContain('"units": 2,');
    model.dispose();
  });

  it('name what Keras has no class for (Residual) instead of writing it', async () => {
    const model = new Sequential([layers.dense({ units: 4, inputShape: [4] }), layers.residual({ layers: [layers.dense({ units: 4 })], name: 'skip' })], { name: 'with_skip' });
    await expect(kerasArchive(model)).rejects.toThrow("with_skip: layer 'skip' (Residual) has no Keras 3 class");
    await expect(saveKeras(model, join(dir, 'm.json'))).rejects.toThrow("saveKeras: '" + join(dir, 'm.json') + "' ends in neither .keras nor .h5");
    model.dispose();
  });
});

// --- corrupt and foreign files ---------------------------------------------------------------------

type Members = Record<string, Uint8Array>;
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytesOf = (s: string) => new TextEncoder().encode(s);
let n = 0;

/** The mlp fixture's members, edited, written as a new .keras file; returns its path. */
async function edited(edit: (m: Members, config: any) => void, fixtureName = 'mlp.keras'): Promise<string> {
  const members = unzipSync(await readFile(fixture(fixtureName)));
  const config = JSON.parse(text(members['config.json']));
  edit(members, config);
  if (members['config.json']) members['config.json'] = bytesOf(JSON.stringify(config));
  const path = join(dir, `case-${n++}.keras`);
  await writeFile(path, zipSync(Object.fromEntries(Object.entries(members).map(([k, v]) => [k, [v, { level: 0 }]]))));
  return path;
}

/** Overwrite float `index` of the dataset whose float32 bytes start with `values` (found in the raw HDF5 bytes). */
function poke(h5: Uint8Array, values: Float32Array, index: number, value: number): void {
  const needle = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const at = h5.findIndex((_, i) => needle.every((b, k) => h5[i + k] === b));
  expect(at, 'dataset bytes found').toBeGreaterThanOrEqual(0);
  new DataView(h5.buffer, h5.byteOffset).setFloat32(at + 4 * index, value, true);
}

describe('corrupt or foreign Keras files', () => {
  afterEach(() => { vi.restoreAllMocks(); });

  it('a truncated archive names the file', async () => {
    const bytes = await readFile(fixture('mlp.keras'));
    const path = join(dir, 'truncated.keras');
    await writeFile(path, bytes.subarray(0, bytes.byteLength - 300));
    await expect(loadKeras(path)).rejects.toThrow(`${path}: not a readable .keras archive (`);
  });

  it('an archive without config.json or model.weights.h5 names what is missing', async () => {
    const noConfig = await edited((m) => { delete m['config.json']; });
    await expect(loadKeras(noConfig)).rejects.toThrow(`${noConfig}: the archive has no config.json (it holds metadata.json, model.weights.h5)`);
    const npz = await edited((m) => { m['model.weights.npz'] = m['model.weights.h5']; delete m['model.weights.h5']; });
    await expect(loadKeras(npz)).rejects.toThrow(`${npz}: the archive has no model.weights.h5 (its weights are in model.weights.npz, which keelnet does not read`);
    const notJson = await edited((m) => { m['metadata.json'] = bytesOf('{oops'); });
    await expect(loadKeras(notJson)).rejects.toThrow(`${notJson}: metadata.json: not valid JSON`);
  });

  it('a truncated HDF5 file names the file (and the member of an archive)', async () => {
    const path = await edited((m) => { m['model.weights.h5'] = m['model.weights.h5'].slice(0, 3000); });
    await expect(loadKeras(path)).rejects.toThrow(`${path}: model.weights.h5: HDF5 cannot open it (truncated file: eof = 3000, sblock->base_addr = 0, stored_eof = `);
    const h5 = await readFile(fixture('mlp.h5'));
    const legacy = join(dir, 'truncated.h5');
    await writeFile(legacy, h5.subarray(0, h5.byteLength - 100));
    await expect(loadKeras(legacy)).rejects.toThrow(`${legacy}: HDF5 cannot open it (truncated file: eof = ${h5.byteLength - 100}, sblock->base_addr = 0, stored_eof = ${h5.byteLength}); the file is damaged or truncated`);
  });

  it('a weight of the wrong shape names the file, the layer, the weight, its HDF5 path and both shapes', async () => {
    const path = await edited((_, c) => { c.config.layers[2].config.units = 4; });
    await expect(loadKeras(path)).rejects.toThrow(`${path}: weight 'kernel' of layer 'dense_1' (Dense) at layers/dense_1/vars/0 has shape [8, 5] in the file; the layer needs [8, 4]`);
  });

  it('a missing or extra variable names the layer and the group', async () => {
    const path = await edited((_, c) => { c.config.layers[1].config.use_bias = false; });
    await expect(loadKeras(path)).rejects.toThrow(`${path}: layer 'dense' (Dense) has 1 weights (kernel); the file holds 2 at layers/dense/vars`);
    const renamed = await edited((_, c) => { c.config.layers[3].class_name = 'Activation'; c.config.layers[3].config = { name: 'dense_2', activation: 'softmax' }; });
    await expect(loadKeras(renamed)).rejects.toThrow(`${renamed}: model.weights.h5 has variables no layer of the model owns: layers/dense_2/vars`);
  });

  it('a NaN weight names the file, the layer, the weight and the index, and nothing is assigned', async () => {
    const keras = await loadKeras(fixture('mlp.keras'));
    const lastBias = keras.getWeights()[5].values as Float32Array;
    keras.dispose();
    const path = await edited((m) => { poke(m['model.weights.h5'], lastBias, 2, NaN); });
    const setWeights = vi.spyOn(Sequential.prototype, 'setWeights');
    const dispose = vi.spyOn(Sequential.prototype, 'dispose');
    await expect(loadKeras(path)).rejects.toThrow(`${path}: weight 'bias' of layer 'dense_2' (Dense) at layers/dense_2/vars/1 has a non-finite value NaN at index 2`);
    expect(setWeights).not.toHaveBeenCalled();
    expect(dispose).toHaveBeenCalledTimes(1);
  });

  it('an optimizer state that does not fit is an error before any weight is assigned', async () => {
    const path = await edited((_, c) => { c.compile_config.optimizer.config.amsgrad = true; }, 'mlp_adam.keras');
    const setWeights = vi.spyOn(Sequential.prototype, 'setWeights');
    await expect(loadKeras(path)).rejects.toThrow(`${path}: optimizer Adam: the file has 10 optimizer variables; the model's 4 trainable weights need 14 (iteration, learning_rate, momentum/velocity per weight, velocity_hat per weight)`);
    expect(setWeights).not.toHaveBeenCalled();
    const loaded = await loadKeras(path, { compile: false });
    expect(loaded.optimizer).toBeUndefined();
    loaded.dispose();
  });

  it('an unknown or custom layer class names the layer and the class', async () => {
    const unknown = await edited((_, c) => { c.config.layers[2].class_name = 'EinsumDense'; });
    const err = await loadKeras(unknown).then(() => new Error('loaded'), (e: Error) => e);
    expect(err.message).toContain(`${unknown}: layer 2 'dense_1' (EinsumDense): keelnet cannot load layer class 'EinsumDense'; supported classes: Dense, `);
    const custom = await edited((_, c) => { Object.assign(c.config.layers[2], { class_name: 'MyDense', module: 'my_project.layers', registered_name: 'Custom>MyDense' }); });
    await expect(loadKeras(custom)).rejects.toThrow(`${custom}: layer 2 'dense_1' (MyDense): 'Custom>MyDense' is a custom class registered in Python; keelnet has only Keras's built-in classes`);
  });

  it('options keelnet would not honour are refused by layer and option', async () => {
    const cases: Array<[string, (c: any) => void, string]> = [
      ['bn.keras', (c) => { c.config.layers[2].config.renorm = true; }, "layer 2 'batch_normalization' (BatchNormalization): renorm = true is not supported by keelnet (only false)"],
      ['lstm.keras', (c) => { c.config.layers[1].config.stateful = true; }, "layer 1 'lstm' (LSTM): stateful = true is not supported by keelnet (only false)"],
      ['mlp.keras', (c) => { c.config.layers[1].config.dtype.config.name = 'mixed_float16'; }, 'dtype "mixed_float16" is not supported; keelnet computes in float32'],
      ['mlp.keras', (c) => { c.config.layers[0].config.batch_shape = [null, null]; }, "layer 0 'input_layer' (InputLayer): input shape [null, null] has unknown sizes"],
      ['mlp.keras', (c) => { c.compile_config.optimizer.config.use_ema = true; }, 'compile_config: optimizer Adam option use_ema = true is not supported by keelnet (only false)'],
      ['mlp.keras', (c) => { c.compile_config.loss = { module: 'keras.losses', class_name: 'SparseCategoricalCrossentropy', config: { ignore_class: 0 } }; },
        'compile_config: loss: SparseCategoricalCrossentropy option ignore_class = 0 is not supported (only null)'],
      ['mlp.keras', (c) => { c.compile_config.metrics = ['accuracy', 'f1_score']; }, "compile_config: metrics: Unknown metric 'f1_score'"],
      // auc is known, but needs one target per output unit; mlp.keras trains on class ids.
      ['mlp.keras', (c) => { c.compile_config.metrics = ['accuracy', 'auc']; }, "compile_config: metrics: metric 'auc': the loss sparseCategoricalCrossentropy takes class ids"],
      ['mlp.keras', (c) => { c.compile_config.metrics = [{ class_name: 'AUC', config: { name: 'auc', curve: 'PR' } }]; }, 'metric AUC: curve = "PR" is not supported'],
      ['mlp.keras', (c) => { c.compile_config.loss_weights = [0.5]; }, 'compile_config: loss_weights = [0.5] is not supported by keelnet (load with { compile: false } to skip compiling)'],
    ];
    for (const [name, edit, message] of cases) {
      const path = await edited((_, c) => edit(c), name);
      await expect(loadKeras(path), message).rejects.toThrow(message);
    }
  });

  it("hard_sigmoid is read as Keras 3's only from files Keras 3 wrote", async () => {
    const keras3 = await edited((_, c) => { c.config.layers[1].config.activation = 'hard_sigmoid'; });
    (await loadKeras(keras3)).dispose();
    const keras2 = await edited((m, c) => {
      c.config.layers[1].config.activation = 'hard_sigmoid';
      m['metadata.json'] = bytesOf(JSON.stringify({ keras_version: '2.15.0', date_saved: '2024-01-01@00:00:00' }));
    });
    await expect(loadKeras(keras2)).rejects.toThrow("hard_sigmoid' is clip(0.2·x + 0.5, 0, 1) in TF.js and Keras 2");
  });

  it('files that are not Keras models name the file and what they are', async () => {
    const weightsOnly = join(dir, 'weights-only.h5');
    await writeFile(weightsOnly, await writeHdf5([['layers/dense/vars', { datasets: [{ name: '0', shape: [2], values: Float32Array.of(1, 2) }] }]]));
    await expect(loadKeras(weightsOnly)).rejects.toThrow(`${weightsOnly}: the HDF5 file has no model_config attribute: it holds weights only (save_weights)`);
    await expect(loadKeras(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), { name: 'upload.keras' })).rejects.toThrow('upload.keras: neither a .keras archive (zip) nor a Keras .h5 file (HDF5); 9 bytes starting 01 02 03');
    const missing = join(dir, 'missing.keras');
    await expect(loadKeras(missing)).rejects.toThrow(`${missing}: cannot be read (`);
  });
});
