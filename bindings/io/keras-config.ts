/**
 * keelnet layer configs (camelCase, from getConfig) ↔ the Keras configs of a TF.js Layers
 * `modelTopology` (snake_case, as tfjs-layers' convertTsToPythonic writes them).
 *
 * A layer class maps through one small table entry; with no entry, the keelnet className is the
 * Keras class_name and every argument keeps its name (camelCase ↔ snake_case). Values convert as
 * TF.js converts them: keys snake_cased, string values snake_cased too except `name` and
 * `className`; initializers and regularizers become `{ class_name, config }`.
 *
 * Reading is strict: a Keras argument keelnet does not implement (a constraint, a noise_shape,
 * Keras 3's lora_rank with a value, …) is an error naming the layer, never silently dropped;
 * null values mean "the default" and are dropped.
 *
 * Decisions:
 * - Initializers only shape freshly drawn weights, never loaded ones. TF.js's VarianceScaling
 *   distribution 'normal' is a normal truncated at 2σ *without* Keras's 0.8796 stddev correction;
 *   keelnet reads 'normal' (and 'truncated_normal') as its Keras-3 truncatedNormal (with the
 *   correction) and writes truncatedNormal as 'normal', as TF.js itself writes glorotNormal.
 *   keelnet's untruncatedNormal is written as Keras 3's 'untruncated_normal', which TF.js
 *   rejects: give such layers a TF.js-known initializer if the file must load in TF.js.
 * - hard_sigmoid is clip(0.2·x + 0.5, 0, 1) in TF.js and Keras 2 but relu6(x + 3)/6 in Keras 3 and
 *   keelnet. Files keelnet wrote mean keelnet's; in any other file it is an error rather than a
 *   model that silently predicts differently. (TF.js loading a keelnet file with hard_sigmoid will
 *   use its own formula.)
 */
import { getInitializer } from '../initializers.js';
import { regularizers, type Regularizer } from '../regularizers.js';
import { layerFromJSON, registeredLayerClasses, type LayerJSON } from '../layers/registry.js';
import type { Layer } from '../layers/layer.js';

type Dict = Record<string, unknown>;

/** How one keelnet layer class is written in a Keras/TF.js topology. */
export interface KerasLayerEntry {
  /** Keras class_name, when it differs from the keelnet className. */
  kerasClass?: string;
  /** Keras arguments (camelCase) keelnet takes under another name: Keras 3's LeakyReLU negative_slope is alpha (the name TF.js writes). */
  renames?: Record<string, string>;
  /** Arguments Keras/TF.js write that keelnet lacks: written with this value; read only if they hold it (or null). */
  fixed?: Dict;
  /** Optional keelnet arguments written as null when unset (as TF.js writes them). */
  nulls?: string[];
  /** Arguments Keras 3 may write that keelnet lacks, accepted on reading only with this value. */
  accepted?: Dict;
  /** Keras arguments read and dropped because they do not change what the layer computes (LSTM's implementation). */
  ignored?: string[];
  /** TF.js names the wrapped layer's weights after the wrapper (`time_distributed/kernel`), not after the wrapped layer. */
  weightsNamedByWrapper?: boolean;
  /** Last fix-up of a config being read, with the layer's input shape (no batch axis) when known. */
  read?: (config: Dict, inputShape: number[] | undefined, layer: string) => void;
}

/** Keras 'axis' for a last-axis-only layer: -1, the last index counting the batch axis, or a one-element list of either. */
function lastAxis(config: Dict, inputShape: number[] | undefined, layer: string): void {
  let axis = config.axis;
  if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
  if (typeof axis === 'number' && axis >= 0) {
    if (!inputShape) throw new Error(`${layer}: axis ${axis} cannot be checked without the model's input shape`);
    if (axis === inputShape.length) axis = -1;
  }
  if (axis !== undefined) config.axis = axis;
}

const constraints = (...names: string[]): Dict => Object.fromEntries(names.map((n) => [`${n}Constraint`, null]));

export const kerasLayers: Record<string, KerasLayerEntry> = {
  Dense: { fixed: constraints('kernel', 'bias'), nulls: ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer'], accepted: { loraRank: null } },
  Conv2D: { fixed: constraints('kernel', 'bias'), nulls: ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer'], accepted: { groups: 1, loraRank: null } },
  Conv1D: { fixed: constraints('kernel', 'bias'), nulls: ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer'], accepted: { groups: 1, loraRank: null } },
  Conv2DTranspose: { fixed: constraints('kernel', 'bias'), nulls: ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer'], accepted: { loraRank: null } },
  DepthwiseConv2D: { fixed: constraints('depthwise', 'bias'), nulls: ['depthwiseRegularizer', 'biasRegularizer', 'activityRegularizer'] },
  SeparableConv2D: { fixed: constraints('depthwise', 'pointwise', 'bias'), nulls: ['depthwiseRegularizer', 'pointwiseRegularizer', 'biasRegularizer', 'activityRegularizer'] },
  Softmax: { read: lastAxis },
  // TF.js's SpatialDropout1D is a Dropout whose noise shape it sets itself: the value read is not an argument.
  SpatialDropout1D: { ignored: ['noiseShape'] },
  BatchNormalization: {
    fixed: { betaRegularizer: null, gammaRegularizer: null, ...constraints('beta', 'gamma') },
    accepted: { synchronized: false }, read: lastAxis,
  },
  LayerNormalization: { fixed: { betaRegularizer: null, gammaRegularizer: null }, accepted: { rmsScaling: false, ...constraints('beta', 'gamma') }, read: lastAxis },
  PReLU: { fixed: constraints('alpha'), nulls: ['alphaRegularizer'] },
  LeakyReLU: { renames: { negativeSlope: 'alpha' } },
  Dropout: { fixed: { noiseShape: null } },
  SimpleRNN: recurrent(),
  LSTM: recurrent(),
  GRU: {
    ...recurrent(),
    read: (config, _shape, layer) => {
      if (config.resetAfter === false) {
        throw new Error(`${layer}: reset_after = false (the GRU of TF.js and Keras 2) is not supported; keelnet's GRU is Keras 3's reset_after = true`);
      }
    },
  },
  Embedding: { fixed: { embeddingsConstraint: null, maskZero: false }, nulls: ['embeddingsRegularizer', 'activityRegularizer'], ignored: ['inputLength'] },
  TimeDistributed: { weightsNamedByWrapper: true },
};

/** SimpleRNN, LSTM, GRU: what TF.js writes beyond keelnet's arguments. */
function recurrent(): KerasLayerEntry {
  return {
    fixed: { ...constraints('kernel', 'recurrent', 'bias'), returnState: false, stateful: false, unroll: false },
    nulls: ['kernelRegularizer', 'recurrentRegularizer', 'biasRegularizer', 'activityRegularizer'],
    ignored: ['implementation', 'zeroOutputForMask'],
  };
}

/** The name each weight of these layers has in a file, in getWeights() order. */
export function savedWeightNames(layers: readonly Layer[]): string[] {
  // Each weight once (a layer shared with a nested model is listed by both), as getWeights lists them.
  const seen = new Set<unknown>();
  return layers.flatMap((l) => l.weights.filter((w) => !seen.has(w) && seen.add(w))
    .map((w) => `${kerasLayers[l.className]?.weightsNamedByWrapper ? l.name : w.owner}/${w.name}`));
}

/** Keys every Keras layer config may carry that keelnet takes elsewhere (the model's input shape) or not at all. */
const LAYER_BOOKKEEPING = new Set(['batchInputShape', 'batchShape', 'inputShape', 'batchSize', 'dtype', 'sparse', 'ragged', 'inputDtype']);

// --- TF.js's serialization_utils ---------------------------------------------------------------

/** generic_utils.toSnakeCase of tfjs-layers. */
export function toSnakeCase(name: string): string {
  const s = name.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return s[0] !== '_' ? s : 'private' + s;
}

/** generic_utils.toCamelCase of tfjs-layers. */
export function toCamelCase(id: string): string {
  if (id.length <= 1 || !id.includes('_')) return id;
  return id.replace(/[_]+(\w|$)/g, (_m, p1: string) => p1.toUpperCase());
}

/** convertTsToPythonic: snake_case keys and string values, except the values of name and className. */
export function toPythonic(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return toSnakeCase(v);
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toPythonic);
  const out: Dict = {};
  for (const [k, x] of Object.entries(v as Dict)) {
    out[toSnakeCase(k)] = (k === 'name' || k === 'className') && typeof x === 'string' ? x : toPythonic(x);
  }
  return out;
}

/** convertPythonicToTs: camelCase keys and string values, except the value of name. */
export function fromPythonic(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return toCamelCase(v);
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(fromPythonic);
  const out: Dict = {};
  for (const [k, x] of Object.entries(v as Dict)) {
    out[k === 'name' ? k : toCamelCase(k)] = k === 'name' && typeof x === 'string' ? x : fromPythonic(x);
  }
  return out;
}

// --- initializers and regularizers ---------------------------------------------------------------

const SEEDED = new Set(['RandomUniform', 'RandomNormal', 'TruncatedNormal', 'Orthogonal']);

/** A keelnet initializer (name, serialized or object) as TF.js's serializeInitializer writes it (TS side). */
function initializerToKeras(id: unknown, what: string): Dict {
  const init = getInitializer(id as never, what);
  const c = init.config;
  if ('mode' in c && 'distribution' in c) {
    const distribution = c.distribution === 'truncatedNormal' ? 'normal' : c.distribution;
    return { className: 'VarianceScaling', config: { scale: c.scale, mode: c.mode, distribution, seed: null } };
  }
  return { className: init.className, config: SEEDED.has(init.className) ? { ...c, seed: null } : { ...c } };
}

/** Initializers by name (the layers' defaults among them); a file's initializer equal to one reads back as its name. */
const NAMED_INITIALIZERS = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal', 'zeros', 'ones', 'orthogonal', 'uniform'];

/** Run a reader of one argument, its errors led by `what` (the file, the layer and the argument). */
function named<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

/** A Keras initializer `{ className, config }` or name (already camelCased) as keelnet stores it: a name, or `{ className, config }`. */
function initializerFromKeras(v: unknown, what: string): string | Dict {
  if (typeof v !== 'string' && (typeof v !== 'object' || v === null || Array.isArray(v) || typeof (v as Dict).className !== 'string')) {
    throw new Error(`${what}: expected an initializer name or { class_name, config }, got ${JSON.stringify(toPythonic(v))}`);
  }
  const init = named(what, () => {
    if (typeof v === 'string') return getInitializer(v, 'initializer');
    const { className, config = {} } = v as { className?: string; config?: Dict };
    const c = { ...config };
    delete c.seed;
    if (c.distribution === 'normal') c.distribution = 'truncatedNormal';
    return getInitializer({ className, config: c } as never, 'initializer');
  });
  const known = NAMED_INITIALIZERS.find((n) => {
    const ref = getInitializer(n);
    return (ref.className === init.className || (init.className === 'VarianceScaling' && 'mode' in ref.config)) && same(ref.config, init.config);
  });
  return known ?? { className: init.className, config: init.config };
}

function regularizerToKeras(r: Regularizer): Dict {
  return { className: 'L1L2', config: { l1: r.l1, l2: r.l2 } };
}

function regularizerFromKeras(v: unknown, what: string): Regularizer {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new Error(`${what}: expected a regularizer { class_name, config }, got ${JSON.stringify(toPythonic(v))}`);
  }
  const { className, config = {} } = v as { className?: string; config?: { l1?: number; l2?: number } };
  const l1 = config.l1 ?? 0, l2 = config.l2 ?? 0;
  return named(what, () => {
    if (className === 'L1') return regularizers.l1({ l1 });
    if (className === 'L2') return regularizers.l2({ l2 });
    if (className !== 'L1L2') throw new Error(`unknown regularizer class ${JSON.stringify(className) ?? String(className)}; keelnet reads L1, L2, L1L2`);
    // TF.js writes l1() and l2() as L1L2 with a zero; read them back as the one they are.
    return l2 === 0 && l1 > 0 ? regularizers.l1({ l1 }) : l1 === 0 && l2 > 0 ? regularizers.l2({ l2 }) : regularizers.l1l2({ l1, l2 });
  });
}

// --- layers ----------------------------------------------------------------------------------------

const isLayerJSON = (v: unknown): v is LayerJSON => typeof v === 'object' && v !== null && typeof (v as LayerJSON).className === 'string' && 'config' in (v as object);

/** One keelnet layer config (from layerToJSON, inputShape removed by the caller) → a Keras `{ class_name, config }`. */
export function layerToKeras(json: LayerJSON): Dict {
  const entry = kerasLayers[json.className] ?? {};
  const ts: Dict = {};
  for (const [key, value] of Object.entries(json.config)) {
    if (key === 'inputShape' || value === undefined) continue;
    const what = `${String(json.config.name)}: ${key}`;
    if (key.endsWith('Initializer')) ts[key] = initializerToKeras(value, what);
    else if (key.endsWith('Regularizer')) ts[key] = value === null ? null : regularizerToKeras(value as Regularizer);
    else ts[key] = value;
  }
  for (const k of entry.nulls ?? []) if (!(k in ts)) ts[k] = null;
  Object.assign(ts, entry.fixed);
  // Nested layers (Residual's block) are written whole, each through its own entry.
  const out = toPythonic(Object.fromEntries(Object.entries(ts).filter(([k]) => k !== 'layers' && k !== 'layer'))) as Dict;
  if (Array.isArray(ts.layers)) out.layers = (ts.layers as LayerJSON[]).map(layerToKeras);
  if (isLayerJSON(ts.layer)) out.layer = layerToKeras(ts.layer);
  return { class_name: entry.kerasClass ?? json.className, config: out };
}

export interface ReadContext {
  /** Where the topology came from, for messages. */
  where: string;
  /** The file was written by keelnet (hard_sigmoid means keelnet's). */
  fromKeelnet: boolean;
}

/** Which keelnet class a Keras class_name maps to (undefined: unsupported). */
function keelnetClass(kerasClass: string): string | undefined {
  return registeredLayerClasses().find((c) => (kerasLayers[c]?.kerasClass ?? c) === kerasClass);
}

/** The Keras class names keelnet reads. */
export function supportedKerasClasses(): string[] {
  return registeredLayerClasses().map((c) => kerasLayers[c]?.kerasClass ?? c);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A Keras layer `{ class_name, config }` → a keelnet LayerJSON (camelCase, validated later by the
 * layer's own constructor). `label` names the layer in messages; `inputShape` (no batch axis) is
 * the layer's input when known.
 */
export function layerFromKeras(k: unknown, ctx: ReadContext, label: string, inputShape?: number[]): LayerJSON {
  if (typeof k !== 'object' || k === null || typeof (k as Dict).class_name !== 'string') {
    throw new Error(`${ctx.where}: ${label} is not a Keras layer { class_name, config }: ${JSON.stringify(k)?.slice(0, 120)}`);
  }
  const kerasClass = (k as Dict).class_name as string;
  const raw = ((k as Dict).config ?? {}) as Dict;
  const name = typeof raw.name === 'string' ? raw.name : undefined;
  const where = `${ctx.where}: ${label}${name ? ` '${name}'` : ''} (${kerasClass})`;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: config must be an object, got ${JSON.stringify(raw)?.slice(0, 120)}`);
  if (raw.name !== undefined && raw.name !== null && (name === undefined || name === '' || name.includes('/'))) {
    throw new Error(`${where}: name ${JSON.stringify(raw.name)} is not a layer name; it must be a non-empty string without '/' (as Keras requires: '/' separates the layer from the weight in weight names)`);
  }
  const className = keelnetClass(kerasClass);
  if (!className) {
    throw new Error(`${where}: keelnet cannot load layer class '${kerasClass}'; supported classes: ${supportedKerasClasses().join(', ')}`);
  }
  const entry = kerasLayers[className] ?? {};
  const config: Dict = {};
  for (const [pyKey, value] of Object.entries(raw)) {
    const key = pyKey === 'name' ? pyKey : toCamelCase(pyKey);
    if (value === null || LAYER_BOOKKEEPING.has(key) || entry.ignored?.includes(key)) continue;
    const allowed = entry.fixed && key in entry.fixed ? entry.fixed : entry.accepted && key in entry.accepted ? entry.accepted : undefined;
    if (allowed) {
      if (!same(fromPythonic(value), allowed[key])) {
        throw new Error(`${where}: ${pyKey} = ${JSON.stringify(value)} is not supported by keelnet (only ${JSON.stringify(allowed[key])})`);
      }
      continue;
    }
    const arg = entry.renames?.[key] ?? key;
    const what = `${where}: ${pyKey}`;
    if (key.endsWith('Initializer')) config[arg] = initializerFromKeras(fromPythonic(value), what);
    else if (key.endsWith('Regularizer')) config[arg] = regularizerFromKeras(fromPythonic(value), what);
    else if (key === 'layers' && Array.isArray(value)) config.layers = value.map((l, i) => layerFromKeras(l, ctx, `${label} inner layer ${i}`));
    else if (key === 'layer') config.layer = layerFromKeras(value, ctx, `${label} wrapped layer`);
    else config[arg] = key === 'name' ? value : fromPythonic(value);
    if ((key === 'activation' || key.endsWith('Activation')) && config[arg] === 'hardSigmoid' && !ctx.fromKeelnet) {
      throw new Error(`${where}: ${pyKey} 'hard_sigmoid' is clip(0.2·x + 0.5, 0, 1) in TF.js and Keras 2, but relu6(x + 3)/6 in Keras 3 `
        + 'and keelnet; loading it would change the predictions, so keelnet refuses (use sigmoid, or re-save with Keras 3)');
    }
  }
  // TF.js writes dtype as a string, Keras 3 as a DTypePolicy { class_name, config: { name } }.
  const dtype = typeof raw.dtype === 'object' && raw.dtype !== null ? ((raw.dtype as Dict).config as Dict | undefined)?.name : raw.dtype;
  if (dtype !== undefined && dtype !== null && dtype !== 'float32') throw new Error(`${where}: dtype ${JSON.stringify(dtype)} is not supported; keelnet computes in float32`);
  entry.read?.(config, inputShape, where);
  return { className, config };
}

/** Build the layer and refuse arguments it did not take (anything its getConfig does not echo). */
export function buildLayer(json: LayerJSON, where: string): Layer {
  let layer: Layer;
  try {
    layer = layerFromJSON(json);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
  checkArguments(json, layer.getConfig(), where);
  return layer;
}

/** Every argument given must come back from getConfig (nested layers too), or keelnet ignored it. */
function checkArguments(given: LayerJSON, echoed: Dict, where: string): void {
  const unknown = Object.keys(given.config).filter((k) => !(k in echoed) && k !== 'inputShape');
  if (unknown.length) {
    throw new Error(`${where}: keelnet's ${given.className} has no argument ${unknown.map((k) => `${toSnakeCase(k)} (= ${JSON.stringify(given.config[k])})`).join(', ')}`);
  }
  const inner = given.config.layers, echoedInner = echoed.layers;
  if (Array.isArray(inner) && Array.isArray(echoedInner)) {
    inner.forEach((l: LayerJSON, i) => checkArguments(l, (echoedInner[i] as LayerJSON).config, `${where}, inner layer ${i} '${String(l.config.name)}'`));
  }
}
