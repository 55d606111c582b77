/**
 * Keras files through the everyday API: loadModel('….keras' | '….h5') and model.save('file://….keras')
 * dispatch by extension to io/keras (imported on first use), and the entry's loadKeras/saveKeras
 * are the same doors. Other paths still go to the TF.js Layers handlers.
 */
import { readdir, readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbacks, input, kerasArchive, layers, loadKeras, loadModel, model as functional, ready, saveKeras, Sequential, setSeed, tensor, type Tensor } from '../../bindings/index.js';
import { isKerasPath } from '../../bindings/io/keras-files.js';
import { expectClose, randomArray } from '../helpers/close.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/keras');
interface TensorJSON { shape: number[]; values: number[] }

let dir: string;
let server: Server;
let base: string;
beforeAll(async () => {
  await ready();
  dir = await mkdtemp(join(tmpdir(), 'keelnet-keras-wiring-'));
  server = createServer(async (req, res) => {
    try {
      res.end(await readFile(join(FIXTURES, (req.url ?? '').replace(/^\//, '').replace(/\?.*$/, ''))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('Keras paths', () => {
  it('are told by the extension, for file://, plain paths and http(s):// only', () => {
    const loading = (u: string) => isKerasPath(u), saving = (u: string) => isKerasPath(u, true);
    expect(['file:///m/model.keras', 'file://m.h5', 'models/m.keras', 'https://host/m.h5?v=2', 'http://host/M.KERAS#x'].map(loading)).toEqual([true, true, true, true, true]);
    expect(['file:///m/model.json', 'file:///m', 'indexeddb://m.keras', 'downloads://m.h5', 'https://host/model.json', 'm.keras.json'].map(loading)).toEqual([false, false, false, false, false, false]);
    // Saving: downloads:// too (a browser download of the one file); indexeddb:// stays TF.js's.
    expect(['downloads://m.h5', 'downloads://m.keras', 'file:///m.keras', 'indexeddb://m.keras', 'downloads://m'].map(saving)).toEqual([true, true, true, false, false]);
  });
});

describe('loadModel and model.save with Keras files', () => {
  it.each(['keras', 'h5'])("loadModel('file://…/functional.%s') is loadKeras: the same model, predictions within 1e-5 of Keras", async (ext) => {
    const expected = JSON.parse(await readFile(join(FIXTURES, 'functional.json'), 'utf8')) as { inputs: TensorJSON[]; outputs: TensorJSON[] };
    const x = expected.inputs.map((t) => tensor(t.values, t.shape));
    const viaLoadModel = await loadModel(`file://${join(FIXTURES, `functional.${ext}`)}`);
    const viaLoadKeras = await loadKeras(join(FIXTURES, `functional.${ext}`));
    const y = viaLoadModel.predict(x) as Tensor;
    expectClose(y.values, expected.outputs[0].values, { atol: 1e-5, rtol: 0 });
    expect((viaLoadKeras.predict(x) as Tensor).values).toEqual(y.values);
    expect(viaLoadModel.toJSON()).toEqual(viaLoadKeras.toJSON());
    viaLoadModel.dispose();
    viaLoadKeras.dispose();
  });

  it('loadModel reads a .keras file over http(s)', async () => {
    const expected = JSON.parse(await readFile(join(FIXTURES, 'nested.json'), 'utf8')) as { inputs: TensorJSON[]; outputs: TensorJSON[] };
    const m = await loadModel(`${base}/nested.keras`);
    const y = m.predict(expected.inputs.map((t) => tensor(t.values, t.shape))) as Tensor;
    expectClose(y.values, expected.outputs[0].values, { atol: 1e-5, rtol: 0 });
    m.dispose();
    await expect(loadModel(`${base}/missing.keras`)).rejects.toThrow(`${base}/missing.keras: HTTP 404`);
  });

  it.each(['keras', 'h5'])("model.save('file://…/m.%s') writes the Keras file; loadModel reads it back identically (graph and Sequential)", async (ext) => {
    setSeed(5);
    const a = input({ shape: [3], name: 'a' });
    const h = layers.dense({ units: 3, activation: 'relu' }).apply(a);
    const graph = functional({ inputs: a, outputs: layers.dense({ units: 2 }).apply(layers.add({}).apply([a, h])), name: 'wired_graph' });
    const chain = new Sequential([layers.dense({ units: 4, inputShape: [3], activation: 'tanh' }), layers.dense({ units: 2 })], { name: 'wired_chain' });
    const x = tensor(randomArray(4 * 3, 9), [4, 3]);
    for (const m of [graph, chain]) {
      const path = join(dir, `${m.name}.${ext}`);
      const result = await m.save(`file://${path}`);
      expect(result.modelArtifactsInfo.modelTopologyType).toBe('JSON');
      const head = new Uint8Array(await readFile(path)).subarray(0, 4);
      // A .keras file is a zip ("PK\3\4"), a .h5 an HDF5 file ("\x89HDF").
      expect(Array.from(head)).toEqual(ext === 'keras' ? [0x50, 0x4b, 0x03, 0x04] : [0x89, 0x48, 0x44, 0x46]);
      const back = await loadModel(`file://${path}`);
      expect(back.toJSON()).toEqual(m.toJSON());
      expect((back.predict(x) as Tensor).values).toEqual((m.predict(x) as Tensor).values);
      back.dispose();
    }
    graph.dispose();
    chain.dispose();
  });

  it('the entry exports saveKeras and kerasArchive; TF.js paths still save model.json', async () => {
    const m = new Sequential([layers.dense({ units: 2, inputShape: [3] })], { name: 'entry_doors' });
    const { bytes } = await saveKeras(m, join(dir, 'doors.keras'));
    expect(bytes).toBe((await stat(join(dir, 'doors.keras'))).size);
    const archive = await kerasArchive(m);
    const back = await loadKeras(archive);
    expect(back.getWeights().map((w) => Array.from(w.values))).toEqual(m.getWeights().map((w) => Array.from(w.values)));
    await m.save(`file://${join(dir, 'tfjs')}`);
    expect((await stat(join(dir, 'tfjs', 'model.json'))).isFile()).toBe(true);
    await expect(m.save('https://host/m.keras')).rejects.toThrow("save: 'https://host/m.keras': Keras files are written to file:// paths");
    m.dispose();
    back.dispose();
  });

  it("callbacks.modelCheckpoint saves .keras files during fit, as Keras's ModelCheckpoint does", async () => {
    setSeed(8);
    const a = input({ shape: [3], name: 'a' });
    const m = functional({ inputs: a, outputs: layers.dense({ units: 1 }).apply(layers.dense({ units: 4, activation: 'tanh' }).apply(a)), name: 'ckpt_graph' });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = tensor(randomArray(8 * 3, 1), [8, 3]), y = tensor(randomArray(8, 2), [8, 1]);
    await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [callbacks.modelCheckpoint({ path: `file://${join(dir, 'ckpt-{epoch}.keras')}` })] });
    const saved = (await readdir(dir)).filter((f) => f.startsWith('ckpt-')).sort();
    expect(saved).toHaveLength(2);
    const last = await loadModel(`file://${join(dir, saved[1])}`);
    expect(last.optimizer?.iterations).toBe(4);
    expect((last.predict(x) as Tensor).values).toEqual((m.predict(x) as Tensor).values);
    last.dispose();
    m.dispose();
  });
});
