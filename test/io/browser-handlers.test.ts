/**
 * The browser schemes, run in Node against small stand-ins for the browser APIs they touch
 * (the real browsers exercise them in test/browser/): downloads:// hands two files to anchor
 * clicks, named as TF.js names them; indexeddb:// writes TF.js's database layout and reads it
 * back. Also: both refuse clearly where the API is missing.
 */
import { afterEach, beforeAll, expect, it } from 'vitest';
import { LayersModel, Sequential, Tensor, layers, loadModel, modelFromArtifacts, ready, setSeed, tensor } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';

let model: Sequential;
const x = tensor(randomArray(2 * 3, 31), [2, 3]);
const predictions = (m: LayersModel) => Array.from((m.predict(x) as Tensor).dataSync());

beforeAll(async () => {
  await ready();
  setSeed(8);
  model = new Sequential([layers.dense({ units: 4, activation: 'tanh', inputShape: [3] }), layers.batchNormalization(), layers.dense({ units: 2 })]);
});

const g = globalThis as Record<string, unknown>;
afterEach(() => { delete g.document; delete g.indexedDB; delete g.MouseEvent; });

it('downloads://name clicks two links: name.json (manifest path ./name.weights.bin) and name.weights.bin', async () => {
  const clicked: { download: string; blob: Blob }[] = [];
  const blobs = new Map<string, Blob>();
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = (b: Blob) => { const url = `blob:test/${blobs.size}`; blobs.set(url, b); return url; };
  g.MouseEvent = class { constructor(readonly type: string) {} };
  g.document = {
    createElement: (tag: string) => {
      expect(tag).toBe('a');
      const a = { download: '', href: '', dispatchEvent: (e: Event) => { expect(e.type).toBe('click'); clicked.push({ download: a.download, blob: blobs.get(a.href)! }); return true; } };
      return a;
    },
  };
  try {
    const result = await model.save('downloads://my-model');
    expect(clicked.map((c) => c.download)).toEqual(['my-model.json', 'my-model.weights.bin']);
    const json = JSON.parse(await clicked[0].blob.text());
    expect(json.weightsManifest).toEqual([{ paths: ['./my-model.weights.bin'], weights: expect.any(Array) }]);
    expect(json.format).toBe('layers-model');
    const data = await clicked[1].blob.arrayBuffer();
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(data.byteLength);
    const copy = modelFromArtifacts({ ...json, weightSpecs: json.weightsManifest[0].weights, weightData: data }, 'downloads');
    expect(predictions(copy)).toEqual(predictions(model));
  } finally {
    URL.createObjectURL = createObjectURL;
  }
});

/** Just enough of IndexedDB for one database: open (with upgrade), one or two stores, put, get. */
function fakeIndexedDB() {
  const stores = new Map<string, Map<string, unknown>>();
  const opened: string[] = [];
  const later = (f: () => void) => setTimeout(f, 0);
  const request = (result?: unknown) => { const r: Record<string, any> = { result }; queueMicrotask(() => r.onsuccess?.()); return r; };
  const db = {
    createObjectStore: (name: string, opts: { keyPath: string }) => { expect(opts.keyPath).toBe('modelPath'); stores.set(name, new Map()); },
    transaction: (names: string | string[], mode: string) => {
      const tx: Record<string, any> = {
        objectStore: (name: string) => {
          expect([names].flat()).toContain(name);
          const store = stores.get(name)!;
          return {
            put: (v: { modelPath: string }) => { expect(mode).toBe('readwrite'); store.set(v.modelPath, structuredClone(v)); return request(); },
            get: (key: string) => request(structuredClone(store.get(key))),
          };
        },
      };
      later(() => tx.oncomplete?.());
      return tx;
    },
    close: () => {},
  };
  return {
    stores, opened,
    open: (name: string, version: number) => {
      opened.push(`${name}@${version}`);
      const r: Record<string, any> = {};
      later(() => { r.result = db; if (stores.size === 0) r.onupgradeneeded?.(); r.onsuccess?.(); });
      return r;
    },
  };
}

it("indexeddb://name saves into TF.js's database layout and loads back", async () => {
  const idb = fakeIndexedDB();
  g.indexedDB = idb;
  const result = await model.save('indexeddb://mnist-mlp');
  expect(idb.opened[0]).toBe('tensorflowjs@1');
  expect([...idb.stores.keys()].sort()).toEqual(['model_info_store', 'models_store']);
  const record = idb.stores.get('models_store')!.get('mnist-mlp') as { modelArtifacts: { weightData: ArrayBuffer; format: string }; modelArtifactsInfo: unknown };
  expect(record.modelArtifacts.weightData).toBeInstanceOf(ArrayBuffer);
  expect(record.modelArtifacts.format).toBe('layers-model');
  expect(idb.stores.get('model_info_store')!.get('mnist-mlp')).toEqual({ modelPath: 'mnist-mlp', modelArtifactsInfo: result.modelArtifactsInfo });
  const copy = await loadModel('indexeddb://mnist-mlp');
  expect(predictions(copy)).toEqual(predictions(model));
  await expect(loadModel('indexeddb://other')).rejects.toThrow('indexeddb://other: no model saved under this name');
});

it('browser schemes in Node, unknown schemes and save-only/load-only schemes are clear errors', async () => {
  await expect(model.save('indexeddb://x')).rejects.toThrow('indexeddb:// needs IndexedDB (a browser); in Node use file://');
  await expect(model.save('downloads://x')).rejects.toThrow('downloads:// needs a browser page (document); in Node use file://');
  await expect(model.save('s3://bucket/x')).rejects.toThrow("'s3://bucket/x': unknown scheme; use file:// (Node), indexeddb:// or downloads:// (browser), http(s):// (loading)");
  await expect(model.save('http://127.0.0.1:1/x')).rejects.toThrow("save: 'http://127.0.0.1:1/x' cannot be saved to");
  await expect(loadModel('downloads://x')).rejects.toThrow('loadModel: downloads://x cannot be loaded from (no load())');
});
