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

const shown = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));

function make(className: Regularizer['className'], l1: unknown, l2: unknown): Regularizer {
  for (const [k, v] of [['l1', l1], ['l2', l2]] as const) {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
      throw new Error(`regularizers.${className.toLowerCase()}: ${k} must be a non-negative number, got ${shown(v)}`);
    }
  }
  return { className, l1: l1 as number, l2: l2 as number };
}

/** A factory's options object ({} when none is given). */
function options<T extends object>(fn: string, args: T | undefined, example: string): T {
  if (args === undefined) return {} as T;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new Error(`regularizers.${fn}: expected an options object such as ${example}, got ${shown(args)}`);
  return args;
}

export const regularizers = {
  /** l1·Σ|x| (Keras 3 default l1 = 0.01). */
  l1: (args?: { l1?: number }) => make('L1', options('l1', args, '{ l1: 0.01 }').l1 ?? 0.01, 0),
  /** l2·Σx² (Keras 3 default l2 = 0.01). */
  l2: (args?: { l2?: number }) => make('L2', 0, options('l2', args, '{ l2: 0.01 }').l2 ?? 0.01),
  /** l1·Σ|x| + l2·Σx² (Keras 3 defaults 0, 0). */
  l1l2: (args?: { l1?: number; l2?: number }) => {
    const { l1 = 0, l2 = 0 } = options('l1l2', args, '{ l1: 0.01, l2: 0.01 }');
    return make('L1L2', l1, l2);
  },
};

export type RegularizerIdentifier = 'l1' | 'l2' | 'l1l2' | 'l1_l2' | string | Regularizer;

const CLASSES: readonly string[] = ['L1', 'L2', 'L1L2'];

/**
 * A regularizer from a name ('l2') or an object: a Regularizer object (what the factories
 * return, or the same shape written by hand) goes through the factories' own checks, so
 * `{ className: 'L2', l2: -1 }` is refused as `regularizers.l2({ l2: -1 })` is.
 */
export function getRegularizer(id: RegularizerIdentifier | undefined | null, what = 'regularizer'): Regularizer | undefined {
  if (id === undefined || id === null) return undefined;
  if (typeof id === 'object') {
    const { className, l1 = 0, l2 = 0 } = id as Partial<Regularizer>;
    if (typeof className !== 'string' || !CLASSES.includes(className)) {
      throw new Error(`${what}: unknown regularizer class ${shown(className)}; expected L1, L2 or L1L2 (from regularizers.l1(), l2(), l1l2()) or a name: ${Object.keys(regularizers).join(', ')}`);
    }
    try {
      return make(className as Regularizer['className'], l1, l2);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    }
  }
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
