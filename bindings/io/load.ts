/**
 * loadModel(url): a TF.js Layers model (model.json + weights) as a new keelnet model: a
 * Sequential, or a functional graph (class Model; Keras 3's Functional config shape too).
 * A URL ending in .keras or .h5 is a Keras file, read by io/keras/ (imported on first use).
 *
 * Four steps, as tfjs-layers: parse the topology (unwrapping Keras's model_config, accepting the
 * legacy bare list of layers), build the layers, decode the weights (shards concatenated per
 * group, quantized entries dequantized), and match them by name strictly — a model weight with
 * no entry, an entry no layer owns, a wrong shape or a non-finite value is an error. Every
 * error names the file and the layer; nothing is assigned until everything has been checked,
 * and a failed load disposes the half-made model, so no existing model is ever touched.
 */
import type { Layer } from '../layers/layer.js';
import { Sequential } from '../models/sequential.js';
import type { LayersModel } from '../models/layers-model.js';
import { modelFromJSON } from '../models/functional.js';
import { graphFromKeras, isGraphClass, type NestedModelEntry } from './graph-topology.js';
import { Tensor } from '../tensor.js';
import { handlerFor } from './handlers.js';
import { loadKeras } from './keras-entry.js';
import { isKerasPath } from './keras-files.js';
import { buildLayer, layerFromKeras, savedWeightNames, type ReadContext } from './keras-config.js';
import type { IOHandler, ModelArtifacts } from './types.js';
import { concatBuffers, decodeWeights, MAX_WEIGHT_BYTES, type NamedWeight } from './weights.js';

type Dict = Record<string, unknown>;

export async function loadModel(source: string | IOHandler): Promise<LayersModel> {
  if (typeof source !== 'string' && (typeof source !== 'object' || source === null || typeof source.load !== 'function')) {
    throw new Error(`loadModel: expected a URL ('file://…', 'http(s)://…/model.json', 'indexeddb://…') or an IOHandler with load(), got ${
      typeof source === 'object' && source !== null ? 'an object without load()' : JSON.stringify(source) ?? String(source)}`);
  }
  if (typeof source === 'string' && isKerasPath(source)) return loadKeras(source);
  const handler = typeof source === 'string' ? handlerFor(source) : source;
  const where = typeof source === 'string' ? source : 'loadModel';
  if (typeof handler.load !== 'function') throw new Error(`loadModel: ${where} cannot be loaded from (no load())`);
  return modelFromArtifacts(await handler.load(), where);
}

const isArrayBuffer = (b: unknown): b is ArrayBuffer => Object.prototype.toString.call(b) === '[object ArrayBuffer]';

/** A model from in-memory artifacts (what an IOHandler's load() returns). */
export function modelFromArtifacts(a: ModelArtifacts, where = 'loadModel'): LayersModel {
  if (!a || a.modelTopology == null) throw new Error(`${where}: the artifacts have no modelTopology`);
  const data = a.weightData;
  if (data !== undefined && !isArrayBuffer(data) && !(Array.isArray(data) && data.every(isArrayBuffer))) {
    throw new Error(`${where}: the artifacts' weightData must be an ArrayBuffer or a list of ArrayBuffers, got ${Object.prototype.toString.call(data).slice(8, -1)}`);
  }
  const ctx: ReadContext = { where, fromKeelnet: typeof a.generatedBy === 'string' && a.generatedBy.startsWith('keelnet') };
  const weights = decodeWeights(a.weightSpecs ?? [], concatBuffers(a.weightData), where);
  const model = modelFromTopology(a.modelTopology, ctx);
  try {
    assignWeights(model, weights, where);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** One sample of any layer's input or output must fit a wasm32 memory (4 GiB) as float32. */
const MAX_SAMPLE_FLOATS = MAX_WEIGHT_BYTES / 4;

/** Refuse a per-sample shape that cannot fit a wasm32 memory (an edited 1e308 or 2^31 time dimension). */
function checkSampleSize(shape: number[], what: string, where: string): void {
  const floats = shape.reduce((a, b) => a * b, 1);
  if (floats >= MAX_SAMPLE_FLOATS) {
    throw new Error(`${where}: ${what} [${shape.join(', ')}] has ${floats} floats per sample; one sample must stay under 2^30 floats (4 GiB, the most a wasm32 memory holds)`);
  }
}

/** Input shape (no batch axis) from batch_input_shape / batch_shape / input_shape; fixed positive integer sizes only. */
function declaredShape(config: Dict, where: string): number[] | undefined {
  const batch = (config.batch_input_shape ?? config.batch_shape) as unknown[] | undefined;
  const shape = Array.isArray(batch) ? batch.slice(1) : config.input_shape as unknown[] | undefined;
  if (!Array.isArray(shape)) return undefined;
  const shown = `[${shape.map((d) => JSON.stringify(d) ?? String(d)).join(', ')}]`;
  if (shape.some((d) => d === null || d === undefined)) {
    throw new Error(`${where}: input shape ${shown} has unknown sizes; keelnet needs a fixed shape per sample`);
  }
  const bad = shape.find((d) => !(Number.isInteger(d) && (d as number) > 0));
  if (bad !== undefined) throw new Error(`${where}: input shape ${shown} must be positive integers; ${JSON.stringify(bad) ?? String(bad)} is not`);
  checkSampleSize(shape as number[], 'input shape', where);
  return shape as number[];
}

/** A Keras topology (Sequential, or a graph: TF.js Model, Keras 3 Functional) → a keelnet model with fresh weights. */
export function modelFromTopology(topology: unknown, ctx: ReadContext): LayersModel {
  let t = topology as Dict;
  if (t && typeof t === 'object' && t.model_config) t = t.model_config as Dict;
  if (t && typeof t === 'object' && isGraphClass(t.class_name)) {
    const json = graphFromKeras(t, ctx, modelFromTopology);
    try {
      return modelFromJSON(json, (l) => (l as NestedModelEntry<LayersModel>).model ?? buildLayer(l, `${ctx.where}: layer '${l.name}' (${l.className})`));
    } catch (e) {
      throw new Error(`${ctx.where}: ${(e as Error).message}`);
    }
  }
  if (!t || typeof t !== 'object' || t.class_name !== 'Sequential') {
    throw new Error(`${ctx.where}: keelnet loads Sequential and functional (Model, Functional) models; this topology is ${JSON.stringify(t?.class_name ?? t)?.slice(0, 60)}`);
  }
  const config = t.config as Dict | Dict[];
  const list = Array.isArray(config) ? config : config?.layers;
  const name = Array.isArray(config) ? undefined : config?.name as string | undefined;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${ctx.where}: the Sequential topology has no layers`);
  const layers: Layer[] = [];
  let shape: number[] | undefined;
  list.forEach((raw: Dict, i) => {
    const label = `layer ${i}`;
    const rawConfig = (raw?.config ?? {}) as Dict;
    const named = `${ctx.where}: ${label}${typeof rawConfig.name === 'string' ? ` '${rawConfig.name}'` : ''} (${String(raw?.class_name)})`;
    if (raw?.class_name === 'InputLayer') { shape = declaredShape(rawConfig, named); return; }
    if (layers.length === 0 && !shape) {
      shape = declaredShape(rawConfig, named) ?? declaredShape((raw?.build_config ?? {}) as Dict, named);
    }
    const json = layerFromKeras(raw, ctx, label, shape);
    const where = `${ctx.where}: ${label}${typeof json.config.name === 'string' ? ` '${json.config.name}'` : ''} (${String(raw.class_name)})`;
    if (layers.length === 0 && shape) json.config.inputShape = shape;
    const layer = buildLayer(json, where);
    if (shape) {
      try {
        shape = layer.computeOutputShape(shape);
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`);
      }
      checkSampleSize(shape, 'output shape', where);
    }
    layers.push(layer);
  });
  try {
    return new Sequential(layers, name === undefined ? {} : { name });
  } catch (e) {
    throw new Error(`${ctx.where}: ${(e as Error).message}`);
  }
}

/** 'layer/cell/kernel' (TF ≥ 2.2 RNNs) → 'layer/kernel'; 'x/kernel:0' → 'x/kernel'. */
function shortName(name: string): string {
  const parts = name.replace(/:0$/, '').split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[parts.length - 1]}` : parts.join('/');
}

/** Match the decoded weights to the model's by name, check them all, then set them at once. */
function assignWeights(model: LayersModel, weights: NamedWeight[], where: string): void {
  try {
    model.build();
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
  const byName = new Map<string, NamedWeight>();
  for (const w of weights) {
    const key = byName.has(w.name) ? w.name : shortName(w.name);
    if (byName.has(key)) throw new Error(`${where}: the weights manifest lists '${w.name}' twice`);
    byName.set(key, w);
  }
  const used = new Set<string>();
  const names = savedWeightNames(model.layers);
  const tensors = model.engine.params.weights.map((w, i) => {
    const full = names[i];
    const got = byName.get(full);
    if (!got) {
      throw new Error(`${where}: layer '${w.owner}' needs weight '${full}' (shape [${w.shape.join(', ')}]), which the weights manifest does not have; `
        + `it has: ${[...byName.keys()].join(', ') || 'no weights'}`);
    }
    used.add(full);
    if (got.shape.join(',') !== w.shape.join(',')) {
      throw new Error(`${where}: weight '${full}' of layer '${w.owner}' has shape [${got.shape.join(', ')}] in the file; the layer needs [${w.shape.join(', ')}]`);
    }
    const bad = got.values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${where}: weight '${full}' of layer '${w.owner}' has a non-finite value ${got.values[bad]} at index ${bad}`);
    return new Tensor(got.values, w.shape);
  });
  const extra = [...byName.keys()].filter((k) => !used.has(k));
  if (extra.length) {
    throw new Error(`${where}: the weights manifest has weights that no layer of the model owns: ${extra.join(', ')} (the layer names in the topology and the manifest disagree)`);
  }
  model.setWeights(tensors);
}
