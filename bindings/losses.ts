/**
 * Losses by name or configured (`losses.categoricalCrossentropy({ fromLogits: true })`), and the
 * one call that computes a batch's loss and its gradient in a kernel. Keras 3 semantics: the
 * per-sample loss averages the last axis; the batch loss is the mean over samples.
 */
import type { Backend } from './backend/backend.js';
import { lookup } from './names.js';

export type LossName = 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy' | 'binaryCrossentropy'
  | 'meanSquaredError' | 'meanAbsoluteError' | 'huber'
  | 'kullbackLeiblerDivergence' | 'hinge' | 'squaredHinge' | 'categoricalHinge' | 'logcosh' | 'poisson'
  | 'cosineSimilarity' | 'meanAbsolutePercentageError' | 'meanSquaredLogarithmicError';

export interface Loss {
  name: LossName;
  /** Predictions are logits, not probabilities. */
  fromLogits: boolean;
  /** Huber's threshold. */
  delta: number;
}

export interface LossOptions { fromLogits?: boolean; delta?: number }

/** The losses added with Keras 3's formulas take no option: one given is an error, never ignored. */
const NO_OPTIONS = new Set<LossName>(['kullbackLeiblerDivergence', 'hinge', 'squaredHinge', 'categoricalHinge', 'logcosh',
  'poisson', 'cosineSimilarity', 'meanAbsolutePercentageError', 'meanSquaredLogarithmicError']);

const shown = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));

/** The one check both `losses.huber({ delta })` and a loss object `{ name: 'huber', delta }` go through. */
function checkedLoss(name: LossName, opts: unknown, extraKeys: readonly string[] = []): Loss {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new Error(`${name}: expected an options object such as { fromLogits: true }, got ${shown(opts)}`);
  const o = opts as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== 'fromLogits' && key !== 'delta' && !extraKeys.includes(key)) throw new Error(`${name}: unknown argument '${key}'; a loss takes fromLogits${name === 'huber' ? ' and delta' : ''}`);
  }
  if (o.fromLogits !== undefined && typeof o.fromLogits !== 'boolean') throw new Error(`${name}: fromLogits must be true or false, got ${shown(o.fromLogits)}`);
  if (o.delta !== undefined && !(typeof o.delta === 'number' && o.delta > 0 && Number.isFinite(o.delta))) {
    throw new Error(`${name}: delta must be a positive number, got ${shown(o.delta)}`);
  }
  if (NO_OPTIONS.has(name)) {
    if (o.fromLogits) throw new Error(`${name}: fromLogits is not an option of this loss (it takes the outputs as they are)`);
    if (o.delta !== undefined && o.delta !== 1) throw new Error(`${name}: delta is not an option of this loss (huber's only)`);
  }
  return { name, fromLogits: (o.fromLogits as boolean | undefined) ?? false, delta: (o.delta as number | undefined) ?? 1 };
}

function make(name: LossName) {
  return (opts: LossOptions = {}): Loss => checkedLoss(name, opts);
}

export const losses = {
  sparseCategoricalCrossentropy: make('sparseCategoricalCrossentropy'),
  categoricalCrossentropy: make('categoricalCrossentropy'),
  binaryCrossentropy: make('binaryCrossentropy'),
  meanSquaredError: make('meanSquaredError'),
  meanAbsoluteError: make('meanAbsoluteError'),
  huber: make('huber'),
  kullbackLeiblerDivergence: make('kullbackLeiblerDivergence'),
  hinge: make('hinge'),
  squaredHinge: make('squaredHinge'),
  categoricalHinge: make('categoricalHinge'),
  logcosh: make('logcosh'),
  poisson: make('poisson'),
  /** −cos(y, ŷ) per sample: −1 when aligned (Keras 3's sign; TF.js's cosineProximity is the same). */
  cosineSimilarity: make('cosineSimilarity'),
  meanAbsolutePercentageError: make('meanAbsolutePercentageError'),
  meanSquaredLogarithmicError: make('meanSquaredLogarithmicError'),
};

// Keras's short names, class names and function names that the table's names do not already cover
// (normalized: no '_', lower case).
const aliases = {
  mse: 'meansquarederror', mae: 'meanabsoluteerror', huberloss: 'huber',
  kld: 'kullbackleiblerdivergence', kldivergence: 'kullbackleiblerdivergence',
  mape: 'meanabsolutepercentageerror', msle: 'meansquaredlogarithmicerror', cosineproximity: 'cosinesimilarity',
};

export function getLoss(id: LossName | string | Loss): Loss {
  if (typeof id === 'object' && id !== null) {
    const base = getLoss((id as { name?: unknown }).name as string);
    const { name: _name, ...opts } = id as unknown as Record<string, unknown>;
    return checkedLoss(base.name, opts);
  }
  return lookup(losses, id, 'loss', aliases)();
}

/** Labels are class indices (int32), not float targets. */
export function isSparse(loss: Loss): boolean {
  return loss.name === 'sparseCategoricalCrossentropy';
}

/**
 * Loss summed over `rows` samples; writes d(mean loss)/dP into dP. With `logits` set, P holds
 * pre-activations and the output's softmax/sigmoid is fused into the loss (log-sum-exp).
 */
export function computeLoss(be: Backend, loss: Loss, dP: number, P: number, targets: number, rows: number, cols: number, logits: boolean): number {
  const fl = logits || loss.fromLogits ? 1 : 0;
  switch (loss.name) {
    case 'sparseCategoricalCrossentropy': return be.sparseCategoricalCrossentropy(dP, P, targets, rows, cols, fl);
    case 'categoricalCrossentropy': return be.categoricalCrossentropy(dP, P, targets, rows, cols, fl);
    case 'binaryCrossentropy': return be.binaryCrossentropy(dP, P, targets, rows, cols, fl);
    case 'meanSquaredError': return be.meanSquaredError(dP, P, targets, rows, cols);
    case 'meanAbsoluteError': return be.meanAbsoluteError(dP, P, targets, rows, cols);
    case 'huber': return be.huber(dP, P, targets, rows, cols, loss.delta);
    case 'kullbackLeiblerDivergence': return be.kullbackLeiblerDivergence(dP, P, targets, rows, cols);
    case 'hinge': return be.hinge(dP, P, targets, rows, cols);
    case 'squaredHinge': return be.squaredHinge(dP, P, targets, rows, cols);
    case 'categoricalHinge': return be.categoricalHinge(dP, P, targets, rows, cols);
    case 'logcosh': return be.logcosh(dP, P, targets, rows, cols);
    case 'poisson': return be.poisson(dP, P, targets, rows, cols);
    case 'cosineSimilarity': return be.cosineSimilarity(dP, P, targets, rows, cols);
    case 'meanAbsolutePercentageError': return be.meanAbsolutePercentageError(dP, P, targets, rows, cols);
    case 'meanSquaredLogarithmicError': return be.meanSquaredLogarithmicError(dP, P, targets, rows, cols);
  }
}
