/**
 * Per-node statistics of the batch a model last ran, read with kernels from planned memory:
 * activation mean/std, dead and saturated fractions, and per weight the gradient and weight
 * norms, the size of an optimizer update relative to the weight, and the spectral norm.
 * Nothing is copied to JS but a handful of numbers (and two small vectors per power iteration).
 */
import type { Backend } from '../backend/backend.js';
import type { Layer, NodeIO, Weight } from '../layers/layer.js';
import type { Executor } from '../engine/executor.js';
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

/**
 * The names the report gives the nodes the engine last ran: a layer's name, and for the second
 * and later uses of a shared layer `name[k]` (k counts its uses in run order).
 */
export function nodeNames(engine: Executor): string[] {
  const uses = new Map<Layer, number>();
  return engine.graph.nodes.map((n) => {
    const k = uses.get(n.layer) ?? 0;
    uses.set(n.layer, k + 1);
    return k === 0 ? n.layer.name : `${n.layer.name}[${k}]`;
  });
}

/**
 * Statistics of every node of the batch the engine last ran, in run order. A shared layer's
 * weights (and their summed gradient) appear once, at its first node. `updateNorms` gives ‖Δw‖
 * per trainable weight.
 */
export function collectLayerStats(engine: Executor, updateNorms?: Map<Weight, number>, spectral = true): LayerStats[] {
  const be = engine.be, batch = engine.lastBatch, acts = engine.acts!, names = nodeNames(engine);
  const seen = new Set<Weight>();
  return engine.graph.nodes.map((node, i) => {
    const l = node.layer, io = acts.ios[i], y = io.y, cols = node.output.shape[node.output.shape.length - 1] ?? 1;
    const n = batch * node.output.size;
    const mean = n ? be.sum(y, n) / n : 0;
    const variance = n ? Math.max(be.sumSquares(y, n) / n - mean * mean, 0) : 0;
    const act = activationOf(l);
    const deadFraction = act === 'relu' || act === 'relu6' ? be.deadColumns(y, batch * (node.output.size / cols), cols) / cols : null;
    const saturatedFraction = act === 'sigmoid' ? be.countOutside(y, n, 0.01, 0.99) / n
      : act === 'tanh' ? be.countOutside(y, n, -0.99, 0.99) / n : null;
    const own = l.weights.filter((w) => engine.params.gradOf.has(w) && !seen.has(w));
    own.forEach((w) => seen.add(w));
    const weights = own.map((w) => weightStats(be, w, engine.params.gradOf.get(w)!, updateNorms?.get(w), spectral));
    const hiddenGradNorms = (l as { hiddenGradNorms?: (be: Backend, io: NodeIO) => number[] }).hiddenGradNorms?.(be, io);
    return {
      name: names[i], className: l.className, activationMean: mean, activationStd: Math.sqrt(variance),
      deadFraction, saturatedFraction, weights, ...(hiddenGradNorms?.length && { hiddenGradNorms }),
    };
  });
}

function weightStats(be: Backend, w: Weight, grad: number, updateNorm: number | undefined, spectral: boolean): WeightStats {
  const gradNorm = Math.sqrt(be.sumSquares(grad, w.size));
  const weightNorm = Math.sqrt(be.sumSquares(w.ptr, w.size));
  return {
    name: `${w.owner}/${w.name}`,
    gradNorm,
    gradMaxAbs: be.maxAbs(grad, w.size),
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

/** The first node (in run order) whose output holds NaN or ±Infinity, and the first weight whose gradient does. */
export function firstNonFinite(engine: Executor): { activation?: string; gradient?: string } {
  const be = engine.be, batch = engine.lastBatch, acts = engine.acts, names = nodeNames(engine), nodes = engine.graph.nodes;
  if (!acts) return {};
  const at = nodes.findIndex((n, i) => be.countNonFinite(acts.ios[i].y, batch * n.output.size) > 0);
  // Gradients go bad from the output backwards: the deepest node with a bad weight gradient is where it started.
  let gradient: string | undefined;
  for (let i = nodes.length - 1; i >= 0 && !gradient; i--) {
    const w = nodes[i].layer.weights.find((w) => {
      const g = engine.params.gradOf.get(w);
      return g !== undefined && be.countNonFinite(g, w.size) > 0;
    });
    if (w) gradient = `${w.owner}/${w.name}`;
  }
  return { activation: at >= 0 ? names[at] : undefined, gradient };
}
