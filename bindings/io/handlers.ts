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
import { checkSpec, checkWeightBytes, concatBuffers, declaredBytes, specBytes } from './weights.js';

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

/** What a bounded read got: at most the bytes asked for, and whether the source holds more. */
export interface BoundedRead {
  bytes: Uint8Array;
  /** The source holds more than the bytes asked for (which were then not all read). */
  more: boolean;
  /** The source's full size, when known (a file's size, an HTTP Content-Length). */
  size?: number;
}

/** How a handler reaches the weight files of one model.json. */
export interface WeightFiles {
  /** Where a manifest path leads; throws if it leaves the model's folder. Called for every path before any is read. */
  locate(path: string): Promise<string>;
  /** At most `maxBytes` bytes of a located file. */
  read(location: string, maxBytes: number): Promise<BoundedRead>;
}

/** Bytes pushed in chunks, kept up to a bound: storage grows only as bytes arrive, never past the bound. */
export class BoundedBytes {
  private buf: Uint8Array;
  private got = 0;
  /** More bytes arrived than the bound allows (those were dropped). */
  more = false;

  constructor(readonly maxBytes: number, sizeHint = 0) {
    this.buf = new Uint8Array(Math.min(maxBytes, Math.max(0, sizeHint)));
  }

  /** Keep a chunk; false once the bound is passed (stop reading then). */
  push(chunk: Uint8Array): boolean {
    if (this.got + chunk.length > this.maxBytes) {
      this.more = true;
      chunk = chunk.subarray(0, this.maxBytes - this.got);
    }
    if (this.got + chunk.length > this.buf.length) {
      const grown = new Uint8Array(Math.min(this.maxBytes, Math.max(2 * this.buf.length, this.got + chunk.length, 65536)));
      grown.set(this.buf.subarray(0, this.got));
      this.buf = grown;
    }
    this.buf.set(chunk, this.got);
    this.got += chunk.length;
    return !this.more;
  }

  bytes(): Uint8Array { return this.buf.subarray(0, this.got); }
}

/**
 * model.json → artifacts: every manifest path located (and checked to stay in the model's
 * folder) before any is read; the declared sizes checked against a wasm32 memory; then each
 * group's files read in order, never more bytes than the group declares (a weight may span
 * shards), and checked against the group's specs.
 */
export async function artifactsFromModelJSON(json: ModelJSON, where: string, files: WeightFiles): Promise<ModelArtifacts> {
  const groups = json.weightsManifest ?? [] as WeightsManifestGroup[];
  groups.forEach((group, g) => {
    group.paths.forEach((p, i) => {
      if (typeof p !== 'string' || p === '') {
        throw new Error(`${where}: weightsManifest[${g}].paths[${i}] must be a file name (a non-empty string), got ${JSON.stringify(p) ?? String(p)}`);
      }
    });
    group.weights.forEach((spec, i) => checkSpec(spec, where, `weightsManifest[${g}].weights[${i}]`));
  });
  declaredBytes(groups.flatMap((group) => group.weights), where);
  const located: string[][] = [];
  for (const group of groups) located.push(await Promise.all(group.paths.map((p) => files.locate(p))));
  const specs: WeightSpec[] = [];
  const parts: Uint8Array[] = [];
  for (const [g, group] of groups.entries()) {
    const locations = located[g], names = locations.join(' + ');
    const need = group.weights.reduce((sum, spec) => sum + specBytes(spec, where), 0);
    const sizes: (number | undefined)[] = [];
    let got = 0, more = false;
    for (const location of locations) {
      const r = await files.read(location, need - got);
      parts.push(r.bytes);
      got += r.bytes.length;
      more ||= r.more;
      sizes.push(r.more ? r.size : r.bytes.length);
    }
    if (more) {
      if (sizes.every((s) => s !== undefined)) checkWeightBytes(group.weights, sizes.reduce((a, b) => a! + b!, 0)!, names, where);
      throw new Error(`${where}: ${names} holds more than the ${need} bytes the weights manifest declares; the file does not belong to this model.json`);
    }
    checkWeightBytes(group.weights, got, names, where);
    specs.push(...group.weights);
  }
  return {
    modelTopology: json.modelTopology, weightSpecs: specs, weightData: joinBytes(parts),
    format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig, userDefinedMetadata: json.userDefinedMetadata,
  };
}

/** One ArrayBuffer holding the parts in order (a single part that fills its buffer is used as is). */
function joinBytes(parts: Uint8Array[]): ArrayBuffer {
  if (parts.length === 1 && parts[0].byteOffset === 0 && parts[0].byteLength === parts[0].buffer.byteLength) return parts[0].buffer as ArrayBuffer;
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) { out.set(p, offset); offset += p.byteLength; }
  return out.buffer;
}

// --- file:// (Node) ------------------------------------------------------------------------------

async function nodeModules() {
  const fs = await import(/* @vite-ignore */ 'node:fs/promises');
  const path = await import(/* @vite-ignore */ 'node:path');
  return { fs, path };
}

/** The kernel's virtual folders: saving there writes into devices, or never settles (Node's recursive mkdir loops forever in /proc). */
const SYSTEM_FOLDERS = ['/proc', '/sys', '/dev'];

/** A file save's time limit: 30 s, plus 1 s per 10 MB written. */
export const saveTimeoutMs = (bytes: number) => 30_000 + bytes / 10_000;

/** `work`, or an Error naming `what` if it has not settled after `ms` (a hung filesystem call). */
export function settleWithin<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}; the filesystem is not answering`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function fileHandler(location: string): IOHandler {
  return {
    async save(a: ModelArtifacts): Promise<SaveResult> {
      const { fs, path } = await nodeModules();
      if (location === '') throw new Error("save: 'file://' names no folder; use file://path/to/folder");
      const [dir, jsonName] = location.endsWith('.json') ? [path.dirname(location), path.basename(location)] : [location, 'model.json'];
      const data = new Uint8Array(concatBuffers(a.weightData));
      const json = JSON.stringify(modelJSONFor(a, ['weights.bin']));
      const work = async () => {
        const folder = await systemFolderCheck(path.resolve(dir), location);
        await makeFolder(folder);
        // Write both under temporary names, then rename: a crash mid-save never leaves a mismatched pair.
        // A stale temporary (a FIFO, a link planted there) is removed first and the new one created
        // exclusively, so writing neither blocks nor follows a link out of the folder.
        const files: [string, string | Uint8Array][] = [['weights.bin', data], [jsonName, json]];
        for (const [name, content] of files) {
          const tmp = path.join(folder, `${name}.tmp`);
          await fs.rm(tmp, { force: true });
          await fs.writeFile(tmp, content, { flag: 'wx' });
        }
        for (const [name] of files) await fs.rename(path.join(folder, `${name}.tmp`), path.join(folder, name));
      };
      await settleWithin(work(), saveTimeoutMs(data.byteLength + json.length), `save: writing to '${location}'`);
      return { modelArtifactsInfo: artifactsInfo(a) };
    },
    async load(): Promise<ModelArtifacts> {
      const { fs, path } = await nodeModules();
      const isDir = await fs.stat(location).then((s) => s.isDirectory(), () => false);
      const file = isDir ? path.join(location, 'model.json') : location;
      const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new Error(e.code === 'ENOENT' ? `${file}: no such file` : `${file}: ${e.message}`);
      });
      const json = parseModelJSON(text, file);
      return artifactsFromModelJSON(json, file, await folderFiles(path.resolve(path.dirname(file)), file));
    },
  };
}

/**
 * The folder a model is saved to, refused up front when it lies (links resolved) in /proc, /sys
 * or /dev; `dir` is absolute.
 */
async function systemFolderCheck(dir: string, location: string): Promise<string> {
  const { fs, path } = await nodeModules();
  // The deepest existing ancestor, links resolved, and the rest of the path below it.
  let existing = dir;
  const rest: string[] = [];
  for (;;) {
    const real = await fs.realpath(existing).catch(() => undefined);
    if (real !== undefined) { existing = real; break; }
    const up = path.dirname(existing);
    if (up === existing) break;
    rest.unshift(path.basename(existing));
    existing = up;
  }
  const resolved = path.join(existing, ...rest);
  const system = path.sep === '/' ? SYSTEM_FOLDERS.find((f) => resolved === f || resolved.startsWith(`${f}/`)) : undefined;
  if (system) {
    throw new Error(`save: '${location}' is in ${system}, the kernel's virtual files, not a place for models; save to an ordinary folder`);
  }
  return dir;
}

/** mkdir -p, one level at a time: Node's recursive mkdir can loop forever (in /proc), a plain mkdir fails at once. */
async function makeFolder(dir: string): Promise<void> {
  const { fs, path } = await nodeModules();
  const missing: string[] = [];
  for (let d = dir; !(await fs.stat(d).then(() => true, () => false)); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing) {
    await fs.mkdir(d).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw new Error(`save: cannot create the folder ${d} (${e.code ?? e.message})`);
    });
  }
}

/**
 * The weight files of a model.json in `folder`: a path must be relative and stay in the folder
 * (or its subfolders) once resolved — `..` and links included (compared after realpath) — and
 * lead to a regular file, which is read up to the bytes the manifest declares. Refusals name the
 * path but never tell anything (size, content) of what lies outside.
 */
async function folderFiles(folder: string, where: string): Promise<WeightFiles> {
  const { fs, path } = await nodeModules();
  const { constants } = await import(/* @vite-ignore */ 'node:fs');
  const within = (dir: string, p: string) => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
  const realFolder = await fs.realpath(folder).catch(() => folder);
  const outside = (p: string, how: string) => new Error(`${where}: weights path '${p}' ${how} the model's folder ${folder}; `
    + 'keelnet reads weights only from the folder of model.json and its subfolders');
  const real = new Map<string, string>();
  return {
    async locate(p) {
      if (path.isAbsolute(p)) throw new Error(`${where}: weights path '${p}' is absolute; weights paths are relative to the folder of model.json`);
      const full = path.resolve(folder, p);
      if (!within(folder, full)) throw outside(p, 'leads outside');
      const resolved = await fs.realpath(full).catch((e: NodeJS.ErrnoException) => {
        throw new Error(`${where}: weights file ${full} ${e.code === 'ENOENT' ? 'is missing' : `cannot be read (${e.code ?? e.message})`}`);
      });
      if (!within(realFolder, resolved)) throw outside(p, 'is a link that leads outside');
      real.set(full, resolved);
      return full;
    },
    async read(location, maxBytes) {
      // Non-blocking open: a FIFO does not wait for a writer (and is then refused as not a regular file).
      const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
      const handle = await fs.open(real.get(location) ?? location, flags).catch((e: NodeJS.ErrnoException) => {
        throw new Error(`${where}: weights file ${location} ${e.code === 'ENOENT' ? 'is missing' : `cannot be read (${e.code ?? e.message})`}`);
      });
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) throw new Error(`${where}: weights file ${location} is not a regular file`);
        if (stat.size > maxBytes) return { bytes: new Uint8Array(0), more: true, size: stat.size };
        // Read to the end, but never past the bound: a file may hold more than its size says (/proc).
        const out = new BoundedBytes(maxBytes, stat.size);
        const chunk = new Uint8Array(Math.min(1 << 20, maxBytes + 1));
        for (;;) {
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
          if (bytesRead === 0 || !out.push(chunk.subarray(0, bytesRead))) break;
        }
        return { bytes: out.bytes(), more: out.more };
      } finally {
        await handle.close();
      }
    },
  };
}

// --- http(s):// ----------------------------------------------------------------------------------

/** fetch(u), its failures named with the URL. */
async function fetchNamed(u: string): Promise<Response> {
  let r: Response;
  try {
    r = await fetch(u);
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new Error(`${u}: cannot fetch (${(e as Error).message}${cause ? `: ${cause}` : ''})`);
  }
  if (!r.ok) throw new Error(`${u}: HTTP ${r.status} ${r.statusText}`);
  return r;
}

/** A response body, at most `maxBytes` of it: a larger Content-Length is refused unread, a longer stream is cut off. */
async function readBody(r: Response, u: string, maxBytes: number): Promise<BoundedRead> {
  const header = r.headers.get('content-length');
  const length = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
  if (length !== undefined && length > maxBytes) {
    await r.body?.cancel().catch(() => {});
    return { bytes: new Uint8Array(0), more: true, size: length };
  }
  const out = new BoundedBytes(maxBytes, length);
  if (!r.body) return { bytes: out.bytes(), more: false };
  const reader = r.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!out.push(value)) { await reader.cancel().catch(() => {}); break; }
    }
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new Error(`${u}: cannot fetch (${(e as Error).message}${cause ? `: ${cause}` : ''})`);
  }
  return { bytes: out.bytes(), more: out.more };
}

/**
 * The weight files of a model.json at `url`: a path must resolve to the same origin and stay
 * under the model.json's folder (no `..`, no encoded slash or dot segment), checked before any
 * request.
 */
function urlFiles(url: string): WeightFiles {
  const folder = new URL('.', url);
  return {
    async locate(p) {
      let u: URL | undefined;
      try { u = new URL(p, url); } catch { u = undefined; }
      const rest = u && u.origin === folder.origin && u.protocol === folder.protocol && u.pathname.startsWith(folder.pathname)
        ? u.pathname.slice(folder.pathname.length) : undefined;
      const segments = rest?.split('/').map((s) => { try { return decodeURIComponent(s); } catch { return '..'; } });
      if (!u || !segments || segments.some((s) => s === '..' || s === '.' || /[/\\]/.test(s)) || u.username !== folder.username || u.password !== folder.password) {
        throw new Error(`${url}: weights path '${p}' leads outside ${folder.href}; keelnet fetches weights only from the folder of model.json (same origin, same path prefix)`);
      }
      return u.href;
    },
    async read(u, maxBytes) {
      try {
        return await readBody(await fetchNamed(u), u, maxBytes);
      } catch (e) {
        throw new Error(`${url}: ${(e as Error).message}`);
      }
    },
  };
}

function httpHandler(url: string): IOHandler {
  return {
    async load(): Promise<ModelArtifacts> {
      const r = await fetchNamed(url);
      let text: string;
      try {
        text = await r.text();
      } catch (e) {
        throw new Error(`${url}: cannot fetch (${(e as Error).message})`);
      }
      return artifactsFromModelJSON(parseModelJSON(text, url), url, urlFiles(url));
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
