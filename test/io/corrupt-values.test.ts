/**
 * Files whose values were edited into nonsense are refused at load, naming the file, the layer or
 * weight, and the value: a model weight that is not float32, a quantization keelnet cannot
 * decode, an input shape that is not positive integers or cannot fit a wasm32 memory.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Sequential, layers, loadModel, modelFromArtifacts, modelToArtifacts, ready, setSeed, type ModelArtifacts } from '../../bindings/index.js';

let root: string, model: Sequential;

beforeAll(async () => {
  await ready();
  root = await mkdtemp(join(tmpdir(), 'keelnet-values-'));
  setSeed(12);
  model = new Sequential([
    layers.lstm({ units: 4, inputShape: [5, 3], name: 'rnn' }),
    layers.dense({ units: 2, name: 'out' }),
  ], { name: 'edited' });
  await model.save(`file://${root}/good`);
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

/** The saved model.json, edited, under a new folder (the weights.bin copied beside it). */
let n = 0;
async function edited(edit: (j: any) => void): Promise<string> {
  const dir = join(root, `case-${n++}`);
  const j = JSON.parse(await readFile(join(root, 'good', 'model.json'), 'utf8'));
  edit(j);
  await rm(dir, { recursive: true, force: true });
  await model.save(`file://${dir}`);
  await writeFile(join(dir, 'model.json'), JSON.stringify(j));
  return join(dir, 'model.json');
}

/** Fresh in-memory artifacts of the model (a deep copy), edited. */
function artifacts(edit: (a: ModelArtifacts & { modelTopology: any; weightSpecs: any[] }) => void): ModelArtifacts {
  const a = modelToArtifacts(model) as ModelArtifacts & { modelTopology: any; weightSpecs: any[] };
  a.modelTopology = JSON.parse(JSON.stringify(a.modelTopology));
  a.weightSpecs = JSON.parse(JSON.stringify(a.weightSpecs));
  edit(a);
  return a;
}

it("a model weight whose dtype was edited to int32 is refused, naming the weight (before, its bits loaded as integers)", async () => {
  const file = await edited((j) => { j.weightsManifest[0].weights[0].dtype = 'int32'; });
  await expect(loadModel(`file://${file}`)).rejects.toThrow(`${file}: weight 'rnn/kernel' has dtype 'int32'; keelnet model weights are float32 `
    + '(stored as float32, or quantized from float32 to uint8, uint16 or float16)');
  expect(() => modelFromArtifacts(artifacts((a) => { a.weightSpecs[3].dtype = 'int32'; }), 'mem'))
    .toThrow("mem: weight 'out/kernel' has dtype 'int32'; keelnet model weights are float32");
  // Quantized int32 (TF.js rounds those to integers) is not a float weight either.
  expect(() => modelFromArtifacts(artifacts((a) => { a.weightSpecs[3].dtype = 'int32'; a.weightSpecs[3].quantization = { dtype: 'uint16', scale: 1, min: 0 }; }), 'mem'))
    .toThrow("mem: weight 'out/kernel' has dtype 'int32'; keelnet model weights are float32");
});

it('a quantization keelnet cannot decode, or with a non-finite scale, is refused naming the weight', async () => {
  expect(() => modelFromArtifacts(artifacts((a) => { a.weightSpecs[4].quantization = { dtype: 'float32' }; }), 'mem'))
    .toThrow(`mem: weight 'out/bias' has quantization {"dtype":"float32"}; keelnet reads quantization dtypes uint8, uint16 and float16`);
  expect(() => modelFromArtifacts(artifacts((a) => { a.weightSpecs[4].quantization = { dtype: 'uint8', scale: 'big', min: 0 }; }), 'mem'))
    .toThrow(`mem: weight 'out/bias' has quantization scale "big"; expected a finite number`);
  // A bool entry among the model weights: refused by dtype, whatever its bytes.
  expect(() => modelFromArtifacts(artifacts((a) => { a.weightSpecs[4].dtype = 'bool'; }), 'mem'))
    .toThrow("mem: weight 'out/bias' has dtype 'bool'; keelnet model weights are float32");
});

it('an LSTM whose time dimension was edited to 1e308 or 2^31 is refused at load, naming the layer and the shape', async () => {
  for (const [t, shown] of [[1e308, '1e+308'], [2 ** 31, '2147483648']] as const) {
    const file = await edited((j) => { j.modelTopology.config.layers[0].config.batch_input_shape = [null, t, 3]; });
    await expect(loadModel(`file://${file}`)).rejects.toThrow(`${file}: layer 0 'rnn' (LSTM): input shape [${shown}, 3] `
      + `has ${t * 3} floats per sample; one sample must stay under 2^30 floats (4 GiB, the most a wasm32 memory holds)`);
  }
});

it('an input shape with a non-integer or negative size names the layer and the value', async () => {
  const at = (shape: unknown[]) => artifacts((a) => { a.modelTopology.config.layers[0].config.batch_input_shape = shape; });
  expect(() => modelFromArtifacts(at([null, 2.5, 3]), 'mem')).toThrow("mem: layer 0 'rnn' (LSTM): input shape [2.5, 3] must be positive integers; 2.5 is not");
  expect(() => modelFromArtifacts(at([null, 5, -3]), 'mem')).toThrow("mem: layer 0 'rnn' (LSTM): input shape [5, -3] must be positive integers; -3 is not");
  expect(() => modelFromArtifacts(at([null, 5, '3']), 'mem')).toThrow(`mem: layer 0 'rnn' (LSTM): input shape [5, "3"] must be positive integers; "3" is not`);
  // null (Keras's None) is an unknown size, as before.
  expect(() => modelFromArtifacts(at([null, null, 3]), 'mem')).toThrow("mem: layer 0 'rnn' (LSTM): input shape [null, 3] has unknown sizes; keelnet needs a fixed shape per sample");
});

it('a layer whose output per sample cannot fit a wasm32 memory is refused at load, naming it', async () => {
  // Dense(2^31) after the LSTM: its output alone is 8 GiB per sample.
  expect(() => modelFromArtifacts(artifacts((a) => { a.modelTopology.config.layers[1].config.units = 2 ** 31; }), 'mem'))
    .toThrow("mem: layer 1 'out' (Dense): output shape [2147483648] has 2147483648 floats per sample; one sample must stay under 2^30 floats (4 GiB, the most a wasm32 memory holds)");
});

it('a layer entry that is null, and initializer or regularizer values that are nonsense, are named with the file and the layer', async () => {
  const mem = (edit: (layers: any[]) => void) => () => modelFromArtifacts(artifacts((a) => edit(a.modelTopology.config.layers)), 'mem');
  // Before: "Cannot read properties of null (reading 'build_config')".
  expect(mem((l) => { l[0] = null; })).toThrow('mem: layer 0 is not a Keras layer { class_name, config }: null');
  // Before: "varianceScaling: scale must be a positive finite number, got -1", naming neither the file nor the layer.
  expect(mem((l) => { l[0].config.kernel_initializer.config.scale = -1; }))
    .toThrow("mem: layer 0 'rnn' (LSTM): kernel_initializer: varianceScaling: scale must be a positive finite number, got -1");
  // Before: "… got {"config":{}}", which is not what the file holds.
  expect(mem((l) => { l[0].config.kernel_initializer = 42; })).toThrow("mem: layer 0 'rnn' (LSTM): kernel_initializer: expected an initializer name or { class_name, config }, got 42");
  // Before: "mem: unknown layer 0 'rnn' (LSTM): recurrent_initializer 'xavier'".
  expect(mem((l) => { l[0].config.recurrent_initializer = 'xavier'; })).toThrow("mem: layer 0 'rnn' (LSTM): recurrent_initializer: Unknown initializer 'xavier'; valid names: zeros,");
  // Before: "regularizers.l2: l2 must be a non-negative number, got -1".
  expect(mem((l) => { l[1].config.kernel_regularizer = { class_name: 'L2', config: { l2: -1 } }; }))
    .toThrow("mem: layer 1 'out' (Dense): kernel_regularizer: regularizers.l2: l2 must be a non-negative number, got -1");
  expect(mem((l) => { l[1].config.kernel_regularizer = 'l2'; })).toThrow(`mem: layer 1 'out' (Dense): kernel_regularizer: expected a regularizer { class_name, config }, got "l2"`);
});

it('loadModel with something that is not a URL or an IOHandler, or artifacts whose weightData is not bytes, names what it got', async () => {
  // Before: "loadModel: loadModel cannot be loaded from (no load())" and a DataView TypeError.
  await expect(loadModel(null as never)).rejects.toThrow("loadModel: expected a URL ('file://…', 'http(s)://…/model.json', 'indexeddb://…') or an IOHandler with load(), got null");
  await expect(loadModel({ save: async () => ({}) } as never)).rejects.toThrow('or an IOHandler with load(), got an object without load()');
  await expect(loadModel(42 as never)).rejects.toThrow('got 42');
  const a = artifacts(() => {});
  expect(() => modelFromArtifacts({ ...a, weightData: new Uint8Array(a.weightData as ArrayBuffer) as never }, 'mem'))
    .toThrow("mem: the artifacts' weightData must be an ArrayBuffer or a list of ArrayBuffers, got Uint8Array");
  expect(() => modelFromArtifacts({ ...a, weightData: 7 as never }, 'mem')).toThrow("mem: the artifacts' weightData must be an ArrayBuffer or a list of ArrayBuffers, got Number");
});
