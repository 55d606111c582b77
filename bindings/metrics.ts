/**
 * Metrics by name or configured (`metrics.topKCategoricalAccuracy({ k: 3 })`). 'accuracy'/'acc'
 * resolves from the loss as Keras does: sparse labels give sparse categorical accuracy, binary
 * crossentropy gives binary accuracy, otherwise categorical. The key in logs and History is what
 * the user wrote ('acc' stays 'acc', and 'val_acc' for validation, as TF.js and Keras both do).
 *
 * Two kinds of metric:
 * - means of a per-sample value (accuracies, mae, mse): a kernel sums them over a batch, the
 *   caller adds the sums over the epoch and divides by the samples seen;
 * - ratios of counts (precision, recall, auc), which Keras accumulates over the epoch rather than
 *   averaging per batch: a kernel counts, `computeMetric` adds the counts into a state (`stateSize`
 *   floats), and `finalizeMetric` turns the epoch's totals into the value.
 */
import type { Backend } from './backend/backend.js';
import { isSparse, type Loss } from './losses.js';
import { lookup } from './names.js';

export type MetricKind = 'sparseCategoricalAccuracy' | 'categoricalAccuracy' | 'binaryAccuracy'
  | 'topKCategoricalAccuracy' | 'sparseTopKCategoricalAccuracy' | 'meanAbsoluteError' | 'meanSquaredError'
  | 'precision' | 'recall' | 'auc';

/** A metric with options: plain data, so it travels in compileConfig and to a worker. */
export interface MetricConfig {
  /** Which metric: any name `getMetric` takes. */
  name: string;
  /** The key in logs and History; the name as given by default. */
  key?: string;
  /** topKCategoricalAccuracy: how many of the largest predictions count (Keras default 5). */
  k?: number;
  /** binaryAccuracy, precision, recall: a prediction above it is positive (default 0.5). */
  threshold?: number;
  /** auc: evenly spaced thresholds on [0, 1], including the ends (Keras default 200). */
  numThresholds?: number;
}

export type MetricIdentifier = string | MetricConfig;

export interface Metric {
  /** The key in logs and history, as the user wrote it ('accuracy', 'acc', …). */
  key: string;
  kind: MetricKind;
  k: number;
  threshold: number;
  numThresholds: number;
  /** Counts kept over an epoch (precision, recall: TP, FP, FN, TN; auc: two histograms); 0 for a mean of per-sample values. */
  stateSize: number;
}

const kinds: Record<MetricKind | 'accuracy', MetricKind | 'accuracy'> = {
  accuracy: 'accuracy',
  sparseCategoricalAccuracy: 'sparseCategoricalAccuracy',
  categoricalAccuracy: 'categoricalAccuracy',
  binaryAccuracy: 'binaryAccuracy',
  topKCategoricalAccuracy: 'topKCategoricalAccuracy',
  sparseTopKCategoricalAccuracy: 'sparseTopKCategoricalAccuracy',
  meanAbsoluteError: 'meanAbsoluteError',
  meanSquaredError: 'meanSquaredError',
  precision: 'precision',
  recall: 'recall',
  auc: 'auc',
};

// Keras's short names and TF.js's (normalized: no '_', lower case).
const aliases = { acc: 'accuracy', mae: 'meanabsoluteerror', mse: 'meansquarederror', topk: 'topkcategoricalaccuracy' };

/** The options each kind takes; any other is an error naming it. */
const OPTIONS: Partial<Record<MetricKind, (keyof MetricConfig)[]>> = {
  binaryAccuracy: ['threshold'],
  topKCategoricalAccuracy: ['k'],
  sparseTopKCategoricalAccuracy: ['k'],
  precision: ['threshold'],
  recall: ['threshold'],
  auc: ['numThresholds'],
};

/** Factories for metrics with options; each returns a MetricConfig for `compile({ metrics })`. */
export const metrics = {
  binaryAccuracy: (o: { threshold?: number; name?: string } = {}): MetricConfig => config('binaryAccuracy', o),
  topKCategoricalAccuracy: (o: { k?: number; name?: string } = {}): MetricConfig => config('topKCategoricalAccuracy', o),
  sparseTopKCategoricalAccuracy: (o: { k?: number; name?: string } = {}): MetricConfig => config('sparseTopKCategoricalAccuracy', o),
  precision: (o: { threshold?: number; name?: string } = {}): MetricConfig => config('precision', o),
  recall: (o: { threshold?: number; name?: string } = {}): MetricConfig => config('recall', o),
  auc: (o: { numThresholds?: number; name?: string } = {}): MetricConfig => config('auc', o),
};

function config(name: MetricKind, o: { name?: string } & Omit<MetricConfig, 'name' | 'key'>): MetricConfig {
  const { name: key, ...rest } = o;
  const c: MetricConfig = { name, ...rest };
  if (key !== undefined) c.key = key;
  getMetric(c); // validate now, where the user wrote it
  return c;
}

/** Resolve a metric for an output trained with `loss` (which decides 'accuracy' and sparse targets). */
export function getMetric(id: MetricIdentifier, loss?: Loss): Metric {
  const cfg: MetricConfig = typeof id === 'string' ? { name: id } : id;
  if (!cfg || typeof cfg !== 'object' || typeof cfg.name !== 'string') {
    throw new Error(`Unknown metric ${JSON.stringify(id)}; give a name or { name, ...options }`);
  }
  let kind = lookup(kinds, cfg.name, 'metric', aliases);
  const sparse = loss ? isSparse(loss) : undefined;
  if (kind === 'accuracy') {
    kind = sparse ? 'sparseCategoricalAccuracy'
      : loss?.name === 'binaryCrossentropy' || loss?.name === 'meanSquaredError' ? 'binaryAccuracy'
        : 'categoricalAccuracy';
  }
  const allowed = OPTIONS[kind] ?? [];
  for (const key of Object.keys(cfg) as (keyof MetricConfig)[]) {
    if (key !== 'name' && key !== 'key' && !allowed.includes(key) && cfg[key] !== undefined) {
      throw new Error(`metric ${kind}: unknown option '${key}'${allowed.length ? ` (it takes ${allowed.join(', ')})` : ' (it takes none)'}`);
    }
  }
  const k = cfg.k ?? 5, threshold = cfg.threshold ?? 0.5, numThresholds = cfg.numThresholds ?? 200;
  if (!Number.isInteger(k) || k < 1) throw new Error(`metric ${kind}: k must be a positive integer, got ${String(cfg.k)}`);
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw new Error(`metric ${kind}: threshold must be a finite number, got ${String(cfg.threshold)}`);
  if ((kind === 'precision' || kind === 'recall') && !(threshold >= 0 && threshold <= 1)) {
    throw new Error(`metric ${kind}: threshold must be in [0, 1], got ${threshold}`);
  }
  if (!Number.isInteger(numThresholds) || numThresholds < 2) {
    throw new Error(`metric ${kind}: numThresholds must be an integer > 1, got ${String(cfg.numThresholds)}`);
  }
  if (cfg.key !== undefined && (typeof cfg.key !== 'string' || cfg.key === '')) throw new Error(`metric ${kind}: key must be a non-empty string, got ${String(cfg.key)}`);
  const wantsSparse = kind === 'sparseCategoricalAccuracy' || kind === 'sparseTopKCategoricalAccuracy';
  if (sparse !== undefined && wantsSparse !== sparse) {
    throw new Error(sparse
      ? `metric '${cfg.name}': the loss ${loss!.name} takes class ids as targets, and ${kind} needs one value per output unit`
        + (kind === 'topKCategoricalAccuracy' ? ' (use sparseTopKCategoricalAccuracy)' : kind === 'categoricalAccuracy' ? " (use 'accuracy')" : '')
      : `metric '${cfg.name}': ${kind} needs class ids as targets, but the loss ${loss!.name} takes one value per output unit`);
  }
  const stateSize = kind === 'precision' || kind === 'recall' ? 4 : kind === 'auc' ? 2 * numThresholds : 0;
  return { key: cfg.key ?? cfg.name, kind, k, threshold, numThresholds, stateSize };
}

/** A few floats of backend memory for the counting kernels, one block per backend, grown as needed. */
const scratch = new WeakMap<Backend, { ptr: number; floats: number }>();
function countsBuffer(be: Backend, floats: number): number {
  let s = scratch.get(be);
  if (!s || s.floats < floats) {
    if (s) be.free(s.ptr);
    s = { ptr: be.alloc(floats * 4), floats };
    scratch.set(be, s);
  }
  return s.ptr;
}

/**
 * Sum of the metric over `rows` samples (a count of hits for accuracies). A metric with a state
 * (stateSize > 0) instead adds the batch's counts into state[at, at + stateSize) and returns 0.
 */
export function computeMetric(be: Backend, m: Metric, P: number, targets: number, rows: number, cols: number,
  state?: Float64Array, at = 0): number {
  switch (m.kind) {
    case 'sparseCategoricalAccuracy': return be.sparseCategoricalAccuracy(P, targets, rows, cols);
    case 'categoricalAccuracy': return be.categoricalAccuracy(P, targets, rows, cols);
    case 'binaryAccuracy': return be.binaryAccuracy(P, targets, rows, cols, m.threshold);
    case 'topKCategoricalAccuracy': return be.topKCategoricalAccuracy(P, targets, rows, cols, m.k);
    case 'sparseTopKCategoricalAccuracy': return be.sparseTopKCategoricalAccuracy(P, targets, rows, cols, m.k);
    case 'meanAbsoluteError': return be.meanAbsoluteErrorSum(P, targets, rows, cols);
    case 'meanSquaredError': return be.meanSquaredErrorSum(P, targets, rows, cols);
    case 'precision': case 'recall': case 'auc': {
      if (!state) throw new Error(`metric ${m.key}: computeMetric needs a state for its counts`);
      const c = countsBuffer(be, m.stateSize);
      if (m.kind === 'auc') be.thresholdHistogram(c, P, targets, rows * cols, m.numThresholds);
      else be.confusionCounts(c, P, targets, rows * cols, m.threshold);
      const counts = be.read(c, m.stateSize);
      for (let i = 0; i < m.stateSize; i++) state[at + i] += counts[i];
      return 0;
    }
  }
}

/** x / y, 0 where y is 0 (Keras's divide_no_nan). */
const ratio = (x: number, y: number) => (y === 0 ? 0 : x / y);

/**
 * The value of a metric with a state, from its totals: precision TP/(TP+FP), recall TP/(TP+FN),
 * auc the area under the ROC curve by trapezoids over the thresholds (Keras's 'interpolation').
 */
export function finalizeMetric(m: Metric, state: Float64Array, at: number): number {
  if (m.kind === 'precision') return ratio(state[at], state[at] + state[at + 1]);
  if (m.kind === 'recall') return ratio(state[at], state[at] + state[at + 2]);
  // Threshold i counts the entries in buckets ≥ i as predicted positive.
  const n = m.numThresholds, pos = state.subarray(at, at + n), neg = state.subarray(at + n, at + 2 * n);
  let tp = 0, fp = 0;
  for (let b = 0; b < n; b++) { tp += pos[b]; fp += neg[b]; }
  const allPos = tp, allNeg = fp;
  let auc = 0, recall = ratio(tp, allPos), fpr = ratio(fp, allNeg);
  for (let i = 1; i < n; i++) {
    tp -= pos[i - 1];
    fp -= neg[i - 1];
    const r = ratio(tp, allPos), f = ratio(fp, allNeg);
    auc += (fpr - f) * (recall + r) / 2;
    recall = r;
    fpr = f;
  }
  return auc;
}
