/**
 * Functional models in Keras's own files: the Keras 3.15.1 two-input model with an Add skip
 * (test/fixtures/keras/functional.*) and a graph with a nested Functional and a nested Sequential,
 * a shared layer, Concatenate and Subtract (nested.*) load and predict within 1e-5 of Keras; keelnet graphs (two
 * inputs, a skip through add, a shared layer, concatenate, a nested model) are written as .keras
 * and .h5 in Keras's layout and load back identically. Keras loading keelnet's graphs is checked
 * by test/fixtures/keras/check_keelnet_files.py over the files written when KEELNET_KERAS_OUT is set:
 *   KEELNET_KERAS_OUT=/tmp/keelnet-keras npx vitest run test/io/keras-functional.test.ts
 *   KERAS_BACKEND=jax /work/keras-venv/bin/python test/fixtures/keras/check_keelnet_files.py /tmp/keelnet-keras
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { input, layers, model as functional, optimizers, ready, Sequential, setSeed, tensor, type LayersModel, type Tensor } from '../../bindings/index.js';
import { kerasArchive, loadKeras, saveKeras } from '../../bindings/io/keras/index.js';
import { h5Get, readHdf5 } from '../../bindings/io/keras/hdf5.js';
import { expectClose, randomArray } from '../helpers/close.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/keras');
const fixture = (name: string) => join(FIXTURES, name);

interface TensorJSON { shape: number[]; values: number[] }
interface Expected { keras_version: string; inputs: TensorJSON[]; outputs: TensorJSON[] }
const readJSON = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;
const asTensor = (t: TensorJSON) => tensor(t.values, t.shape);
const tensorJSON = (t: Tensor) => ({ shape: [...t.shape], values: Array.from(t.values) });

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

let dir: string;
beforeAll(async () => {
  await ready();
  dir = await mkdtemp(join(tmpdir(), 'keelnet-keras-functional-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** Keras's model.layers order of each fixture (what names the groups of model.weights.h5). */
const KERAS_LAYERS: Record<string, string[]> = {
  functional: ['b:InputLayer', 'a:InputLayer', 'from_b:Dense', 'skip:Add', 'mix:Dense', 'head:Dense'],
  nested: ['x1:InputLayer', 'encoder:Model', 'shared:Dense', 'x2:InputLayer', 'joined:Concatenate', 'block:Sequential', 'diff:Subtract', 'both:Concatenate', 'head:Dense'],
};

describe.each(['keras', 'h5'])('Keras 3 functional fixtures (.%s)', (ext) => {
  // functional: two inputs, an Add skip. nested: a nested Functional and a nested Sequential (with
  // BatchNormalization), a layer applied twice, Concatenate, Subtract.
  it.each(['functional', 'nested'])('%s loads as a graph and predicts within 1e-5 of Keras', async (name) => {
    const expected = await readJSON<Expected>(fixture(`${name}.json`));
    expect(expected.keras_version).toBe('3.15.1');
    const m = await loadKeras(fixture(`${name}.${ext}`));
    expect(m.layers.map((l) => `${l.name}:${l.className}`)).toEqual(KERAS_LAYERS[name]);
    const y = m.predict(expected.inputs.map(asTensor)) as Tensor;
    expect(y.shape).toEqual(expected.outputs[0].shape);
    expectClose(y.values, expected.outputs[0].values, { atol: 1e-5, rtol: 0 });
    // Measured: 1.2e-7 (functional), 2.4e-7 (nested), the same from .keras and .h5.
    expect(maxDiff(y.values, expected.outputs[0].values)).toBeLessThan(1e-6);
    expect(m.compileConfig?.optimizer.className).toBe('Adam');
    expect((m.compileConfig?.loss as { name: string }).name).toBe('meanSquaredError');
    m.dispose();
  });
});

describe.each(['keras', 'h5'])('training resumes from a Keras 3 graph (.%s)', (ext) => {
  it("graph_adam (a nested model, a shared layer): Keras's Adam state loads and the next step matches Keras's within 1e-5", async () => {
    const step = await readJSON<{ x: TensorJSON[]; y: TensorJSON; loss: number; iterations_before: number; iterations_after: number; weights_after: TensorJSON[] }>(fixture('graph_adam_step.json'));
    const m = await loadKeras(fixture(`graph_adam.${ext}`));
    expect(m.optimizer?.iterations).toBe(step.iterations_before);
    const logs = m.trainOnBatch(step.x.map(asTensor), asTensor(step.y));
    expect(logs.loss).toBeCloseTo(step.loss, 5);
    expect(m.optimizer?.iterations).toBe(step.iterations_after);
    const after = m.getWeights();
    after.forEach((w, i) => expectClose(w.values, step.weights_after[i].values, { atol: 1e-5, rtol: 0 }));
    const diff = Math.max(...after.map((w, i) => maxDiff(w.values, step.weights_after[i].values)));
    // Measured: 1.2e-7 (.keras and .h5).
    expect(diff).toBeLessThan(1e-6);
    m.dispose();
  });
});

/**
 * A keelnet graph with what Keras files must carry: two inputs, a skip connection through add, a
 * layer applied twice (one set of weights), concatenate, and (nested) a model used as a layer.
 */
function keelnetGraph(nested: 'functional' | 'functional_twice' | 'sequential' | undefined): { model: LayersModel; x: Tensor[] } {
  setSeed(17);
  const a = input({ shape: [4], name: 'a' });
  const b = input({ shape: [3], name: 'b' });
  const shared = layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
  const fromB = layers.dense({ units: 4, name: 'from_b' }).apply(b);
  const skip = layers.add({ name: 'skip' }).apply([a, fromB]);
  const s1 = shared.apply(skip);
  const s2 = shared.apply(a);
  let joined = layers.concatenate({ axis: -1, name: 'joined' }).apply([s1, s2, fromB]);
  if (nested === 'functional' || nested === 'functional_twice') {
    // BatchNormalization before the Dense: a bias just before it in training mode has a gradient
    // of exactly zero, which Adam turns into steps of rounding noise (Keras and keelnet 3.5e-4 apart).
    const ein = input({ shape: [12], name: 'enc_in' });
    const h = layers.batchNormalization({ name: 'enc_bn' }).apply(ein);
    const encoder = functional({ inputs: ein, outputs: layers.dense({ units: 6, activation: 'relu', name: 'enc_dense' }).apply(h), name: 'encoder' });
    // Twice: one encoder's weights for two inputs (Keras numbers the nested model's calls 0 and 1).
    joined = nested === 'functional' ? encoder.apply(joined)
      : layers.add({ name: 'both' }).apply([encoder.apply(joined), encoder.apply(layers.concatenate({ name: 'swapped' }).apply([s2, s1, fromB]))]);
  } else if (nested === 'sequential') {
    const block = new Sequential([layers.batchNormalization({ inputShape: [12] }), layers.dense({ units: 6, activation: 'relu' })], { name: 'block' });
    joined = block.apply(joined);
  }
  const out = layers.dense({ units: 2, name: 'head' }).apply(joined);
  const model = functional({ inputs: [a, b], outputs: out, name: nested ? `keelnet_nested_${nested}` : 'keelnet_graph' });
  // Weights away from their initial values (biases, normalization statistics), so any mix-up shows.
  model.setWeights(model.getWeights().map((w, i) => tensor(w.values.map((v, k) => (w.shape.length === 1 ? 0.5 + 0.4 * Math.sin(k + i) : v)), [...w.shape])));
  return { model, x: [tensor(randomArray(5 * 4, 1), [5, 4]), tensor(randomArray(5 * 3, 2), [5, 3])] };
}

const out = process.env.KEELNET_KERAS_OUT;

describe.each(['keras', 'h5'])('keelnet-saved functional .%s files', (ext) => {
  it.each([undefined, 'functional', 'functional_twice', 'sequential'] as const)('load back in keelnet with the same graph, weights and predictions (nested: %s)', async (nested) => {
    const { model, x } = keelnetGraph(nested);
    model.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
    const y0 = tensor(randomArray(5 * 2, 3), [5, 2]);
    model.trainOnBatch(x, y0);
    const path = join(dir, `${model.name}.${ext}`);
    await saveKeras(model, path);
    const back = await loadKeras(path);
    expect(back.toJSON()).toEqual(model.toJSON());
    expect(back.compileConfig).toEqual(model.compileConfig);
    expect(back.optimizer?.iterations).toBe(1);
    back.getWeights().forEach((w, i) => expect(w.values).toEqual(model.getWeights()[i].values));
    const y = model.predict(x) as Tensor;
    expect((back.predict(x) as Tensor).values).toEqual(y.values);
    // The Adam moments travel: the next step is the same step.
    expect(back.trainOnBatch(x, y0)).toEqual(model.trainOnBatch(x, y0));
    back.getWeights().forEach((w, i) => expect(w.values).toEqual(model.getWeights()[i].values));
    if (out) {
      await mkdir(out, { recursive: true });
      await saveKeras(model, join(out, `${model.name}.${ext}`));
      await writeFile(join(out, `${model.name}.json`), JSON.stringify({ inputs: x.map(tensorJSON), outputs: [tensorJSON(model.predict(x) as Tensor)] }));
      // For Keras to resume from: the Adam state after 2 steps, and the weights after keelnet's third.
      const adamPath = join(out, `${model.name}_adam.${ext}`);
      await saveKeras(model, adamPath);
      const resumed = await loadKeras(adamPath);
      const logs = resumed.trainOnBatch(x, y0);
      await writeFile(join(out, `${model.name}_adam_step.json`), JSON.stringify({
        x: x.map(tensorJSON), y: tensorJSON(y0), loss: logs.loss, iterations_before: 2, iterations_after: 3,
        weights_after: resumed.getWeights().map(tensorJSON),
      }));
      resumed.dispose();
    }
    model.dispose();
    back.dispose();
  });
});

describe.each(['keras', 'h5'])('a keelnet graph with two outputs (.%s)', (ext) => {
  it('keeps a loss, a loss weight and metrics per output, and the next step after loading is the same step', async () => {
    setSeed(23);
    const x = input({ shape: [4], name: 'x' });
    const h = layers.dense({ units: 5, activation: 'relu', name: 'trunk' }).apply(x);
    const score = layers.dense({ units: 1, name: 'score' }).apply(h);
    const label = layers.dense({ units: 3, activation: 'softmax', name: 'label' }).apply(layers.concatenate({ name: 'with_x' }).apply([h, x]));
    const m = functional({ inputs: x, outputs: [score, label], name: 'keelnet_two_outputs' });
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: ['meanSquaredError', 'sparseCategoricalCrossentropy'], lossWeights: [1, 0.5], metrics: [[], ['accuracy']] });
    const xs = tensor(randomArray(6 * 4, 4), [6, 4]);
    const ys = [tensor(randomArray(6, 5), [6, 1]), tensor([0, 1, 2, 2, 1, 0], [6], 'int32')];
    m.trainOnBatch(xs, ys);
    const path = join(dir, `${m.name}.${ext}`);
    await saveKeras(m, path);
    const back = await loadKeras(path);
    expect(back.compileConfig).toEqual(m.compileConfig);
    expect(back.compileConfig?.lossWeights).toEqual([1, 0.5]);
    expect(back.outputNames).toEqual(['score', 'label']);
    expect(back.trainOnBatch(xs, ys)).toEqual(m.trainOnBatch(xs, ys));
    back.getWeights().forEach((w, i) => expect(w.values).toEqual(m.getWeights()[i].values));
    if (out) {
      await mkdir(out, { recursive: true });
      await saveKeras(m, join(out, `${m.name}.${ext}`));
      await writeFile(join(out, `${m.name}.json`), JSON.stringify({ inputs: [tensorJSON(xs)], outputs: (m.predict(xs) as Tensor[]).map(tensorJSON) }));
    }
    m.dispose();
    back.dispose();
  });
});

describe("keelnet-saved functional files hold Keras 3's layout", () => {
  it('config.json: Functional, InputLayers in the layer list, inbound nodes of Keras tensors, a merge layer with one list of args', async () => {
    const { model } = keelnetGraph(undefined);
    const members = unzipSync(await kerasArchive(model));
    const config = JSON.parse(new TextDecoder().decode(members['config.json']));
    expect(config).toMatchObject({ module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional' });
    expect(config.config.input_layers).toEqual([['a', 0, 0], ['b', 0, 0]]);
    expect(config.config.output_layers).toEqual(['head', 0, 0]);
    const byName = Object.fromEntries(config.config.layers.map((l: { name: string }) => [l.name, l]));
    expect(byName.a).toMatchObject({ class_name: 'InputLayer', inbound_nodes: [], config: { batch_shape: [null, 4], name: 'a' } });
    const history = (t: { config: { keras_history: unknown } }) => t.config.keras_history;
    expect(byName.skip.inbound_nodes.map((n: { args: unknown[][] }) => n.args[0].map((t) => history(t as never)))).toEqual([[['a', 0, 0], ['from_b', 0, 0]]]);
    expect(byName.shared.inbound_nodes.map((n: { args: unknown[] }) => history(n.args[0] as never))).toEqual([['skip', 0, 0], ['a', 0, 0]]);
    expect(byName.joined.inbound_nodes[0].args[0].map(history)).toEqual([['shared', 0, 0], ['shared', 1, 0], ['from_b', 0, 0]]);
    expect(byName.joined).toMatchObject({ class_name: 'Concatenate', config: { axis: -1 }, build_config: { input_shape: [[null, 4], [null, 4], [null, 4]] } });
    model.dispose();
  });

  it('model.weights.h5: every layer by class with a counter, InputLayers included; a nested model as its own group', async () => {
    const { model } = keelnetGraph('functional');
    const members = unzipSync(await kerasArchive(model));
    const tree = await readHdf5(members['model.weights.h5'], 'model.weights.h5');
    const layersGroup = h5Get(tree, 'layers');
    expect(layersGroup?.kind === 'group' && [...layersGroup.children.keys()].sort()).toEqual(
      ['add', 'concatenate', 'dense', 'dense_1', 'dense_2', 'functional', 'input_layer', 'input_layer_1'].sort());
    expect(h5Get(tree, 'layers/functional/vars')?.attrs.name).toBe('encoder');
    const nested = h5Get(tree, 'layers/functional/layers');
    expect(nested?.kind === 'group' && [...nested.children.keys()].sort()).toEqual(['batch_normalization', 'dense', 'input_layer']);
    expect(h5Get(tree, 'layers/functional/layers/batch_normalization/vars/3')?.kind).toBe('dataset');
    model.dispose();
  });

  it('Residual (keelnet only) is refused by name when saving to Keras', async () => {
    const x = input({ shape: [3] });
    const r = layers.residual({ layers: [layers.dense({ units: 3 })], name: 'res' });
    const m = functional({ inputs: x, outputs: layers.dense({ units: 1 }).apply(r.apply(x)), name: 'with_residual' });
    await expect(kerasArchive(m)).rejects.toThrow("with_residual: layer 'res' (Residual) has no Keras 3 class");
    m.dispose();
  });
});

describe('corrupt functional files', () => {
  let n = 0;
  /** nested.keras with its config edited, written as a new file; returns its path. */
  async function edited(edit: (config: any) => void): Promise<string> {
    const members = unzipSync(await readFile(fixture('nested.keras')));
    const config = JSON.parse(new TextDecoder().decode(members['config.json']));
    edit(config);
    members['config.json'] = new TextEncoder().encode(JSON.stringify(config));
    const path = join(dir, `corrupt-${n++}.keras`);
    await writeFile(path, zipSync(Object.fromEntries(Object.entries(members).map(([k, v]) => [k, [v, { level: 0 }]]))));
    return path;
  }
  const layer = (c: any, name: string) => c.config.layers.find((l: { name?: string; config: { name: string } }) => (l.name ?? l.config.name) === name);

  it('a weight of the wrong shape, or a missing one, in a nested model names the file, the layer and its path in model.weights.h5', async () => {
    const path = await edited((c) => { layer(layer(c, 'block'), 'dense_10').config.units = 4; });
    // The nested block's Dense 3 → 4 changes its output, so the file's BatchNormalization no longer fits either; the Dense is met first.
    await expect(loadKeras(path)).rejects.toThrow(`${path}: weight 'kernel' of layer 'dense_10' (Dense) at layers/sequential/layers/dense/vars/0 has shape [8, 3] in the file; the layer needs [8, 4]`);
    const noBias = await edited((c) => { layer(layer(c, 'encoder'), 'enc_dense').config.use_bias = false; });
    await expect(loadKeras(noBias)).rejects.toThrow(`${noBias}: layer 'enc_dense' (Dense) has 1 weights (kernel); the file holds 2 at layers/functional/layers/dense/vars`);
  });

  it('an unknown class in a nested model names the file, the models and the layer', async () => {
    const path = await edited((c) => { layer(layer(c, 'encoder'), 'enc_bn').class_name = 'UnitNormalization'; });
    await expect(loadKeras(path)).rejects.toThrow(`${path}: nested model 'encoder': layer 'enc_bn' (UnitNormalization): keelnet cannot load layer class 'UnitNormalization'; supported classes: Dense,`);
  });

  it('an inbound node from a layer the model does not have names the layer', async () => {
    const path = await edited((c) => { layer(c, 'head').inbound_nodes[0].args[0].config.keras_history = ['nowhere', 0, 0]; });
    await expect(loadKeras(path)).rejects.toThrow(`${path}: modelFromJSON(nested): the inputs of layer 'head' are never computed (unknown layer names or a cycle in inbound_nodes)`);
  });

  it("a layer list in another order than keelnet's is refused, not read into the wrong layers", async () => {
    // Swapping two Concatenates in the list would swap their groups (concatenate, concatenate_1) in Keras's reading.
    const path = await edited((c) => {
      const list = c.config.layers;
      const i = list.findIndex((l: { name: string }) => l.name === 'joined'), k = list.findIndex((l: { name: string }) => l.name === 'both');
      [list[i], list[k]] = [list[k], list[i]];
    });
    await expect(loadKeras(path)).rejects.toThrow(`${path}: the layers of model 'nested' come in the order x1, encoder, shared, x2, joined, block, diff, both, head in keelnet `
      + "but x1, encoder, shared, x2, both, block, diff, joined, head in the file; model.weights.h5 is laid out by Keras's order");
  });

  it('a frozen nested model (trainable = false on the model) is refused by name', async () => {
    const path = await edited((c) => { layer(c, 'block').config.trainable = false; });
    await expect(loadKeras(path)).rejects.toThrow(`${path}: nested model 'block': the model is frozen (trainable = false at the model level)`);
  });
});
