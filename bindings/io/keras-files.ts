/**
 * Keras's own files (`.keras`, legacy `.h5`) reached from the core: `loadModel` and `model.save`
 * come here when the path ends in `.keras` or `.h5`. io/keras/ is imported on first use, so that
 * its code, fflate and h5wasm (about 4.8 MB minified, mostly HDF5 compiled to wasm) stay out of
 * the core bundle. This module imports no model class (models/layers-model.ts imports it), so
 * the model arrives as an object and io/keras/ checks it.
 */
import type { SaveResult } from './types.js';

export interface LoadKerasOptions {
  /**
   * Compile the model as the file's compile_config says and restore the optimizer's state
   * (default true, as keras.saving.load_model). false loads the layers and weights only.
   */
  compile?: boolean;
  /** Names the file in error messages when bytes are given rather than a path. */
  name?: string;
}

export interface SaveKerasOptions {
  /** Write the optimizer's variables (step count, moments) so training resumes (default true). */
  includeOptimizer?: boolean;
}

/**
 * A URL whose file name ends in .keras or .h5, of a scheme Keras files go through: file:// (or a
 * plain path) and http(s):// for loading; file:// and downloads:// for saving.
 */
export function isKerasPath(url: string, saving = false): boolean {
  if (typeof url !== 'string') return false;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined && !(saving ? ['file', 'http', 'https', 'downloads'] : ['file', 'http', 'https']).includes(scheme)) return false;
  return /\.(keras|h5)$/i.test(url.replace(/[?#].*$/, ''));
}

/** model.save('file://…/m.keras' | '….h5' | 'downloads://m.keras'): writes the file (or starts the download); the SaveResult's byte counts stay unset (a Keras file has no separate topology and weights). */
export async function saveKerasFile(model: object, path: string): Promise<SaveResult> {
  if (/^https?:\/\//i.test(path)) throw new Error(`save: '${path}': Keras files are written to file:// paths (Node); in a browser use kerasArchive(model) and store the bytes`);
  return (await import('./keras/index.js')).saveKerasFile(model, path);
}
