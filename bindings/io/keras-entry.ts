/**
 * loadKeras, saveKeras and kerasArchive as the public entry exports them: thin async doors to
 * io/keras/, imported on first use (see io/keras-files.ts on the bundle).
 */
import type { LayersModel } from '../models/layers-model.js';
import type { LoadKerasOptions, SaveKerasOptions } from './keras-files.js';

export type { LoadKerasOptions, SaveKerasOptions };

/**
 * A Keras model file as a keelnet model: a path (Node; 'file://' optional), an http(s) URL (in a
 * page, a URL without a scheme is relative to the page, as TF.js takes it), or the file's bytes.
 * Compiled, with the optimizer's state, when the file has them (`compile: false` skips).
 */
export async function loadKeras(source: string | Uint8Array | ArrayBuffer, options: LoadKerasOptions = {}): Promise<LayersModel> {
  const keras = await import('./keras/index.js');
  const page = (globalThis as { location?: { href: string } }).location;
  const node = typeof process !== 'undefined' && !!process.versions?.node;
  if (typeof source === 'string' && !node && page?.href && !/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) source = new URL(source, page.href).href;
  if (typeof source === 'string' && /^https?:\/\//i.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`${source}: HTTP ${response.status} ${response.statusText}`);
    return keras.loadKeras(new Uint8Array(await response.arrayBuffer()), { name: source, ...options });
  }
  return keras.loadKeras(source, options);
}

/** Write a model as a Keras file (Node): a Keras 3 archive for `.keras`, the legacy HDF5 file for `.h5`. */
export async function saveKeras(model: LayersModel, path: string, options: SaveKerasOptions = {}): Promise<{ bytes: number }> {
  return (await import('./keras/index.js')).saveKeras(model, path, options);
}

/** The `.keras` archive's bytes (in a browser: hand them to a download or IndexedDB; loadKeras reads them back). */
export async function kerasArchive(model: LayersModel, options: SaveKerasOptions = {}): Promise<Uint8Array> {
  return (await import('./keras/index.js')).kerasArchive(model, options);
}
