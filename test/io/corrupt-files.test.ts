/**
 * Corrupt or foreign files are clear errors that name the file and the layer (or weight), and
 * they never touch a model that already exists.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { Sequential, layers, loadModel, ready, setSeed, tensor } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';

let root: string, good: string, model: Sequential;
let n = 0;
/** A fresh copy of the good model's files, to corrupt. */
let dir: string;

beforeAll(async () => {
  await ready();
  root = await mkdtemp(join(tmpdir(), 'keelnet-corrupt-'));
  good = join(root, 'good');
  setSeed(5);
  model = new Sequential([
    layers.dense({ units: 8, activation: 'relu', inputShape: [4], name: 'hidden' }),
    layers.batchNormalization({ name: 'norm' }),
    layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
  ], { name: 'victim' });
  await model.save(`file://${good}`);
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });
beforeEach(async () => {
  dir = join(root, `case-${n++}`);
  await mkdir(dir);
  await copyFile(join(good, 'model.json'), join(dir, 'model.json'));
  await copyFile(join(good, 'weights.bin'), join(dir, 'weights.bin'));
});

const jsonPath = () => join(dir, 'model.json');
const binPath = () => join(dir, 'weights.bin');
async function editJSON(edit: (j: any) => void): Promise<void> {
  const j = JSON.parse(await readFile(jsonPath(), 'utf8'));
  edit(j);
  await writeFile(jsonPath(), JSON.stringify(j));
}
const load = () => loadModel(`file://${jsonPath()}`);

it('a truncated weights.bin names the file, its size, and the first weight cut off', async () => {
  const bin = await readFile(binPath());
  await writeFile(binPath(), bin.subarray(0, bin.byteLength - 10));
  // 4·8 + 8 + 4·8 + 8·3 + 3 floats = 99 floats = 396 bytes; 386 remain, so out/bias (bytes 384–396) is cut.
  await expect(load()).rejects.toThrow(`${binPath()} holds 386 bytes but the weights manifest needs 396: weight 'out/bias' (shape [3], float32) at bytes 384–396 is cut off`);
});

it('a manifest whose sizes do not match the file is an error either way', async () => {
  await editJSON((j) => { j.weightsManifest[0].weights[1].shape = [9]; });
  await expect(load()).rejects.toThrow(/holds 396 bytes but the weights manifest needs 400: weight 'out\/bias'/);
  await editJSON((j) => { j.weightsManifest[0].weights[1].shape = [7]; });
  await expect(load()).rejects.toThrow(`${jsonPath()}: ${binPath()} holds 396 bytes but the weights manifest describes only 392`);
});

it('a manifest shape that fits the bytes but not the layer names the weight and both shapes', async () => {
  await editJSON((j) => { j.weightsManifest[0].weights[0].shape = [8, 4]; });
  await expect(load()).rejects.toThrow(`${jsonPath()}: weight 'hidden/kernel' of layer 'hidden' has shape [8, 4] in the file; the layer needs [4, 8]`);
});

it('an unsupported layer class names the layer and lists the supported classes', async () => {
  await editJSON((j) => { j.modelTopology.config.layers[1].class_name = 'Conv3D'; });
  const err = await load().then(() => new Error('loaded'), (e: Error) => e);
  expect(err.message).toContain(`${jsonPath()}: layer 1 'norm' (Conv3D): keelnet cannot load layer class 'Conv3D'; supported classes: Dense, `);
  expect(err.message).toMatch(/BatchNormalization.*Conv2D/);
});

it('a NaN weight names the layer, the weight and the index', async () => {
  const bin = await readFile(binPath());
  new DataView(bin.buffer, bin.byteOffset).setFloat32(4 * (32 + 5), NaN, true); // hidden/bias[5]
  await writeFile(binPath(), bin);
  await expect(load()).rejects.toThrow(`${jsonPath()}: weight 'hidden/bias' of layer 'hidden' has a non-finite value NaN at index 5`);
});

it('missing files and bad JSON name the file', async () => {
  await rm(binPath());
  await expect(load()).rejects.toThrow(`${jsonPath()}: weights file ${binPath()} is missing`);
  await rm(jsonPath());
  await expect(load()).rejects.toThrow(`${jsonPath()}: no such file`);
  await writeFile(jsonPath(), '{"modelTopology": {"class_name": "Sequential", ');
  await expect(load()).rejects.toThrow(new RegExp(`^${jsonPath().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`));
  await writeFile(jsonPath(), '{"hello": 1}');
  await expect(load()).rejects.toThrow(`${jsonPath()}: no modelTopology; this is not a TF.js Layers model.json`);
});

it('strict names: a weight the model needs but the manifest lacks, and one no layer owns', async () => {
  await editJSON((j) => { j.weightsManifest[0].weights[0].name = 'hiddn/kernel'; });
  await expect(load()).rejects.toThrow(`${jsonPath()}: layer 'hidden' needs weight 'hidden/kernel' (shape [4, 8]), which the weights manifest does not have; it has: hiddn/kernel, hidden/bias`);
  await editJSON((j) => {
    j.weightsManifest[0].weights[0].name = 'hidden/kernel';
    j.modelTopology.config.layers[2].config.use_bias = false;
  });
  await expect(load()).rejects.toThrow(`${jsonPath()}: the weights manifest has weights that no layer of the model owns: out/bias`);
});

it('arguments keelnet does not implement are refused, not dropped', async () => {
  await editJSON((j) => { j.modelTopology.config.layers[0].config.kernel_constraint = { class_name: 'MaxNorm', config: { max_value: 2 } }; });
  await expect(load()).rejects.toThrow(`${jsonPath()}: layer 0 'hidden' (Dense): kernel_constraint = {"class_name":"MaxNorm","config":{"max_value":2}} is not supported by keelnet (only null)`);
  await editJSON((j) => {
    j.modelTopology.config.layers[0].config.kernel_constraint = null;
    j.modelTopology.config.layers[2].config.lora_rank = 4;
  });
  await expect(load()).rejects.toThrow(/layer 2 'out' \(Dense\): lora_rank = 4 is not supported/);
  await editJSON((j) => {
    delete j.modelTopology.config.layers[2].config.lora_rank;
    j.modelTopology.config.layers[2].config.kernel_sparsity = 0.5;
  });
  await expect(load()).rejects.toThrow(/layer 2 'out' \(Dense\): keelnet's Dense has no argument kernel_sparsity \(= 0.5\)/);
});

it("hard_sigmoid from TF.js is refused (it is 0.2·x + 0.5 there); keelnet's own files keep it", async () => {
  await editJSON((j) => {
    j.modelTopology.config.layers[0].config.activation = 'hard_sigmoid';
    j.generatedBy = 'TensorFlow.js tfjs-layers v4.22.0';
  });
  await expect(load()).rejects.toThrow(/layer 0 'hidden' \(Dense\): activation 'hard_sigmoid' is clip\(0\.2·x \+ 0\.5, 0, 1\) in TF\.js/);
  await editJSON((j) => { j.generatedBy = 'keelnet 0.1.0'; });
  expect((await load()).layers[0].getConfig().activation).toBe('hardSigmoid');
});

it('foreign topologies: a Sequential config labelled Functional, a graph model, a variable input shape', async () => {
  await editJSON((j) => { j.modelTopology.class_name = 'Functional'; });
  await expect(load()).rejects.toThrow(new RegExp(`${jsonPath().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: model '.*': input_layers must be \\[layer name, node index, tensor index\\] entries`));
  await editJSON((j) => { j.modelTopology.class_name = 'Sequential'; j.format = 'graph-model'; });
  await expect(load()).rejects.toThrow(/a TF\.js graph model/);
  await editJSON((j) => { j.format = 'layers-model'; j.modelTopology.config.layers[0].config.batch_input_shape = [null, null]; });
  await expect(load()).rejects.toThrow(`${jsonPath()}: layer 0 'hidden' (Dense): input shape [null] has unknown sizes; keelnet needs a fixed shape per sample`);
});

it('a failed load leaves an existing model untouched', async () => {
  const x = tensor(randomArray(8, 1), [2, 4]);
  const before = model.getWeights().map((w) => Array.from(w.dataSync()));
  const out = Array.from(model.predict(x).dataSync());
  const bin = await readFile(binPath());
  new DataView(bin.buffer, bin.byteOffset).setFloat32(0, Infinity, true);
  await writeFile(binPath(), bin);
  await expect(load()).rejects.toThrow(/non-finite value Infinity at index 0/);
  expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  expect(Array.from(model.predict(x).dataSync())).toEqual(out);
});
