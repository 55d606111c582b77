/**
 * HDF5 through h5wasm, read and written whole as plain data: a file becomes a tree of groups
 * (attributes, children) and datasets (shape, dtype, values), and a tree becomes a file's bytes.
 * Nothing else in keelnet touches h5wasm, and it is imported on first use only: its build (the
 * HDF5 C library compiled to wasm, inlined as base64) is about 4 MB that users who never open a
 * Keras file do not load.
 *
 * h5wasm works on files in Emscripten's in-memory file system; each call writes or reads one
 * uniquely named file there and removes it before returning.
 */

type H5Module = typeof import('h5wasm');

export interface H5Dataset {
  kind: 'dataset';
  shape: number[];
  /** h5wasm's dtype string: '<f' float32, '<d' float64, '<i' int32, '<e' float16, 'S'/… strings. */
  dtype: string;
  /** The values in row-major order (numbers), or the raw value when it is not numeric. */
  values: Float32Array | number[] | unknown;
  attrs: Record<string, unknown>;
}

export interface H5Group {
  kind: 'group';
  attrs: Record<string, unknown>;
  children: Map<string, H5Node>;
}

export type H5Node = H5Group | H5Dataset;

let loading: Promise<{ h5: H5Module; fs: H5FS }> | undefined;
let fileCount = 0;

interface H5FS {
  writeFile(path: string, data: Uint8Array): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
}

/** h5wasm, imported and initialized once. */
async function h5wasm(): Promise<{ h5: H5Module; fs: H5FS }> {
  loading ??= (async () => {
    const h5 = await import('h5wasm');
    const module = await h5.ready;
    // HDF5 errors become exceptions (with HDF5's message) instead of a trace printed to stderr.
    module.activate_throwing_error_handler();
    return { h5, fs: module.FS as unknown as H5FS };
  })();
  return loading;
}

/** The 8-byte signature every HDF5 file starts with (at offset 0 when there is no user block). */
export function isHdf5(bytes: Uint8Array): boolean {
  return [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b);
}

/** Read a whole HDF5 file into a tree; `where` names it in errors. */
export async function readHdf5(bytes: Uint8Array, where: string): Promise<H5Group> {
  if (!isHdf5(bytes)) throw new Error(`${where}: not an HDF5 file (it does not start with the HDF5 signature)`);
  const { h5, fs } = await h5wasm();
  const path = `/keelnet-read-${fileCount++}.h5`;
  fs.writeFile(path, bytes);
  let file: InstanceType<H5Module['File']> | undefined;
  try {
    try {
      file = new h5.File(path, 'r');
    } catch (e) {
      throw new Error(`${where}: HDF5 cannot open it (${hdf5Reason(e)}); the file is damaged or truncated`);
    }
    return readGroup(h5, file);
  } catch (e) {
    if ((e as Error).message.startsWith(where)) throw e;
    throw new Error(`${where}: reading HDF5 failed (${hdf5Reason(e)}); the file is damaged or truncated`);
  } finally {
    file?.close();
    fs.unlink(path);
  }
}

/** HDF5's error stack runs to dozens of lines, outermost call first; its last entry says what went wrong. */
function hdf5Reason(e: unknown): string {
  const message = String((e as Error)?.message ?? e);
  const entries = [...message.matchAll(/#\d+: .* in [\w.]+\(\): (.*)$/gm)].map((m) => m[1].trim());
  return entries.length ? entries[entries.length - 1] : message.split('\n')[0];
}

function attrsOf(entity: { attrs: Record<string, { value: unknown }> }): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entity.attrs).map(([k, a]) => [k, a.value]));
}

function readGroup(h5: H5Module, group: InstanceType<H5Module['Group']>): H5Group {
  const children = new Map<string, H5Node>();
  for (const key of group.keys()) {
    const entity = group.get(key);
    // Links, references and named datatypes hold no weights.
    if (entity instanceof h5.Group) children.set(key, readGroup(h5, entity));
    else if (entity instanceof h5.Dataset) children.set(key, readDataset(entity));
  }
  return { kind: 'group', attrs: attrsOf(group as never), children };
}

function readDataset(ds: InstanceType<H5Module['Dataset']>): H5Dataset {
  const shape = ds.shape ?? [];
  const dtype = typeof ds.dtype === 'string' ? ds.dtype : JSON.stringify(ds.dtype);
  const raw = ds.value;
  let values: H5Dataset['values'] = raw;
  if (raw instanceof Float32Array) values = raw;
  else if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) values = Array.from(raw as unknown as ArrayLike<number | bigint>, Number);
  else if (typeof raw === 'number' || typeof raw === 'bigint') values = [Number(raw)];
  return { kind: 'dataset', shape, dtype, values, attrs: attrsOf(ds as never) };
}

/** A group or dataset by slash-separated path ('layers/dense/vars'), or undefined. */
export function h5Get(root: H5Group, path: string): H5Node | undefined {
  let node: H5Node | undefined = root;
  for (const part of path.split('/').filter(Boolean)) {
    if (node?.kind !== 'group') return undefined;
    node = node.children.get(part);
  }
  return node;
}

// --- writing ---------------------------------------------------------------------------------------

/** What to write: groups by path, each with attributes and float32/int32 datasets. */
export interface H5WriteGroup {
  attrs?: Record<string, string | string[]>;
  datasets?: Array<{ name: string; shape: number[]; values: Float32Array | Int32Array }>;
}

/** Write groups (created parents first, in the order given) into a new HDF5 file's bytes. */
export async function writeHdf5(groups: Array<[path: string, group: H5WriteGroup]>, rootAttrs: Record<string, string> = {}): Promise<Uint8Array> {
  const { h5, fs } = await h5wasm();
  const path = `/keelnet-write-${fileCount++}.h5`;
  const file = new h5.File(path, 'w');
  try {
    for (const [k, v] of Object.entries(rootAttrs)) file.create_attribute(k, v);
    const made = new Map<string, InstanceType<H5Module['Group']>>([['', file]]);
    const groupAt = (p: string): InstanceType<H5Module['Group']> => {
      const existing = made.get(p);
      if (existing) return existing;
      const cut = p.lastIndexOf('/');
      const parent = groupAt(cut < 0 ? '' : p.slice(0, cut));
      const g = parent.create_group(p.slice(cut + 1));
      made.set(p, g);
      return g;
    };
    for (const [p, spec] of groups) {
      const g = groupAt(p);
      for (const [k, v] of Object.entries(spec.attrs ?? {})) g.create_attribute(k, v);
      for (const d of spec.datasets ?? []) {
        g.create_dataset({ name: d.name, data: d.values, shape: d.shape, dtype: d.values instanceof Int32Array ? '<i' : '<f' });
      }
    }
  } finally {
    file.close();
  }
  try {
    return fs.readFile(path).slice();
  } finally {
    fs.unlink(path);
  }
}
