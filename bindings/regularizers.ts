/**
 * Weight and activity penalties (Keras 3): L1 = l1·Σ|x|, L2 = l2·Σx², L1L2 = both. The penalty
 * is added to the loss — unscaled, as Keras 3 adds layer losses — and its gradient to the
 * weight's gradient (or, for activity regularizers, to the layer's output gradient).
 */
import type { Backend } from './backend/backend.js';
import { lookup } from './names.js';

export interface Regularizer {
  readonly className: 'L1' | 'L2' | 'L1L2';
  readonly l1: number;
  readonly l2: number;
}

function make(className: Regularizer['className'], l1: number, l2: number): Regularizer {
  for (const [k, v] of [['l1', l1], ['l2', l2]] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`regularizers.${className.toLowerCase()}: ${k} must be a non-negative number, got ${v}`);
  }
  return { className, l1, l2 };
}

export const regularizers = {
  /** l1·Σ|x| (Keras 3 default l1 = 0.01). */
  l1: ({ l1 = 0.01 }: { l1?: number } = {}) => make('L1', l1, 0),
  /** l2·Σx² (Keras 3 default l2 = 0.01). */
  l2: ({ l2 = 0.01 }: { l2?: number } = {}) => make('L2', 0, l2),
  /** l1·Σ|x| + l2·Σx² (Keras 3 defaults 0, 0). */
  l1l2: ({ l1 = 0, l2 = 0 }: { l1?: number; l2?: number } = {}) => make('L1L2', l1, l2),
};

export type RegularizerIdentifier = 'l1' | 'l2' | 'l1l2' | 'l1_l2' | string | Regularizer;

export function getRegularizer(id: RegularizerIdentifier | undefined | null, what = 'regularizer'): Regularizer | undefined {
  if (id === undefined || id === null) return undefined;
  if (typeof id === 'object' && 'className' in id) return id;
  return lookup(regularizers, id, what)();
}

/** The penalty of X (n floats); with G ≠ 0 also adds its gradient into G. */
export function applyRegularizer(be: Backend, r: Regularizer, X: number, G: number, n: number): number {
  let penalty = 0;
  if (r.l1) {
    penalty += r.l1 * be.sumAbs(X, n);
    if (G) be.addScaledSign(G, X, n, r.l1);
  }
  if (r.l2) {
    penalty += r.l2 * be.sumSquares(X, n);
    if (G) be.axpy(G, X, n, 2 * r.l2);
  }
  return penalty;
}
