/**
 * Functional models through files, both ways with TensorFlow.js 4.22 (cpu backend): a graph with
 * two inputs, a skip connection, a layer shared by both inputs, every merge layer TF.js has, and a
 * nested model, saved by keelnet, loads in tf.loadLayersModel and predicts within 1e-5; the same
 * graph saved by TF.js loads in keelnet's loadModel and predicts within 1e-5. A Keras 3
 * `Functional` config (inbound nodes as `{ args: [KerasTensor…] }`) reads too.
 * @tensorflow/tfjs has no file:// handler in Node, so TF.js reads and writes the directory
 * through a small IOHandler here.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor, input, layers, loadModel, model, modelFromArtifacts, ready, setBackend, setSeed, type LayersModel } from '../../bindings/index.js';
import { expectClose, randomArray } from '../helpers/close.js';
import { directory } from '../helpers/tfjs-files.js';

let dir: string;
beforeAll(async () => {
  await ready();
  expect(await tf.setBackend('cpu')).toBe(true);
  dir = await mkdtemp(join(tmpdir(), 'keelnet-graph-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });


type AnyLayer = { apply(x: unknown): unknown };
/** The same graph with either library: names fixed so files match by name. */
function graph(L: {
  input(a: object): unknown; model(a: object): unknown; dense(a: object): AnyLayer; merge(kind: string, a: object): AnyLayer;
}): unknown {
  const ei = L.input({ shape: [4], name: 'enc_in' });
  const encoder = L.model({ inputs: ei, outputs: L.dense({ units: 4, activation: 'tanh', name: 'enc' }).apply(ei), name: 'encoder' }) as AnyLayer;
  const a = L.input({ shape: [4], name: 'a' }), b = L.input({ shape: [4], name: 'b' });
  const shared = L.dense({ units: 4, activation: 'relu', name: 'shared' });
  const sa = shared.apply(a), sb = shared.apply(b);
  const merged = ['add', 'average', 'multiply', 'maximum', 'minimum'].map((k) => L.merge(k, { name: k }).apply([sa, sb]));
  const cat = L.merge('concatenate', { name: 'concatenate' }).apply([...merged, encoder.apply(a)]);
  const skip = L.merge('add', { name: 'skip' }).apply([L.dense({ units: 4, name: 'proj' }).apply(cat), sa]);
  const sim = L.merge('dot', { name: 'cosine', axes: 1, normalize: true }).apply([skip, sb]);
  const head = L.dense({ units: 3, activation: 'softmax', name: 'head' }).apply(skip);
  return L.model({ inputs: [a, b], outputs: [head, sim], name: 'graph' });
}

const keel = () => graph({
  input: (a) => input(a as never), model: (a) => model(a as never), dense: (a) => layers.dense(a as never),
  merge: (k, a) => (layers as unknown as Record<string, (a: object) => AnyLayer>)[k](a),
}) as LayersModel;
const tfjs = () => graph({
  input: (a) => tf.input(a as never), model: (a) => tf.model(a as never), dense: (a) => tf.layers.dense(a as never),
  merge: (k, a) => (tf.layers as unknown as Record<string, (a: object) => AnyLayer>)[k](a),
}) as tf.LayersModel;

const X = [new Float32Array(randomArray(6 * 4, 1, -1, 1)), new Float32Array(randomArray(6 * 4, 2, -1, 1))];
const keelPredict = (m: LayersModel) => (m.predict(X.map((v) => new Tensor(v, [6, 4]))) as Tensor[]).map((t) => t.dataSync());
const tfPredict = (m: tf.LayersModel) => (m.predict(X.map((v) => tf.tensor2d(v, [6, 4]))) as tf.Tensor[]).map((t) => t.dataSync());

describe.each(['wasm', 'js'] as const)('functional model files on %s', (backendName) => {
  beforeAll(() => { setBackend(backendName); });

  it('keelnet → TF.js: the saved graph loads in tf.loadLayersModel and predicts the same', async () => {
    setSeed(11);
    const m = keel();
    m.setWeights(m.getWeights().map((w, i) => new Tensor(randomArray(w.size, 30 + i, -0.8, 0.8), w.shape)));
    const path = join(dir, `keel-${backendName}`);
    await m.save(`file://${path}`);
    const saved = JSON.parse(await readFile(join(path, 'model.json'), 'utf8'));
    expect(saved.modelTopology.class_name).toBe('Model');
    expect(saved.modelTopology.config.input_layers).toEqual([['a', 0, 0], ['b', 0, 0]]);
    const tm = await tf.loadLayersModel(directory(path));
    expect(tm.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    tfPredict(tm).forEach((p, i) => expectClose(keelPredict(m)[i], p, { atol: 1e-5, rtol: 0 }));
    // And back: keelnet reads its own file to the same predictions, bitwise.
    const back = await loadModel(`file://${path}`);
    keelPredict(back).forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(keelPredict(m)[i])));
    back.dispose();
    m.dispose();
  });

  it('TF.js → keelnet: TF.js\'s saved graph loads in loadModel and predicts the same', async () => {
    const tm = tfjs();
    tm.setWeights(tm.weights.map((w, i) => { const shape = w.shape as number[]; return tf.tensor(randomArray(shape.reduce((a, b) => a * b, 1), 60 + i, -0.8, 0.8), shape); }));
    const path = join(dir, `tfjs-${backendName}`);
    await tm.save(directory(path));
    const m = await loadModel(`file://${path}/model.json`);
    expect(m.layers.map((l) => l.name)).toEqual(tm.layers.map((l) => l.name));
    keelPredict(m).forEach((p, i) => expectClose(p, tfPredict(tm)[i], { atol: 1e-5, rtol: 0 }));
    m.dispose();
  });
});

it('reads a Keras 3 Functional config (inbound nodes as { args, kwargs }, single-ref input and output layers)', () => {
  const tensorRef = (layer: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 3], dtype: 'float32', keras_history: [layer, 0, 0] } });
  const topology = {
    class_name: 'Functional', config: {
      name: 'k3',
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', name: 'inp', config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'inp' }, inbound_nodes: [] },
        { module: 'keras.layers', class_name: 'Dense', name: 'd', config: { name: 'd', units: 3, activation: 'linear', use_bias: true }, inbound_nodes: [{ args: [tensorRef('inp')], kwargs: {} }] },
        { module: 'keras.layers', class_name: 'Add', name: 'sum', config: { name: 'sum' }, inbound_nodes: [{ args: [[tensorRef('d'), tensorRef('inp')]], kwargs: {} }] },
      ],
      input_layers: ['inp', 0, 0], output_layers: ['sum', 0, 0],
    },
  };
  const weights = [new Float32Array(randomArray(9, 3)), new Float32Array(randomArray(3, 4))];
  const data = new Float32Array([...weights[0], ...weights[1]]).buffer;
  const m = modelFromArtifacts({ modelTopology: topology, weightSpecs: [{ name: 'd/kernel', shape: [3, 3], dtype: 'float32' }, { name: 'd/bias', shape: [3], dtype: 'float32' }], weightData: data });
  const x = new Float32Array([1, -2, 0.5]);
  const y = (m.predict(new Tensor(x, [1, 3])) as Tensor).dataSync();
  const want = [0, 1, 2].map((j) => weights[1][j] + x[j] + [0, 1, 2].reduce((s, k) => s + x[k] * weights[0][k * 3 + j], 0));
  expectClose(y, want, { atol: 1e-6, rtol: 1e-6 });
  m.dispose();
});
