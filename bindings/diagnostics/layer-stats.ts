/**
 * Per-layer statistics of the batch a model last ran, read with kernels from planned memory:
 * activation mean/std, dead and saturated fractions, and per weight the gradient and weight
 * norms, the size of an optimizer update relative to the weight, and the spectral norm.
 * Nothing is copied to JS but a handful of numbers (and two small vectors per power iteration).
 */
import type { Backend } from '../backend/backend.js';
import type { Layer, Weight } from '../layers/layer.js';
import { Random } from '../random.js';

export interface WeightStats {
  /** `layer/weight`, the weight's path. */
  name: string;
  gradNorm: number;
  gradMaxAbs: number;
  weightNorm: number;
  /** ‖Δw‖ / ‖w‖ of the optimizer's update (null when ‖w‖ = 0 or no optimizer is compiled). */
  updateRatio: number | null;
  /** Largest singular value of the kernel viewed as (fan-in, units), by power iteration (null for vectors). */
  spectralNorm: number | null;
}

export interface LayerStats {
  name: string;
  className: string;
  activationMean: number;
  activationStd: number;
  /** Fraction of units that output 0 for every sample of the batch (ReLU-family outputs; null otherwise). */
  deadFraction: number | null;
  /** Fraction of outputs in the flat tails: sigmoid < 0.01 or > 0.99, tanh |y| > 0.99 (null otherwise). */
  saturatedFraction: number | null;
  weights: WeightStats[];
  /**
   * Recurrent layers only: ‖dL/dh_t‖ over the batch for t = T, T−1, …, 1 (processing order), the
   * gradient flowing back through time — it shrinks towards t = 1 when gradients vanish.
   */
  hiddenGradNorms?: number[];
}

/** The activation a layer applies last, if it has a named one (Dense, Activation). */
export function activationOf(layer: Layer): string | undefined {
  const a = (layer as { activation?: { name?: string } }).activation;
  return typeof a?.name === 'string' ? a.name : undefined;
}

/** Statistics of every layer. `updateNorms[i]` is ‖Δw‖ for the i-th trainable weight, in plan order. */
export function collectLayerStats(be: Backend, layers: Layer[], batch: number, updateNorms?: Map<Weight, number>,
  spectral = true): LayerStats[] {
  return layers.map((l) => {
    const n = batch * l.outputSize;
    const mean = n ? be.sum(l.y, n) / n : 0;
    const variance = n ? Math.max(be.sumSquares(l.y, n) / n - mean * mean, 0) : 0;
    const act = activationOf(l);
    const deadFraction = act === 'relu' || act === 'relu6'
      ? be.deadColumns(l.y, batch * (l.outputSize / lastDim(l)), lastDim(l)) / lastDim(l) : null;
    const saturatedFraction = act === 'sigmoid' ? be.countOutside(l.y, n, 0.01, 0.99) / n
      : act === 'tanh' ? be.countOutside(l.y, n, -0.99, 0.99) / n : null;
    const weights = l.weights.filter((w) => w.trainable).map((w) => weightStats(be, w, updateNorms?.get(w), spectral));
    const hiddenGradNorms = (l as { hiddenGradNorms?: (be: Backend) => number[] }).hiddenGradNorms?.(be);
    return {
      name: l.name, className: l.className, activationMean: mean, activationStd: Math.sqrt(variance),
      deadFraction, saturatedFraction, weights, ...(hiddenGradNorms?.length && { hiddenGradNorms }),
    };
  });
}

function lastDim(l: Layer): number {
  return l.outputShape[l.outputShape.length - 1] ?? 1;
}

function weightStats(be: Backend, w: Weight, updateNorm: number | undefined, spectral: boolean): WeightStats {
  const gradNorm = Math.sqrt(be.sumSquares(w.gradPtr, w.size));
  const weightNorm = Math.sqrt(be.sumSquares(w.ptr, w.size));
  return {
    name: `${w.owner}/${w.name}`,
    gradNorm,
    gradMaxAbs: be.maxAbs(w.gradPtr, w.size),
    weightNorm,
    updateRatio: updateNorm === undefined || weightNorm === 0 ? null : updateNorm / weightNorm,
    spectralNorm: spectral && w.shape.length >= 2 ? spectralNorm(be, w) : null,
  };
}

/**
 * σ_max of W viewed as (rows = size / units, units) by power iteration: v ← Wᵀ(Wv)/‖·‖.
 * 30 iterations from a fixed start: ample for a diagnostic, and repeatable.
 */
export function spectralNorm(be: Backend, w: Weight, iterations = 30): number {
  const cols = w.shape[w.shape.length - 1], rows = w.size / cols;
  const u = be.alloc(rows * 4), v = be.alloc(cols * 4);
  const start = new Random(7);
  const v0 = new Float32Array(cols);
  for (let i = 0; i < cols; i++) v0[i] = start.normal();
  be.write(v, v0);
  let sigma = 0;
  for (let it = 0; it < iterations; it++) {
    const nv = Math.sqrt(be.sumSquares(v, cols));
    if (!(nv > 0) || !Number.isFinite(nv)) { sigma = nv > 0 ? nv : 0; break; }
    be.scale(v, 1 / nv, cols);
    be.gemm(u, w.ptr, v, rows, 1, cols, 0, 0, 1, 0);      // u = W v
    sigma = Math.sqrt(be.sumSquares(u, rows));
    be.gemm(v, w.ptr, u, cols, 1, rows, 1, 0, 1, 0);      // v = Wᵀ u
  }
  be.free(u);
  be.free(v);
  return sigma;
}

/** The first layer (in model order) whose output holds NaN or ±Infinity, and the first weight whose gradient does. */
export function firstNonFinite(be: Backend, layers: Layer[], batch: number): { activation?: string; gradient?: string } {
  const activation = layers.find((l) => be.countNonFinite(l.y, batch * l.outputSize) > 0)?.name;
  // Gradients go bad from the output backwards: the deepest layer with a bad gradient is where it started.
  let gradient: string | undefined;
  for (let i = layers.length - 1; i >= 0 && !gradient; i--) {
    const w = layers[i].weights.find((w) => w.gradPtr && be.countNonFinite(w.gradPtr, w.size) > 0);
    if (w) gradient = `${w.owner}/${w.name}`;
  }
  return { activation, gradient };
}
