/**
 * Keras's own files, with no converter, both ways: `.keras` (Keras 3: a zip of config.json,
 * metadata.json and model.weights.h5) and the legacy `.h5` (`model.save('m.h5')`: the config in
 * the `model_config` attribute, weights under `model_weights/`). Sequential and functional
 * models (InputLayers, merge layers, shared layers, nested models) go both ways. `loadModel` and
 * `model.save` come here for paths ending in .keras or .h5 (io/keras-files.ts).
 *
 *   const model = await loadKeras('model.keras');        // or an .h5, or the bytes
 *   await model.fit(x, y);                                // resumes Keras's optimizer state
 *   await saveKeras(model, 'model.keras');                // keras.saving.load_model reads it
 *
 * Reading checks everything before it assigns anything: the archive, the config (every layer and
 * option keelnet would not honour is refused by name), every weight's presence, shape, type and
 * finiteness, the compile_config and the optimizer's variables. Errors name the file, the layer
 * and the weight (with its path in the HDF5 file); a failed load disposes the half-built model.
 *
 * The containers' libraries (fflate for zip, h5wasm for HDF5) are imported on first use, so an
 * application that never opens a Keras file does not load them. Measured with esbuild 0.28
 * (minified ESM for browsers, --charset=utf8, --splitting; bytes, gzip -9 in brackets), entry
 * `export { Sequential, layers, loadModel }`: keelnet's core 182,577 [58,106] (183,070 [57,092]
 * in one file before loadModel and model.save reached Keras files; the first measurement, before
 * the graph engine and the Keras 3 losses and metrics, was 126,344 [39,124]); this folder's own
 * code 34,934 [12,040] (25,086 [8,922] for Sequential only); archive.ts with fflate's zipSync/unzipSync 13,092 [6,380]; h5wasm 4,785,509
 * [1,020,158] (HDF5 compiled to wasm and inlined; 5,594,567 with esbuild's default ASCII charset,
 * 4,150,134 as npm ships it). Imported through `import('./keras/index.js')`, all three are chunks
 * of their own.
 */

import type { Weight } from '../../layers/layer.js';
import { LayersModel } from '../../models/layers-model.js';
import type { LoadKerasOptions, SaveKerasOptions } from '../keras-files.js';
import type { SaveResult } from '../types.js';
import { Tensor } from '../../tensor.js';
import type { ReadContext } from '../keras-config.js';
import { KERAS_FORMAT_VERSION, checkLayerOrder, kerasConfigFromModel, kerasJSON, modelFromKerasConfig } from './config.js';
import { isHdf5, readHdf5, writeHdf5, type H5WriteGroup } from './hdf5.js';
import { legacyH5Layout } from './legacy.js';
import { compileArgsFromKeras, kerasCompileConfig, optimizerVariables, readOptimizerState, type OptimizerState } from './training.js';
import {
  checkedValues, kerasFileOptimizerVariables, kerasFileVariables, kerasLayerGroups, legacyFileOptimizerVariables,
  legacyFileVariables, type FoundLayer, type FoundVariable,
} from './variables.js';

export { modelFromKerasConfig, kerasConfigFromModel } from './config.js';
export type { LoadKerasOptions, SaveKerasOptions };

type Dict = Record<string, unknown>;

/**
 * A Keras model file as a keelnet model: a path (Node; 'file://' optional) or the file's bytes.
 * The format is told by the content: a zip is a `.keras` archive, an HDF5 file a legacy `.h5`.
 */
export async function loadKeras(source: string | Uint8Array | ArrayBuffer, options: LoadKerasOptions = {}): Promise<LayersModel> {
  const where = typeof source === 'string' ? source : options.name ?? 'loadKeras';
  const bytes = typeof source === 'string' ? await readLocalFile(source)
    : source instanceof Uint8Array ? source : source instanceof ArrayBuffer ? new Uint8Array(source) : undefined;
  if (!bytes) throw new Error(`loadKeras: expected a path or the file's bytes (Uint8Array, ArrayBuffer), got ${typeof source}`);
  // A zip starts with a local file header, "PK\x03\x04".
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return fromArchive(bytes, where, options);
  if (isHdf5(bytes)) return fromLegacyH5(bytes, where, options);
  throw new Error(`${where}: neither a .keras archive (zip) nor a Keras .h5 file (HDF5); ${bytes.byteLength} bytes starting ${hex(bytes.subarray(0, 8))}`);
}

/** The `.keras` archive of a model (for browsers: hand the bytes to a download or IndexedDB). */
export async function kerasArchive(model: LayersModel, options: SaveKerasOptions = {}): Promise<Uint8Array> {
  const config = kerasConfigFromModel(model);
  const compileConfig = kerasCompileConfig(model);
  if (compileConfig) config.compile_config = compileConfig;
  const metadata = { keras_version: KERAS_FORMAT_VERSION, date_saved: dateSaved(new Date()) };
  const weights = await writeHdf5(weightGroups(model, options.includeOptimizer ?? true));
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const { writeZip } = await import('./archive.js');
  return writeZip([['metadata.json', utf8(JSON.stringify(metadata))], ['config.json', utf8(kerasJSON(config))], ['model.weights.h5', weights]]);
}

/** The legacy Keras `.h5` file of a model (`model.save('m.h5')` in Keras; keras.saving.load_model reads it). */
export async function kerasH5(model: LayersModel, options: SaveKerasOptions = {}): Promise<Uint8Array> {
  const { rootAttrs, groups } = legacyH5Layout(model, options.includeOptimizer ?? true, (v) => kerasJSON(v));
  return writeHdf5(groups, rootAttrs);
}

/** Write a model as a Keras file (Node): a Keras 3 archive for `.keras`, the legacy HDF5 file for `.h5`. */
export async function saveKeras(model: LayersModel, path: string, options: SaveKerasOptions = {}): Promise<{ bytes: number }> {
  const file = path.replace(/^file:\/\//, '');
  const format = file.endsWith('.keras') ? 'keras' : file.endsWith('.h5') ? 'h5' : undefined;
  if (!format) throw new Error(`saveKeras: '${path}' ends in neither .keras nor .h5; Keras tells its formats by the extension`);
  const bytes = format === 'keras' ? await kerasArchive(model, options) : await kerasH5(model, options);
  const fs = await nodeFs(path);
  await fs.writeFile(file, bytes);
  return { bytes: bytes.byteLength };
}

/**
 * model.save(path) for a Keras path (from io/keras-files.ts, which imports no model class, hence
 * the check): a file for file:// (Node), a download of that name for downloads:// (browser).
 */
export async function saveKerasFile(model: object, path: string): Promise<SaveResult> {
  if (!(model instanceof LayersModel)) throw new Error(`save: '${path}': only keelnet models (Sequential, model({ inputs, outputs })) are written as Keras files`);
  const download = /^downloads:\/\//i.exec(path);
  if (download) {
    const name = path.slice(download[0].length);
    const bytes = name.toLowerCase().endsWith('.h5') ? await kerasH5(model) : await kerasArchive(model);
    downloadBytes(name, bytes, path);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }
  await saveKeras(model, path);
  return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
}

/** A download of these bytes under this file name, as TF.js's downloads:// starts its downloads. */
function downloadBytes(name: string, bytes: Uint8Array, path: string): void {
  if (typeof document === 'undefined') throw new Error(`save: '${path}': downloads:// needs a browser page (document); in Node use file://`);
  const link = document.createElement('a');
  link.download = name;
  link.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  link.dispatchEvent(new MouseEvent('click'));
}

// --- reading ---------------------------------------------------------------------------------------

async function fromArchive(bytes: Uint8Array, where: string, options: LoadKerasOptions): Promise<LayersModel> {
  const { readZip } = await import('./archive.js');
  const members = readZip(bytes, where);
  const configBytes = members.get('config.json');
  if (!configBytes) throw new Error(`${where}: the archive has no config.json (it holds ${[...members.keys()].join(', ') || 'nothing'}); it is not a Keras 3 model file`);
  const config = parseJSON(new TextDecoder().decode(configBytes), `${where}: config.json`);
  const metadata = members.has('metadata.json') ? parseJSON(new TextDecoder().decode(members.get('metadata.json')!), `${where}: metadata.json`) : {};
  const weightsBytes = members.get('model.weights.h5');
  if (!weightsBytes) {
    const npz = members.has('model.weights.npz') ? ' (its weights are in model.weights.npz, which keelnet does not read; save with weights_format="h5")' : '';
    throw new Error(`${where}: the archive has no model.weights.h5${npz}`);
  }
  const tree = await readHdf5(weightsBytes, `${where}: model.weights.h5`);
  const model = modelFromKerasConfig(config, readContext(where, (metadata as Dict).keras_version));
  return finishLoad(model, where, options, (config as Dict).compile_config, () => {
    checkLayerOrder(model, config, where);
    return kerasFileVariables(tree, model.layers, where);
  }, () => kerasFileOptimizerVariables(tree, where));
}

async function fromLegacyH5(bytes: Uint8Array, where: string, options: LoadKerasOptions): Promise<LayersModel> {
  const tree = await readHdf5(bytes, where);
  const modelConfig = tree.attrs.model_config;
  if (typeof modelConfig !== 'string') {
    throw new Error(`${where}: the HDF5 file has no model_config attribute: it holds weights only (save_weights), not a model; keelnet needs the whole model (model.save)`);
  }
  const training = typeof tree.attrs.training_config === 'string' ? parseJSON(tree.attrs.training_config, `${where}: training_config`) : undefined;
  const model = modelFromKerasConfig(parseJSON(modelConfig, `${where}: model_config`), readContext(where, tree.attrs.keras_version));
  return finishLoad(model, where, options, training, () => legacyFileVariables(tree, model.layers, where), () => {
    const vars = legacyFileOptimizerVariables(tree, where);
    if (vars?.some((v) => v.path.endsWith(':0'))) {
      throw new Error(`${where}: the optimizer state is in TF-Keras 2's layout (${vars[0].path}, …), which keelnet does not map; load with { compile: false } and compile anew`);
    }
    return vars;
  });
}

/**
 * Everything after the model is built from its config, for both formats: check the weights, the
 * compile config and the optimizer state, and only then assign them. A failure disposes the model.
 */
function finishLoad(model: LayersModel, where: string, options: LoadKerasOptions, compileConfig: unknown,
  layerVariables: () => FoundLayer[], optimizerVars: () => FoundVariable[] | undefined): LayersModel {
  try {
    try {
      model.build();
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    const weights = checkedWeights(model, layerVariables(), where);
    let compile: ReturnType<typeof compileArgsFromKeras> | undefined;
    let state: OptimizerState | undefined;
    if ((options.compile ?? true) && compileConfig !== undefined && compileConfig !== null) {
      if (typeof compileConfig !== 'object') throw new Error(`${where}: compile_config is not an object`);
      compile = compileArgsFromKeras(compileConfig as Dict, where);
      const vars = optimizerVars();
      if (vars) state = readOptimizerState(compile.optimizer, model.engine.params.trainable, vars, where);
    }
    model.setWeights(weights);
    if (compile) model.compile(compile);
    state?.apply();
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Every layer's variables, checked (count, shape, type, finite), as tensors in getWeights() order. */
function checkedWeights(model: LayersModel, found: FoundLayer[], where: string): Tensor[] {
  const values = new Map<Weight, Float32Array>();
  for (const { layer, weights, source, variables } of found) {
    if (variables.length !== weights.length) {
      throw new Error(`${where}: layer '${layer.name}' (${layer.className}) has ${weights.length} weights`
        + `${weights.length ? ` (${weights.map((w) => w.name).join(', ')})` : ''}; the file holds ${variables.length} at ${source}`);
    }
    weights.forEach((w, k) => values.set(w, checkedValues(variables[k], w.shape, `${where}: weight '${w.name}' of layer '${w.owner}'${w.owner === layer.name ? ` (${layer.className})` : ` in '${layer.name}'`}`)));
  }
  return model.engine.params.weights.map((w) => {
    const v = values.get(w);
    if (!v) throw new Error(`${where}: weight '${w.name}' of layer '${w.owner}' is not in the file`);
    return new Tensor(v, w.shape);
  });
}

/** hard_sigmoid means Keras 3's (and keelnet's) relu6(x + 3)/6 only in files Keras 3 wrote. */
function readContext(where: string, kerasVersion: unknown): ReadContext {
  return { where, fromKeelnet: typeof kerasVersion === 'string' && kerasVersion.startsWith('3.') };
}

function parseJSON(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
  }
}

// --- writing ---------------------------------------------------------------------------------------

/** model.weights.h5's groups in the order Keras writes them: the model's own, each layer's, the optimizer's. */
function weightGroups(model: LayersModel, includeOptimizer: boolean): Array<[string, H5WriteGroup]> {
  const params = model.engine.params;
  const values = new Map(model.getWeights().map((t, i) => [params.weights[i], t.values as Float32Array]));
  const groups: Array<[string, H5WriteGroup]> = [['vars', { attrs: { name: model.name } }]];
  for (const { layer, group, vars, varsName, weights } of kerasLayerGroups(model.layers)) {
    const datasets = weights.map((w, i) => ({ name: String(i), shape: [...w.shape], values: values.get(w)! }));
    if (vars !== `${group}/vars`) groups.push([`${group}/vars`, { attrs: { name: layer.name } }]);
    groups.push([vars, { attrs: { name: varsName }, datasets }]);
  }
  const opt = model.optimizer;
  if (includeOptimizer && opt) {
    const datasets = optimizerVariables(opt, params.trainable, (w) => `${model.name}/${w.owner}/${w.name}`)
      .map((v, i) => ({ name: String(i), shape: v.shape, values: v.values }));
    groups.push(['optimizer/vars', { attrs: { name: opt.className.toLowerCase() }, datasets }]);
  }
  return groups;
}

/** Keras's `%Y-%m-%d@%H:%M:%S`, local time. */
function dateSaved(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

// --- files ---------------------------------------------------------------------------------------

async function nodeFs(path: string): Promise<typeof import('node:fs/promises')> {
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new Error(`'${path}': reading and writing paths needs Node; in a browser pass the bytes to loadKeras, and save with kerasArchive`);
  }
  return import(/* @vite-ignore */ 'node:fs/promises');
}

async function readLocalFile(path: string): Promise<Uint8Array> {
  const fs = await nodeFs(path);
  try {
    return new Uint8Array(await fs.readFile(path.replace(/^file:\/\//, '')));
  } catch (e) {
    throw new Error(`${path}: cannot be read (${(e as Error).message})`);
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

