/**
 * Where models go, by URL scheme, with TF.js's file layouts:
 * - file://dir (Node): dir/model.json + dir/weights.bin (as tfjs-node); loading takes
 *   file://dir/model.json or file://dir.
 * - indexeddb://name (browser): TF.js's database 'tensorflowjs' (stores 'models_store' and
 *   'model_info_store', keyed by modelPath), so TF.js and keelnet read each other's models.
 * - downloads://name (browser, save only): name.json + name.weights.bin, as TF.js.
 * - http(s)://…/model.json (load only): fetch, weights resolved relative to model.json; in a
 *   page, a path without a scheme ('models/model.json') is relative to the page.
 */
import type { IOHandler, ModelArtifacts, ModelArtifactsInfo, ModelJSON, SaveResult, WeightSpec, WeightsManifestGroup } from './types.js';
import { checkWeightBytes, concatBuffers } from './weights.js';

export function handlerFor(url: string): IOHandler {
  if (typeof url !== 'string') throw new Error(`expected a URL string or an IOHandler, got ${typeof url}`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  const page = (globalThis as { location?: { href: string } }).location;
  if (scheme === 'file') {
    if (typeof process === 'undefined' || !process.versions?.node) throw new Error(`'${url}': file:// needs Node; in a browser use indexeddb:// or downloads://`);
    return fileHandler(url.slice('file://'.length));
  }
  if (scheme === 'indexeddb') return indexedDbHandler(url.slice('indexeddb://'.length));
  if (scheme === 'downloads') return downloadsHandler(url.slice('downloads://'.length));
  if (scheme === 'http' || scheme === 'https') return httpHandler(url);
  // In a page, a URL without a scheme is relative to the page, as TF.js takes it.
  if (!scheme && page?.href) return httpHandler(new URL(url, page.href).href);
  throw new Error(`'${url}': unknown scheme; use file:// (Node), indexeddb:// or downloads:// (browser), http(s):// (loading)`);
}

// --- shared ------------------------------------------------------------------------------------

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

/** As TF.js's getModelArtifactsInfoForJSON. */
export function artifactsInfo(a: ModelArtifacts): ModelArtifactsInfo {
  return {
    dateSaved: new Date(), modelTopologyType: 'JSON',
    modelTopologyBytes: a.modelTopology == null ? 0 : utf8Bytes(JSON.stringify(a.modelTopology)),
    weightSpecsBytes: a.weightSpecs == null ? 0 : utf8Bytes(JSON.stringify(a.weightSpecs)),
    weightDataBytes: concatBuffers(a.weightData).byteLength,
  };
}

/** model.json for artifacts whose weights are stored in `paths` (as TF.js's getModelJSONForModelArtifacts). */
export function modelJSONFor(a: ModelArtifacts, paths: string[]): ModelJSON {
  const json: ModelJSON = {
    modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths, weights: a.weightSpecs ?? [] }],
  };
  if (a.trainingConfig != null) json.trainingConfig = a.trainingConfig;
  if (a.userDefinedMetadata != null) json.userDefinedMetadata = a.userDefinedMetadata;
  return json;
}

export function parseModelJSON(text: string, where: string): ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || !('modelTopology' in json) || (json as ModelJSON).modelTopology == null) {
    throw new Error(`${where}: no modelTopology; this is not a TF.js Layers model.json`);
  }
  const j = json as ModelJSON;
  if (j.format === 'graph-model') throw new Error(`${where}: a TF.js graph model (format 'graph-model'); keelnet loads layers models only`);
  if (j.weightsManifest !== undefined && !(Array.isArray(j.weightsManifest)
    && j.weightsManifest.every((g) => Array.isArray(g?.paths) && Array.isArray(g?.weights)))) {
    throw new Error(`${where}: weightsManifest must be a list of { paths, weights } groups`);
  }
  return j;
}

/**
 * model.json → artifacts: each manifest group's files concatenated (a weight may span shards),
 * checked against the group's specs, then every group's bytes in order with the flat specs.
 */
export async function artifactsFromModelJSON(json: ModelJSON, where: string,
  locate: (path: string) => string, read: (location: string) => Promise<ArrayBuffer>): Promise<ModelArtifacts> {
  const specs: WeightSpec[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest ?? [] as WeightsManifestGroup[]) {
    const locations = group.paths.map(locate);
    const data = concatBuffers(await Promise.all(locations.map(read)));
    checkWeightBytes(group.weights, data.byteLength, locations.join(' + '), where);
    specs.push(...group.weights);
    buffers.push(data);
  }
  return {
    modelTopology: json.modelTopology, weightSpecs: specs, weightData: concatBuffers(buffers),
    format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig, userDefinedMetadata: json.userDefinedMetadata,
  };
}

// --- file:// (Node) ------------------------------------------------------------------------------

async function nodeModules() {
  const fs = await import(/* @vite-ignore */ 'node:fs/promises');
  const path = await import(/* @vite-ignore */ 'node:path');
  return { fs, path };
}

function fileHandler(location: string): IOHandler {
  return {
    async save(a: ModelArtifacts): Promise<SaveResult> {
      const { fs, path } = await nodeModules();
      const [dir, jsonName] = location.endsWith('.json') ? [path.dirname(location), path.basename(location)] : [location, 'model.json'];
      await fs.mkdir(dir, { recursive: true });
      const json = JSON.stringify(modelJSONFor(a, ['weights.bin']));
      const data = new Uint8Array(concatBuffers(a.weightData));
      // Write both under temporary names, then rename: a crash mid-save never leaves a mismatched pair.
      const files: [string, string | Uint8Array][] = [['weights.bin', data], [jsonName, json]];
      for (const [name, content] of files) await fs.writeFile(path.join(dir, `${name}.tmp`), content);
      for (const [name] of files) await fs.rename(path.join(dir, `${name}.tmp`), path.join(dir, name));
      return { modelArtifactsInfo: artifactsInfo(a) };
    },
    async load(): Promise<ModelArtifacts> {
      const { fs, path } = await nodeModules();
      const isDir = await fs.stat(location).then((s) => s.isDirectory(), () => false);
      const file = isDir ? path.join(location, 'model.json') : location;
      const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new Error(e.code === 'ENOENT' ? `${file}: no such file` : `${file}: ${e.message}`);
      });
      return artifactsFromModelJSON(parseModelJSON(text, file), file, (p) => path.resolve(path.dirname(file), p), async (p) => {
        const buf = await fs.readFile(p).catch((e: NodeJS.ErrnoException) => {
          throw new Error(`${file}: weights file ${p} ${e.code === 'ENOENT' ? 'is missing' : `cannot be read (${e.message})`}`);
        });
        return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      });
    },
  };
}

// --- http(s):// ----------------------------------------------------------------------------------

function httpHandler(url: string): IOHandler {
  const get = async (u: string): Promise<Response> => {
    const r = await fetch(u);
    if (!r.ok) throw new Error(`${u}: HTTP ${r.status} ${r.statusText}`);
    return r;
  };
  return {
    async load(): Promise<ModelArtifacts> {
      const json = parseModelJSON(await (await get(url)).text(), url);
      return artifactsFromModelJSON(json, url, (p) => new URL(p, url).href, async (u) => (await get(u)).arrayBuffer());
    },
  };
}

// --- indexeddb:// (browser) ----------------------------------------------------------------------

const DATABASE = 'tensorflowjs', MODELS = 'models_store', INFO = 'model_info_store';

function openDatabase(): Promise<IDBDatabase> {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) throw new Error('indexeddb:// needs IndexedDB (a browser); in Node use file://');
  return new Promise((resolve, reject) => {
    const open = factory.open(DATABASE, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore(MODELS, { keyPath: 'modelPath' });
      open.result.createObjectStore(INFO, { keyPath: 'modelPath' });
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

function indexedDbHandler(modelPath: string): IOHandler {
  if (!modelPath) throw new Error('indexeddb://: give the model a name, e.g. indexeddb://my-model');
  return {
    async save(a: ModelArtifacts): Promise<SaveResult> {
      const modelArtifacts = { ...a, weightData: concatBuffers(a.weightData) };
      const modelArtifactsInfo = artifactsInfo(modelArtifacts);
      const db = await openDatabase();
      try {
        // One transaction over both stores: the info and the model are written together or not at all.
        const tx = db.transaction([INFO, MODELS], 'readwrite');
        tx.objectStore(INFO).put({ modelPath, modelArtifactsInfo });
        tx.objectStore(MODELS).put({ modelPath, modelArtifacts, modelArtifactsInfo });
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error ?? new Error(`indexeddb://${modelPath}: saving was aborted`));
        });
      } finally {
        db.close();
      }
      return { modelArtifactsInfo };
    },
    async load(): Promise<ModelArtifacts> {
      const db = await openDatabase();
      try {
        const get = db.transaction(MODELS, 'readonly').objectStore(MODELS).get(modelPath);
        const record = await new Promise<{ modelArtifacts: ModelArtifacts } | undefined>((resolve, reject) => {
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        });
        if (!record) throw new Error(`indexeddb://${modelPath}: no model saved under this name`);
        return record.modelArtifacts;
      } finally {
        db.close();
      }
    },
  };
}

// --- downloads:// (browser, save only) -----------------------------------------------------------

function downloadsHandler(prefix: string): IOHandler {
  const name = prefix || 'model';
  return {
    async save(a: ModelArtifacts): Promise<SaveResult> {
      if (typeof document === 'undefined') throw new Error('downloads:// needs a browser page (document); in Node use file://');
      const weightsName = `${name}.weights.bin`;
      const json = JSON.stringify(modelJSONFor(a, [`./${weightsName}`]));
      const files: [string, Blob][] = [
        [`${name}.json`, new Blob([json], { type: 'application/json' })],
        [weightsName, new Blob([concatBuffers(a.weightData)], { type: 'application/octet-stream' })],
      ];
      for (const [fileName, blob] of files) {
        const link = document.createElement('a');
        link.download = fileName;
        link.href = URL.createObjectURL(blob);
        link.dispatchEvent(new MouseEvent('click'));
        // Browsers drop all but the last of several downloads started in the same task.
        await new Promise((r) => setTimeout(r, 0));
      }
      return { modelArtifactsInfo: artifactsInfo(a) };
    },
  };
}
