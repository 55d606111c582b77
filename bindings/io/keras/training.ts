/**
 * What a Keras file says about training: the `compile_config` (optimizer, loss, metrics) and the
 * optimizer's variables, so that training resumes where it stopped — in keelnet after Keras, or
 * in Keras after keelnet.
 *
 * Keras 3 optimizer variables, in order (base_optimizer.add_optimizer_variables):
 *   0 iteration (int), 1 learning_rate, then per "slot group", for each trainable variable in
 *   model.trainable_variables order, one variable per slot name (interleaved):
 *     Adam/AdamW: [momentum, velocity], then (amsgrad) [velocity_hat]
 *     SGD:        [momentum] (only when momentum > 0)
 *     RMSprop:    [velocity], then [momentum] (momentum > 0), then [average_gradient] (centered)
 *     Adagrad:    [accumulator]
 * An optimizer Keras never built has only the first two. keelnet's optimizers keep the same
 * numbers as flat state buffers over all trainable floats (layer order, each layer's weights in
 * order — model.trainable_variables' order), so each slot maps to one state buffer.
 */
import type { Backend } from '../../backend/backend.js';
import type { Weight } from '../../layers/layer.js';
import { getLoss, type Loss } from '../../losses.js';
import { getMetric, type MetricConfig, type MetricIdentifier } from '../../metrics.js';
import type { CompileArgs, LayersModel } from '../../models/layers-model.js';
import { optimizers, type Optimizer } from '../../optimizers/index.js';
import { toSnakeCase } from '../keras-config.js';
import { checkedValues, type FoundVariable } from './variables.js';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

// --- compile_config ---------------------------------------------------------------------------------

/** Options of every Keras 3 optimizer: keelnet's name for it, or the only value keelnet accepts (`fixed`). */
const COMMON_OPTIMIZER = {
  renamed: { learning_rate: 'learningRate', weight_decay: 'weightDecay', clipnorm: 'clipnorm', clipvalue: 'clipvalue', global_clipnorm: 'globalClipnorm' },
  fixed: { use_ema: false, ema_overwrite_frequency: null, loss_scale_factor: null, gradient_accumulation_steps: null } as Dict,
  /** Meaningless at the fixed values (ema_momentum without use_ema) or only a label. */
  ignored: ['name', 'ema_momentum'],
};

/** Per class: Keras option → keelnet argument. */
const OPTIMIZER_OPTIONS: Record<string, Record<string, string>> = {
  Adam: { beta_1: 'beta1', beta_2: 'beta2', epsilon: 'epsilon', amsgrad: 'amsgrad' },
  AdamW: { beta_1: 'beta1', beta_2: 'beta2', epsilon: 'epsilon', amsgrad: 'amsgrad' },
  SGD: { momentum: 'momentum', nesterov: 'nesterov' },
  RMSprop: { rho: 'rho', momentum: 'momentum', epsilon: 'epsilon', centered: 'centered' },
  Adagrad: { initial_accumulator_value: 'initialAccumulatorValue', epsilon: 'epsilon' },
};

function optimizerFromKeras(v: unknown, where: string): Optimizer {
  const obj = typeof v === 'string' ? { class_name: v, config: {} } : v;
  if (!isDict(obj) || typeof obj.class_name !== 'string') throw new Error(`${where}: optimizer ${JSON.stringify(v)?.slice(0, 80)} is not a Keras optimizer`);
  const cls = Object.keys(OPTIMIZER_OPTIONS).find((c) => c.toLowerCase() === (obj.class_name as string).toLowerCase());
  if (!cls) throw new Error(`${where}: optimizer class '${obj.class_name}' is not one keelnet has (${Object.keys(OPTIMIZER_OPTIONS).join(', ')})`);
  const args: Dict = {};
  for (const [key, value] of Object.entries(isDict(obj.config) ? obj.config : {})) {
    const label = `${where}: optimizer ${cls} option ${key}`;
    if (COMMON_OPTIMIZER.ignored.includes(key)) continue;
    if (key in COMMON_OPTIMIZER.fixed) {
      if (value !== COMMON_OPTIMIZER.fixed[key] && value !== null) throw new Error(`${label} = ${JSON.stringify(value)} is not supported by keelnet (only ${JSON.stringify(COMMON_OPTIMIZER.fixed[key])})`);
      continue;
    }
    const arg = (COMMON_OPTIMIZER.renamed as Record<string, string>)[key] ?? OPTIMIZER_OPTIONS[cls][key];
    if (!arg) throw new Error(`${label}: keelnet's ${cls} has no such option (value ${JSON.stringify(value)})`);
    if (value === null) continue;
    if (typeof value === 'object') throw new Error(`${label} = ${JSON.stringify(value).slice(0, 120)} (a schedule or object) is not supported; keelnet takes a number`);
    args[arg] = value;
  }
  const factory = (optimizers as Record<string, (a: Dict) => Optimizer>)[cls.toLowerCase()];
  try {
    return factory(args);
  } catch (e) {
    throw new Error(`${where}: optimizer ${cls}: ${(e as Error).message}`);
  }
}

/** Keras loss options keelnet takes, and the ones it accepts only at Keras's defaults. */
const LOSS_OPTIONS = { renamed: { from_logits: 'fromLogits', delta: 'delta' } as Record<string, string>, fixed: { reduction: 'sum_over_batch_size', ignore_class: null, label_smoothing: 0, axis: -1 } as Dict, ignored: ['name', 'dtype'] };

function lossFromKeras(v: unknown, where: string): Loss {
  try {
    if (typeof v === 'string') return getLoss(v);
    if (!isDict(v) || typeof v.class_name !== 'string') throw new Error(`${JSON.stringify(v)?.slice(0, 80)} is not one loss (keelnet models have one output)`);
    const opts: Dict = {};
    for (const [key, value] of Object.entries(isDict(v.config) ? v.config : {})) {
      if (LOSS_OPTIONS.ignored.includes(key)) continue;
      if (key in LOSS_OPTIONS.fixed) {
        if (value !== null && JSON.stringify(value) !== JSON.stringify(LOSS_OPTIONS.fixed[key])) throw new Error(`${v.class_name} option ${key} = ${JSON.stringify(value)} is not supported (only ${JSON.stringify(LOSS_OPTIONS.fixed[key])})`);
        continue;
      }
      if (!LOSS_OPTIONS.renamed[key]) throw new Error(`${v.class_name} option ${key} (= ${JSON.stringify(value)}) is not one keelnet has`);
      opts[LOSS_OPTIONS.renamed[key]] = value;
    }
    return getLoss({ ...getLoss(v.class_name), ...opts } as Loss);
  } catch (e) {
    throw new Error(`${where}: loss: ${(e as Error).message}`);
  }
}

/** Keras compile_config keys that do not change what training computes. */
const COMPILE_IGNORED = ['run_eagerly', 'steps_per_execution', 'jit_compile', 'auto_scale_loss'];

/** The metrics of one output (names, or Keras metric objects with options), each checked against that output's loss. */
function metricNames(list: unknown, loss: Loss, label: string): MetricIdentifier[] {
  const items = typeof list === 'string' || isDict(list) ? [list] : list;
  if (!Array.isArray(items) || items.some((m) => typeof m !== 'string' && !(isDict(m) && typeof m.class_name === 'string'))) {
    throw new Error(`${label}: metrics ${JSON.stringify(list)?.slice(0, 80)} are not metric names`);
  }
  const names: MetricIdentifier[] = items.map((m) => (typeof m === 'string' ? m : metricFromKeras(m as Dict, label)));
  for (const name of names) {
    try {
      getMetric(name, loss);
    } catch (e) {
      throw new Error(`${label}: metrics: ${(e as Error).message} (load with { compile: false } to skip compiling)`);
    }
  }
  return names;
}

/**
 * A Keras 3 compile_config (or a legacy training_config) → keelnet's compile arguments; `where`
 * names the file. A model with several outputs has a loss (and loss weight, and metric list) per
 * output, as a list in output order or an object keyed by output name, as Keras writes either.
 */
export function compileArgsFromKeras(cc: Dict, where: string): CompileArgs & { optimizer: Optimizer } {
  const label = `${where}: compile_config`;
  for (const [key, value] of Object.entries(cc)) {
    if (['optimizer', 'optimizer_config', 'loss', 'metrics', 'loss_weights', ...COMPILE_IGNORED].includes(key)) continue;
    if (key === 'weighted_metrics' && value === null) continue;
    throw new Error(`${label}: ${key} = ${JSON.stringify(value)?.slice(0, 80)} is not supported by keelnet (load with { compile: false } to skip compiling)`);
  }
  const optimizer = optimizerFromKeras(cc.optimizer ?? cc.optimizer_config, label);
  const perOutput = Array.isArray(cc.loss) || (isDict(cc.loss) && !('class_name' in cc.loss));
  if (!perOutput) {
    if (cc.loss_weights !== null && cc.loss_weights !== undefined) throw new Error(`${label}: loss_weights = ${JSON.stringify(cc.loss_weights)} is not supported by keelnet (load with { compile: false } to skip compiling); a model with one output has no weights between losses`);
    const loss = lossFromKeras(cc.loss, label);
    const metrics = cc.metrics === null || cc.metrics === undefined ? [] : metricNames(cc.metrics, loss, label);
    return { optimizer, loss, metrics };
  }
  const keys = Array.isArray(cc.loss) ? cc.loss.map((_, i) => i) : Object.keys(cc.loss as Dict);
  const at = (v: unknown, k: number | string) => (Array.isArray(v) ? v[k as number] : (v as Dict)[k as string]);
  const losses = keys.map((k) => lossFromKeras(at(cc.loss, k), `${label}: output ${JSON.stringify(k)}`));
  const keyed = <T>(values: T[]): T[] | Record<string, T> => (Array.isArray(cc.loss) ? values : Object.fromEntries(keys.map((k, i) => [k, values[i]])));
  const args: CompileArgs & { optimizer: Optimizer } = { optimizer, loss: keyed(losses) as CompileArgs['loss'] };
  if (cc.metrics !== null && cc.metrics !== undefined) {
    const flat = !Array.isArray(cc.metrics) && !isDict(cc.metrics) ? [cc.metrics] : cc.metrics;
    const allOutputs = Array.isArray(flat) && flat.every((m) => typeof m === 'string' || (isDict(m) && 'class_name' in m));
    args.metrics = allOutputs ? metricNames(flat, losses[0], label)
      : keyed(keys.map((k, i) => metricNames(at(flat, k) ?? [], losses[i], `${label}: output ${JSON.stringify(k)}`))) as CompileArgs['metrics'];
  }
  if (cc.loss_weights !== null && cc.loss_weights !== undefined) {
    const weights = keys.map((k) => at(cc.loss_weights, k));
    if (weights.some((w) => typeof w !== 'number')) throw new Error(`${label}: loss_weights ${JSON.stringify(cc.loss_weights)} must give a number per output`);
    args.lossWeights = keyed(weights as number[]) as CompileArgs['lossWeights'];
  }
  return args;
}

/** keelnet's compile arguments as Keras 3's compile_config. */
export function kerasCompileConfig(model: LayersModel): Dict | undefined {
  const c = model.compileConfig;
  if (!c) return undefined;
  const cls = c.optimizer.className;
  if (!OPTIMIZER_OPTIONS[cls]) throw new Error(`save: ${model.name}'s optimizer ${cls} has no Keras 3 class`);
  const oc = c.optimizer.config;
  const config: Dict = {
    name: kerasSnakeName(cls), learning_rate: oc.learningRate, weight_decay: oc.weightDecay || null,
    clipnorm: oc.clipnorm ?? null, global_clipnorm: oc.globalClipnorm ?? null, clipvalue: oc.clipvalue ?? null,
    use_ema: false, ema_momentum: 0.99, ema_overwrite_frequency: null, loss_scale_factor: null, gradient_accumulation_steps: null,
  };
  for (const [keras, ours] of Object.entries(OPTIMIZER_OPTIONS[cls])) config[keras] = oc[ours];
  return {
    optimizer: { module: 'keras.optimizers', class_name: cls, config, registered_name: null },
    loss: Array.isArray(c.loss) ? c.loss.map(kerasLoss) : kerasLoss(c.loss), loss_weights: c.lossWeights ?? null,
    metrics: c.metrics.length ? c.metrics.map((m) => (Array.isArray(m) ? m.map(kerasMetric) : kerasMetric(m))) : null,
    weighted_metrics: null, run_eagerly: false, steps_per_execution: 1, jit_compile: true,
  };
}

/** Keras's optimizer names: Adam → adam, RMSprop → rmsprop (Keras's own auto-name is rm_sprop; either reads back). */
function kerasSnakeName(cls: string): string {
  return cls.toLowerCase();
}

/** Metrics with options as Keras 3 classes: the class name and our option for each Keras config key. */
const KERAS_METRICS: Record<string, { className: string; options: Record<string, keyof MetricConfig> }> = {
  binaryAccuracy: { className: 'BinaryAccuracy', options: { threshold: 'threshold' } },
  topKCategoricalAccuracy: { className: 'TopKCategoricalAccuracy', options: { k: 'k' } },
  sparseTopKCategoricalAccuracy: { className: 'SparseTopKCategoricalAccuracy', options: { k: 'k' } },
  precision: { className: 'Precision', options: { thresholds: 'threshold' } },
  recall: { className: 'Recall', options: { thresholds: 'threshold' } },
  auc: { className: 'AUC', options: { num_thresholds: 'numThresholds' } },
};
/** Keras config entries with these values are what keelnet computes; any other value is refused. */
const KERAS_METRIC_DEFAULTS: Record<string, unknown> = {
  dtype: undefined, curve: 'ROC', summation_method: 'interpolation', multi_label: false, num_labels: null, label_weights: null,
  from_logits: false, top_k: null, class_id: null, thresholds: null,
};

/** A metric as Keras 3 names it: a name as given, or `{ class_name, config }` for one with options. */
function kerasMetric(m: MetricIdentifier): unknown {
  if (typeof m === 'string') return m;
  const kind = getMetric(m).kind, entry = KERAS_METRICS[kind];
  if (!entry) return m.key ?? m.name;
  const config: Dict = { name: m.key ?? toSnakeCase(kind) };
  for (const [keras, ours] of Object.entries(entry.options)) if (m[ours] !== undefined) config[keras] = m[ours];
  return { module: 'keras.metrics', class_name: entry.className, config, registered_name: null };
}

/** A Keras `{ class_name, config }` metric as a keelnet metric; options keelnet lacks are refused by name. */
function metricFromKeras(m: Dict, label: string): MetricIdentifier {
  const name = toSnakeCase(m.class_name as string), cfg = (isDict(m.config) ? m.config : {}) as Dict;
  const kind = getMetric(name).kind, entry = KERAS_METRICS[kind];
  const out: MetricConfig = { name };
  if (typeof cfg.name === 'string') out.key = cfg.name;
  for (const [key, value] of Object.entries(cfg)) {
    if (key === 'name') continue;
    const ours = entry?.options[key];
    if (ours && value !== null) {
      const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
      (out as unknown as Record<string, unknown>)[ours] = v;
    } else if (!(key in KERAS_METRIC_DEFAULTS) || (KERAS_METRIC_DEFAULTS[key] !== undefined && JSON.stringify(KERAS_METRIC_DEFAULTS[key]) !== JSON.stringify(value))) {
      throw new Error(`${label}: metric ${m.class_name as string}: ${key} = ${JSON.stringify(value)} is not supported by keelnet (load with { compile: false } to skip compiling)`);
    }
  }
  return out;
}

/** Losses whose snake_case name Keras 3 does not know (it reads kl_divergence and log_cosh). */
const KERAS_LOSS_NAMES: Partial<Record<Loss['name'], string>> = { kullbackLeiblerDivergence: 'kl_divergence', logcosh: 'log_cosh' };

/** A loss as Keras names it: the snake_case name when it has default options, else `{ class_name, config }`. */
function kerasLoss(loss: Loss): unknown {
  if (!loss.fromLogits && (loss.name !== 'huber' || loss.delta === 1)) return KERAS_LOSS_NAMES[loss.name] ?? toSnakeCase(loss.name);
  const config = loss.name === 'huber' ? { delta: loss.delta } : { from_logits: loss.fromLogits };
  return { module: 'keras.losses', class_name: loss.name[0].toUpperCase() + loss.name.slice(1), config, registered_name: null };
}

// --- optimizer variables -----------------------------------------------------------------------------

/** One group of Keras optimizer slots: for each trainable variable, one Keras variable per name, kept in keelnet state buffer `states[i]`. */
interface SlotGroup { names: string[]; states: number[] }

/** The Keras variable layout of a keelnet optimizer (see the file's header). */
function slotGroups(opt: Optimizer): SlotGroup[] {
  const o = opt as Optimizer & { amsgrad?: boolean; momentum?: number; centered?: boolean };
  switch (opt.className) {
    case 'Adam': case 'AdamW':
      return [{ names: ['momentum', 'velocity'], states: [0, 1] }, ...(o.amsgrad ? [{ names: ['velocity_hat'], states: [2] }] : [])];
    case 'SGD':
      return o.momentum ? [{ names: ['momentum'], states: [0] }] : [];
    case 'RMSprop':
      // keelnet's rmspropUpdate(W, V, A, Mo, …): state 0 velocity, 1 average gradient, 2 momentum.
      return [{ names: ['velocity'], states: [0] }, ...(o.momentum ? [{ names: ['momentum'], states: [2] }] : []), ...(o.centered ? [{ names: ['average_gradient'], states: [1] }] : [])];
    case 'Adagrad':
      return [{ names: ['accumulator'], states: [0] }];
    default:
      throw new Error(`optimizer ${opt.className} has no Keras variable layout`);
  }
}

/**
 * The optimizer state keelnet's Optimizer keeps but does not expose yet: `iterations` is public;
 * the state buffers (`state(i)`: stateBuffers() blocks of n floats over all trainable floats) and
 * the backend are protected. This reads them through the one cast below until Optimizer gains
 * `getState()` / `setState()` (asked for in issue 18's report); nothing else here reaches inside.
 */
function stateAccess(opt: Optimizer): { be: Backend; buffer: (i: number) => number; floats: number } {
  return opt.stateView();
}

/** The optimizer's state, checked against the model, ready to set: nothing is written until `apply`. */
export interface OptimizerState { iterations: number; learningRate: number; buffers: Map<number, Float32Array>; apply(): void }

/**
 * Check a file's optimizer variables against a compiled, built model and prepare them; `where`
 * names the file. `weights` are the model's trainable weights in gradient order
 * (model.engine.params.trainable: Keras's model.trainable_variables, each weight once), the order
 * of the optimizer's state. Two variables only (iteration, learning_rate) is an optimizer Keras never built.
 */
export function readOptimizerState(opt: Optimizer, weights: readonly Weight[], vars: FoundVariable[], where: string): OptimizerState {
  const groups = slotGroups(opt);
  const perVariable = groups.reduce((s, g) => s + g.names.length, 0);
  const expected = 2 + perVariable * weights.length;
  const label = `${where}: optimizer ${opt.className}`;
  if (vars.length !== expected && vars.length !== 2) {
    throw new Error(`${label}: the file has ${vars.length} optimizer variables; the model's ${weights.length} trainable weights need ${expected} `
      + `(iteration, learning_rate${groups.map((g) => `, ${g.names.join('/')} per weight`).join('')}) — the file's optimizer or model differ (load with { compile: false } to skip)`);
  }
  const scalar = (v: FoundVariable, what: string): number => {
    const values = v.dataset.values;
    const x = Array.isArray(values) || values instanceof Float32Array ? Number(values[0]) : NaN;
    if (v.dataset.shape.length !== 0 || !Number.isFinite(x)) throw new Error(`${label}: ${what} at ${v.path} is not a finite scalar`);
    return x;
  };
  const iterations = scalar(vars[0], 'iteration');
  if (!Number.isInteger(iterations) || iterations < 0) throw new Error(`${label}: iteration at ${vars[0].path} is ${iterations}, not a count`);
  const learningRate = scalar(vars[1], 'learning_rate');
  if (!(learningRate >= 0)) throw new Error(`${label}: learning_rate at ${vars[1].path} is ${learningRate}`);
  const total = weights.reduce((s, w) => s + w.size, 0);
  const buffers = new Map<number, Float32Array>();
  if (vars.length === expected && expected > 2) {
    let at = 2;
    for (const g of groups) {
      for (const s of g.states) buffers.set(s, new Float32Array(total));
      let offset = 0;
      for (const w of weights) {
        g.names.forEach((name, k) => {
          const values = checkedValues(vars[at++], w.shape, `${label}: ${name} of weight '${w.owner}/${w.name}'`);
          buffers.get(g.states[k])!.set(values, offset);
        });
        offset += w.size;
      }
    }
  }
  return {
    iterations, learningRate, buffers,
    apply() {
      opt.iterations = iterations;
      // Keras keeps the rate as float32: the compile_config's value stands unless the file's differs (a callback changed it).
      if (Math.fround(opt.learningRate) !== Math.fround(learningRate)) opt.learningRate = learningRate;
      if (buffers.size === 0) return;
      const { be, buffer, floats } = stateAccess(opt);
      if (floats !== total) throw new Error(`${label}: the optimizer spans ${floats} floats; the model's trainable weights ${total}`);
      for (const [state, values] of buffers) be.write(buffer(state), values);
    },
  };
}

/** One optimizer variable as a file holds it; `name` is Keras's variable path with '/' → '_' (legacy .h5 lists it). */
export interface OptimizerVariable { name: string; shape: number[]; values: Float32Array | Int32Array }

/**
 * The optimizer's variables as Keras 3 lists them (iteration, learning_rate, then the slots per
 * trainable weight); only those two before the optimizer is attached to a built model.
 * `weights` are the trainable weights in gradient order (model.engine.params.trainable);
 * `weightPath` names a weight as Keras's variable.path would ('model/dense/kernel').
 */
export function optimizerVariables(opt: Optimizer, weights: readonly Weight[], weightPath: (w: Weight) => string): OptimizerVariable[] {
  const out: OptimizerVariable[] = [
    { name: 'iteration', shape: [], values: Int32Array.of(opt.iterations) },
    { name: 'learning_rate', shape: [], values: Float32Array.of(opt.learningRate) },
  ];
  if (!opt.attached) return out;
  const { be, buffer } = stateAccess(opt);
  const total = weights.reduce((n, w) => n + w.size, 0);
  for (const g of slotGroups(opt)) {
    const states = g.states.map((s) => be.read(buffer(s), total));
    let offset = 0;
    for (const w of weights) {
      const base = weightPath(w).replace(/\//g, '_');
      states.forEach((s, k) => out.push({ name: `${base}_${g.names[k]}`, shape: [...w.shape], values: s.slice(offset, offset + w.size) }));
      offset += w.size;
    }
  }
  return out;
}

