/**
 * Keras 3 model configs (what `serialize_keras_object` writes into a .keras file's config.json,
 * and what a legacy .h5 keeps in its `model_config` attribute) ↔ keelnet models.
 *
 * Layer configs go through keras-config.ts, which reads and writes the TF.js form
 * (`{ class_name, config }`, snake_case). What Keras 3 adds around it is handled here:
 * - every object is `{ module, class_name, config, registered_name }` (layers also carry
 *   `build_config`); `registered_name` set to anything but the class name means a custom class
 *   registered in Python, which keelnet cannot have, and is refused;
 * - `dtype` is a DTypePolicy object (float32 only);
 * - a Sequential's input is an `InputLayer` entry with `batch_shape`;
 * - a few Keras 3 options keelnet's tables do not know yet (KERAS3_OPTIONS) are accepted at
 *   their defaults only.
 *
 * - a Functional's layers carry `name` and `inbound_nodes` (each node `{ args, kwargs }`, a tensor
 *   `__keras_tensor__` with `keras_history: [layer, node, tensor]`); its InputLayers are layers of
 *   the list, and a nested model is a whole model config in it. The graph itself is read by
 *   io/graph-topology.ts, the reader of TF.js files, after the layers are put in TF.js form here.
 *
 * `modelFromKerasConfig` is the one way from a parsed config to a model (Sequential, Functional,
 * nested models); `kerasConfigFromModel` the way back.
 */
import { InputLayer } from '../../graph/input-layer.js';
import type { Layer } from '../../layers/layer.js';
import { layerToJSON } from '../../layers/registry.js';
import { modelFromJSON } from '../../models/functional.js';
import { ModelLayer, type LayersModel } from '../../models/layers-model.js';
import { Sequential } from '../../models/sequential.js';
import { graphFromKeras, type NestedModelEntry } from '../graph-topology.js';
import { buildLayer, kerasLayers, layerFromKeras, layerToKeras, toSnakeCase, type ReadContext } from '../keras-config.js';

type Dict = Record<string, unknown>;

/** The Keras version whose file format keelnet writes (metadata.json's keras_version). */
export const KERAS_FORMAT_VERSION = '3.15.1';

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Keras 3 options of keelnet's layer classes that keras-config.ts does not list yet: `accepted`
 * only at this value (as Keras writes it by default), `ignored` because they mean nothing at the
 * accepted values (BatchNormalization's renorm_momentum and renorm_clipping without renorm).
 */
const KERAS3_OPTIONS: Record<string, { accepted?: Dict; ignored?: string[] }> = {
  BatchNormalization: { accepted: { renorm: false }, ignored: ['renorm_momentum', 'renorm_clipping'] },
};

// --- reading ------------------------------------------------------------------------------------

/** A parsed Keras model config → a keelnet model (weights not yet loaded). */
export function modelFromKerasConfig(config: unknown, ctx: ReadContext): LayersModel {
  if (!isDict(config) || typeof config.class_name !== 'string') {
    throw new Error(`${ctx.where}: the model config is not a Keras object { class_name, config }: ${JSON.stringify(config)?.slice(0, 120)}`);
  }
  const cls = config.class_name;
  const name = isDict(config.config) && typeof config.config.name === 'string' ? ` '${config.config.name}'` : '';
  if (cls === 'Sequential') return sequentialFromKeras(config, ctx);
  if (cls === 'Functional' || cls === 'Model') {
    checkBuiltIn(config, `${ctx.where}: the model${name}`);
    return functionalFromKeras(config, ctx);
  }
  throw new Error(`${ctx.where}: the model${name} is of class '${cls}'; keelnet loads Keras Sequential and Functional models `
    + '(a subclassed model cannot be rebuilt from its config)');
}

/**
 * model.weights.h5 names each layer's group by its place in Keras's model.layers, which is the
 * order of the config's layer list. keelnet computes the same order from the graph (tested
 * against Keras); should the two ever differ, the file's groups would be read into the wrong
 * layers, so this refuses instead, naming both orders (nested models too).
 */
export function checkLayerOrder(model: LayersModel, config: unknown, where: string): void {
  const c = isDict(config) ? config.config : undefined;
  const entries = (Array.isArray(c) ? c : isDict(c) && Array.isArray(c.layers) ? c.layers : []).filter(isDict);
  const nameOf = (e: Dict) => (e.name ?? (isDict(e.config) ? e.config.name : undefined)) as string | undefined;
  const theirs = entries.filter((e) => !(model instanceof Sequential && e.class_name === 'InputLayer')).map(nameOf);
  const ours = model.layers.map((l) => l.name);
  if (theirs.join('\0') !== ours.join('\0')) {
    throw new Error(`${where}: the layers of model '${model.name}' come in the order ${ours.join(', ')} in keelnet but ${theirs.join(', ')} in the file; `
      + "model.weights.h5 is laid out by Keras's order, so keelnet refuses rather than guess");
  }
  for (const layer of model.layers) {
    if (layer instanceof ModelLayer) checkLayerOrder(layer.model, entries.find((e) => nameOf(e) === layer.name), `${where}: nested model '${layer.name}'`);
  }
}

/** Refuse custom (Python-registered) objects; `label` names the object in the message. */
function checkBuiltIn(obj: Dict, label: string): void {
  const registered = obj.registered_name;
  if (typeof registered === 'string' && registered !== obj.class_name) {
    throw new Error(`${label}: '${registered}' is a custom class registered in Python; keelnet has only Keras's built-in classes`);
  }
  const module = obj.module;
  if (typeof module === 'string' && module !== 'keras' && !module.startsWith('keras.')) {
    throw new Error(`${label}: class '${String(obj.class_name)}' comes from module '${module}', not from Keras; keelnet has only Keras's built-in classes`);
  }
}

/** Keras 3 `{ module, class_name, config, registered_name, … }` objects → TF.js `{ class_name, config }`, recursively. */
function plainObjects(v: unknown, label: string): unknown {
  if (Array.isArray(v)) return v.map((x) => plainObjects(x, label));
  if (!isDict(v)) return v;
  if (typeof v.class_name === 'string' && 'config' in v) {
    checkBuiltIn(v, label);
    return { class_name: v.class_name, config: plainObjects(v.config, label) };
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainObjects(x, label)]));
}

/** One Keras 3 layer entry → the TF.js form keras-config.ts reads, with the Keras-3-only options checked and removed. */
function tfjsLayerOf(raw: Dict, label: string): Dict {
  checkBuiltIn(raw, label);
  const cls = raw.class_name as string;
  const config = { ...(plainObjects(raw.config ?? {}, label) as Dict) };
  const extra = KERAS3_OPTIONS[cls];
  for (const [key, value] of Object.entries(extra?.accepted ?? {})) {
    if (key in config && config[key] !== null && JSON.stringify(config[key]) !== JSON.stringify(value)) {
      throw new Error(`${label}: ${key} = ${JSON.stringify(config[key])} is not supported by keelnet (only ${JSON.stringify(value)})`);
    }
    delete config[key];
  }
  for (const key of extra?.ignored ?? []) delete config[key];
  if (cls === 'TimeDistributed' && isDict(raw.config) && isDict(raw.config.layer)) {
    config.layer = tfjsLayerOf(raw.config.layer, `${label}, wrapped layer`);
  }
  return { class_name: cls, config };
}

/** A sample shape (no batch axis) from a Keras [null, …] batch shape; fixed sizes only. */
function sampleShape(batchShape: unknown, label: string): number[] | undefined {
  if (!Array.isArray(batchShape)) return undefined;
  const shape = batchShape.slice(1);
  if (shape.some((d) => !Number.isInteger(d) || (d as number) <= 0)) {
    throw new Error(`${label}: input shape [${batchShape.map(String).join(', ')}] has unknown sizes; keelnet needs a fixed shape per sample`);
  }
  return shape as number[];
}

/** InputLayer: the shape, and nothing keelnet would have to ignore. */
function inputLayerShape(config: Dict, label: string): number[] | undefined {
  for (const [key, fine] of [['sparse', false], ['ragged', false], ['optional', false]] as const) {
    if (config[key] !== undefined && config[key] !== null && config[key] !== fine) {
      throw new Error(`${label}: ${key} = ${JSON.stringify(config[key])} is not supported by keelnet (only ${fine})`);
    }
  }
  const dtype = isDict(config.dtype) ? (config.dtype.config as Dict | undefined)?.name : config.dtype;
  if (dtype !== undefined && dtype !== null && dtype !== 'float32') {
    throw new Error(`${label}: dtype ${JSON.stringify(dtype)} is not supported; keelnet computes in float32`);
  }
  return sampleShape(config.batch_shape ?? config.batch_input_shape, label);
}

/** What keelnet cannot honour at the level of a whole model (Sequential or Functional). */
function checkModelOptions(config: Dict, where: string): void {
  if (config.trainable === false) {
    throw new Error(`${where}: the model is frozen (trainable = false at the model level), which keelnet does not support; set trainable on its layers`);
  }
  const dtype = isDict(config.dtype) ? (config.dtype.config as Dict | undefined)?.name : config.dtype;
  if (dtype !== undefined && dtype !== null && dtype !== 'float32') {
    throw new Error(`${where}: the model's dtype policy ${JSON.stringify(dtype)} is not supported; keelnet computes in float32`);
  }
}

const isModelClass = (c: unknown) => c === 'Functional' || c === 'Model' || c === 'Sequential';

/**
 * A Keras 3 Functional config → a keelnet graph. Each layer entry is checked and put in the TF.js
 * form (InputLayer options, Keras-3-only options, custom classes), then graph-topology.ts reads
 * the inbound nodes and modelFromJSON creates the nodes; nested models are read by this module.
 */
function functionalFromKeras(model: Dict, ctx: ReadContext): LayersModel {
  const config = model.config;
  const where = ctx.where;
  if (!isDict(config) || !Array.isArray(config.layers)) throw new Error(`${where}: the Functional config has no layers list`);
  const modelName = typeof config.name === 'string' ? config.name : 'model';
  checkModelOptions(config, `${where}: model '${modelName}'`);
  const layers = config.layers.map((raw: unknown, i) => {
    if (!isDict(raw) || typeof raw.class_name !== 'string') {
      throw new Error(`${where}: model '${modelName}': layer ${i} is not a Keras layer { class_name, config }: ${JSON.stringify(raw)?.slice(0, 120)}`);
    }
    const rawConfig = isDict(raw.config) ? raw.config : {};
    const name = raw.name ?? rawConfig.name;
    const label = `${where}: model '${modelName}': layer '${String(name)}' (${raw.class_name})`;
    if (isModelClass(raw.class_name)) return raw;
    if (raw.class_name === 'InputLayer') {
      checkBuiltIn(raw, label);
      const shape = inputLayerShape(rawConfig, label);
      return { class_name: 'InputLayer', name, inbound_nodes: [], config: { name, batch_shape: shape ? [null, ...shape] : rawConfig.batch_shape } };
    }
    return { ...tfjsLayerOf(raw, label), name, inbound_nodes: raw.inbound_nodes };
  });
  const nested = new Set(config.layers.filter((l) => isDict(l) && isModelClass(l.class_name)).map((l) => (l as Dict).name));
  const shifted = shiftNodes(nested, +1);
  const json = graphFromKeras({ class_name: model.class_name,
    config: { ...config, layers: layers.map((l) => ({ ...l, inbound_nodes: shifted(l.inbound_nodes) })), output_layers: shifted(config.output_layers) } }, ctx, modelFromKerasConfig);
  try {
    return modelFromJSON(json, (l) => (l as NestedModelEntry<LayersModel>).model
      ?? buildLayer(l, `${where}: model '${modelName}': layer '${l.name}' (${l.className})`));
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(message.startsWith(where) ? message : `${where}: ${message}`);
  }
}

/**
 * Node numbers of nested models, between Keras 3 and keelnet: Keras 3.15 numbers a nested model's
 * calls from 0 (the graph's first call of it is `[encoder, 0, 0]`, for Functional and Sequential
 * alike: checked by saving one), keelnet as TF.js from 1 (node 0 is the model's own graph).
 * `by` +1 reads a Keras config, -1 writes one. Returns the function that renumbers refs in a
 * value (inbound nodes, output refs), found as `keras_history` or as [layer, node, tensor] lists.
 */
function shiftNodes(nested: Set<unknown>, by: number): <T>(v: T) => T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      if (v.length >= 3 && typeof v[0] === 'string' && Number.isInteger(v[1]) && nested.has(v[0])) return [v[0], (v[1] as number) + by, ...v.slice(2)];
      return v.map(walk);
    }
    if (!isDict(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return <T>(v: T) => (nested.size ? walk(v) as T : v);
}

function sequentialFromKeras(model: Dict, ctx: ReadContext): Sequential {
  const config = model.config;
  const list = Array.isArray(config) ? config : isDict(config) ? config.layers : undefined;
  const where = ctx.where;
  if (!Array.isArray(list)) throw new Error(`${where}: the Sequential config has no layers list`);
  if (isDict(config)) checkModelOptions(config, where);
  const name = isDict(config) && typeof config.name === 'string' ? config.name : undefined;
  let shape = isDict(config) ? sampleShape(config.build_input_shape, `${where}: build_input_shape`) : undefined;
  const layers: Layer[] = [];
  list.forEach((raw: unknown, i) => {
    if (!isDict(raw) || typeof raw.class_name !== 'string') {
      throw new Error(`${where}: layer ${i} is not a Keras layer { class_name, config }: ${JSON.stringify(raw)?.slice(0, 120)}`);
    }
    const rawConfig = isDict(raw.config) ? raw.config : {};
    const label = `${where}: layer ${i}${typeof rawConfig.name === 'string' ? ` '${rawConfig.name}'` : ''} (${raw.class_name})`;
    if (raw.class_name === 'InputLayer') {
      if (layers.length > 0) throw new Error(`${label}: an InputLayer after other layers is not a Sequential model keelnet can build`);
      shape = inputLayerShape(rawConfig, label) ?? shape;
      return;
    }
    if (layers.length === 0) {
      shape = sampleShape(rawConfig.batch_shape ?? rawConfig.batch_input_shape, label)
        ?? (isDict(raw.build_config) ? sampleShape(raw.build_config.input_shape, label) : undefined) ?? shape;
    }
    const json = layerFromKeras(tfjsLayerOf(raw, label), ctx, `layer ${i}`, shape);
    if (layers.length === 0 && shape) json.config.inputShape = shape;
    const layer = buildLayer(json, label);
    if (shape) {
      try {
        shape = layer.computeOutputShape(shape);
      } catch (e) {
        throw new Error(`${label}: ${(e as Error).message}`);
      }
    }
    layers.push(layer);
  });
  if (layers.length === 0) throw new Error(`${where}: the Sequential model has no layers`);
  if (!layers[0].declaredInputShape) {
    throw new Error(`${where}: the model does not say its input shape (no InputLayer, batch_shape or build_config); keelnet needs it to build the weights`);
  }
  try {
    return new Sequential(layers, name === undefined ? {} : { name });
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

// --- writing ------------------------------------------------------------------------------------

const FLOAT32_POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

/** The Keras module a nested object's class lives in, by the config key that holds it. */
function moduleFor(key: string): string {
  if (key.endsWith('initializer')) return 'keras.initializers';
  if (key.endsWith('regularizer')) return 'keras.regularizers';
  if (key.endsWith('constraint')) return 'keras.constraints';
  return 'keras';
}

/** A TF.js-form layer config (from layerToKeras) → Keras 3's: module/registered_name on objects, renames undone, dtype policy. */
function keras3LayerOf(tfjs: Dict, keelnetClass: string, inputShape: number[] | undefined): Dict {
  const config: Dict = {};
  const renames = Object.entries(kerasLayers[keelnetClass]?.renames ?? {}).map(([keras, ours]) => [toSnakeCase(ours), toSnakeCase(keras)]);
  for (const [key, value] of Object.entries(tfjs.config as Dict)) {
    const k = renames.find(([ours]) => ours === key)?.[1] ?? key;
    if (key === 'layer' && isDict(value)) {
      const inner = (value as Dict).class_name as string;
      config.layer = keras3LayerOf(value, inner, undefined);
    } else if (isDict(value) && typeof value.class_name === 'string') {
      const c = { ...(value.config as Dict) };
      // keras-config.ts writes keelnet's truncatedNormal as TF.js's 'normal'; Keras 3 names it.
      if (value.class_name === 'VarianceScaling' && c.distribution === 'normal') c.distribution = 'truncated_normal';
      config[k] = { module: moduleFor(key), class_name: value.class_name, config: c, registered_name: null };
    } else {
      config[k] = value;
    }
  }
  config.dtype = FLOAT32_POLICY;
  const out: Dict = { module: 'keras.layers', class_name: tfjs.class_name, config, registered_name: null };
  if (inputShape) out.build_config = { input_shape: [null, ...inputShape] };
  return out;
}

/** A keelnet model as Keras 3's `serialize_keras_object(model)` (without compile_config): Sequential or Functional. */
export function kerasConfigFromModel(model: LayersModel): Dict {
  if (!model.built) model.build();
  return model instanceof Sequential ? sequentialToKeras3(model) : functionalToKeras3(model);
}

function sequentialToKeras3(model: Sequential): Dict {
  const inputShape = model.inputShape;
  const layers = model.layers.map((layer) => layerToKeras3(layer, model.name));
  const input = inputLayerToKeras3(`${model.name}_input`, inputShape);
  return {
    module: 'keras', class_name: 'Sequential', registered_name: null,
    config: { name: model.name, trainable: true, dtype: FLOAT32_POLICY, layers: [input, ...layers], build_input_shape: [null, ...inputShape] },
    build_config: { input_shape: [null, ...inputShape] },
  };
}

function inputLayerToKeras3(name: string, shape: readonly number[]): Dict {
  return {
    module: 'keras.layers', class_name: 'InputLayer', registered_name: null,
    config: { batch_shape: [null, ...shape], dtype: 'float32', sparse: false, ragged: false, name, optional: false },
  };
}

function layerToKeras3(layer: Layer, modelName: string): Dict {
  checkWritable(layer, modelName);
  const json = layerToJSON(layer);
  delete json.config.inputShape;
  const shapes = layer.inputShapes;
  const keras = keras3LayerOf(layerToKeras(json), layer.className, undefined);
  if (shapes.length) keras.build_config = { input_shape: layer.arity === 'many' ? shapes.map((s) => [null, ...s]) : [null, ...shapes[0]] };
  return keras;
}

/**
 * A graph as Keras 3's Functional config: every layer (InputLayers and nested models included, in
 * model.layers order) with its name and inbound nodes as `{ args, kwargs }` of Keras tensors — a
 * merge layer's (or a many-input nested model's) args one list of tensors — and the input and
 * output refs, a single ref when the model has one (as Keras writes a model built on one tensor).
 */
function functionalToKeras3(model: LayersModel): Dict {
  const g = model.topology!;
  const json = model.toJSON();
  if (json.className !== 'Model') throw new Error(`${model.name}: expected a graph config`);
  const shapeOf = new Map<string, number[]>();
  for (const t of g.inputs) shapeOf.set(t.name, t.shape);
  for (const n of g.nodes) if (!shapeOf.has(n.layer.name)) shapeOf.set(n.layer.name, n.output.shape);
  const shifted = shiftNodes(new Set(model.layers.filter((l) => l instanceof ModelLayer).map((l) => l.name)), -1);
  const tensor = ([name, node, index]: readonly [string, number, number, ...unknown[]]) => shifted({
    class_name: '__keras_tensor__', config: { shape: [null, ...(shapeOf.get(name) ?? [])], dtype: 'float32', keras_history: [name, node, index] },
  });
  const layers = model.layers.map((layer, i) => {
    const entry = json.config.layers[i];
    let keras: Dict;
    if (layer instanceof InputLayer) keras = inputLayerToKeras3(layer.name, shapeOf.get(layer.name) ?? layer.outputShape);
    else if (layer instanceof ModelLayer) keras = kerasConfigFromModel(layer.model);
    else keras = layerToKeras3(layer, model.name);
    const many = layer.arity === 'many';
    const inbound = entry.inboundNodes.map((node) => ({ args: many ? [node.map(tensor)] : node.map(tensor), kwargs: {} }));
    return { ...keras, name: layer.name, inbound_nodes: inbound };
  });
  const refs = (list: [string, number, number][]) => (list.length === 1 ? [...list[0]] : list.map((r) => [...r]));
  return {
    module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional',
    config: { name: model.name, trainable: true, layers, input_layers: refs(json.config.inputLayers), output_layers: shifted(refs(json.config.outputLayers)) },
    build_config: { input_shape: null },
  };
}

/** keelnet layers with no Keras 3 class cannot go into a Keras file. */
function checkWritable(layer: Layer, model: string): void {
  if (layer.className === 'Residual') {
    throw new Error(`${model}: layer '${layer.name}' (Residual) has no Keras 3 class; a Keras model writes a skip connection `
      + 'as a functional graph: build it with model({ inputs, outputs }) and layers.add({}).apply([x, block(x)]) to save it as a Keras file');
  }
  const inner = (layer as { inner?: Layer }).inner;
  if (inner) checkWritable(inner, model);
}

/**
 * JSON for Keras, as Python's json.dumps would write it in one respect that matters: an optimizer's
 * options are floats (0 → 0.0), because Keras checks `isinstance(x, float)` on some of them (SGD's
 * momentum, every learning_rate), and JSON.stringify writes a whole number without a point. An
 * optimizer is an object of module keras.optimizers, or a legacy training_config's optimizer_config.
 */
export function kerasJSON(value: unknown, floats = false, key = ''): string {
  if (typeof value === 'number') return floats && Number.isInteger(value) ? value.toFixed(1) : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((x) => kerasJSON(x, floats)).join(', ')}]`;
  if (isDict(value)) {
    const optimizer = value.module === 'keras.optimizers' || key === 'optimizer_config';
    const entries = Object.entries(value).filter(([, x]) => x !== undefined);
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${kerasJSON(x, floats || (optimizer && k === 'config'), k)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
