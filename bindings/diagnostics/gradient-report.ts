/**
 * gradientReport: one forward/backward pass on a batch, per-layer statistics, and a verdict —
 * healthy, vanishing, exploding, dead or nonfinite — naming the layers responsible and the
 * remedies. The model's weights (trainable and not) and optimizer state are left as they were.
 *
 * The verdict, in order of precedence (thresholds in `GradientThresholds`, all configurable):
 *  - nonfinite: the loss, an activation or a gradient is NaN/±Infinity; culprit: the first layer
 *    whose output went bad, else the deepest layer whose gradient did.
 *  - exploding: magnitudes, not ratios — in a network whose initialization is too large every
 *    layer's gradient is huge and the first-to-last ratio stays near 1. Any of: an update larger
 *    than `explodingUpdateRatio`·‖w‖; activations whose RMS grows by more than
 *    `explodingGrowth`× per layer on average up to an RMS above `explodingActivationRms`;
 *    a gradient norm above `explodingGradNorm`.
 *  - dead: a ReLU layer with at least `deadFraction` of its units silent on the whole batch.
 *    (At initialization a deep ReLU + He network has up to ~45% such units: normal, not dead.)
 *  - vanishing: a layer's kernel-gradient norm below `vanishingRatio` × the output layer's; or
 *    the signal itself fading — the last hidden layer's activation RMS below
 *    `vanishingActivationRatio` × the first layer's (ReLU stacks with Glorot initialization lose
 *    √2 per layer), which starves every layer's gradient alike and so hides from the ratio.
 */
import type { Weight } from '../layers/layer.js';
import type { EngineModel } from '../engine/model-api.js';
import type { Executor } from '../engine/executor.js';
import { collectLayerStats, firstNonFinite, type LayerStats } from './layer-stats.js';

export type GradientStatus = 'healthy' | 'vanishing' | 'exploding' | 'dead' | 'nonfinite';

export interface GradientThresholds {
  /** Kernel gradient norm / the output layer's below this: vanishing (default 1e-3). */
  vanishingRatio: number;
  /** Last hidden layer's activation RMS / the first layer's below this: vanishing signal (default 0.02). */
  vanishingActivationRatio: number;
  /**
   * ‖Δw‖/‖w‖ of one update above this: exploding (default 10). Healthy layers sit near 1e-3–1e-2;
   * a kernel initialized near zero (the last kernel of a residual block) legitimately sees ~1.
   */
  explodingUpdateRatio: number;
  /** Mean growth of the activation RMS per layer above this… (default 1.25; He-initialized ReLU stacks stay near 1, a default-initialized residual stack grows ~√2 per block) */
  explodingGrowth: number;
  /** …reaching an activation RMS above this: exploding (default 100). */
  explodingActivationRms: number;
  /** Any gradient norm above this: exploding (default 1e4). */
  explodingGradNorm: number;
  /** Fraction of a ReLU layer's units silent on the whole batch at or above this: dead (default 0.9). */
  deadFraction: number;
}

export const defaultThresholds: GradientThresholds = {
  vanishingRatio: 1e-3,
  vanishingActivationRatio: 0.02,
  explodingUpdateRatio: 10,
  explodingGrowth: 1.25,
  explodingActivationRms: 100,
  explodingGradNorm: 1e4,
  deadFraction: 0.9,
};

export interface GradientReportData {
  status: GradientStatus;
  culprits: string[];
  advice: string[];
  loss: number;
  /** Kernel-gradient norm of the first layer with a kernel over the last one's (along `path`). */
  firstToLastRatio: number | null;
  /**
   * The nodes of the longest path from an input to an output, where the ratio is taken and a
   * vanishing or exploding gradient is traced (every layer, for a chain).
   */
  path: string[];
  layers: LayerStats[];
  thresholds: GradientThresholds;
}

export class GradientReport implements GradientReportData {
  status: GradientStatus = 'healthy';
  culprits: string[] = [];
  advice: string[] = [];
  loss = 0;
  firstToLastRatio: number | null = null;
  path: string[] = [];
  layers: LayerStats[] = [];
  thresholds: GradientThresholds = defaultThresholds;

  constructor(data: GradientReportData) {
    Object.assign(this, data);
  }

  toJSON(): GradientReportData {
    const { status, culprits, advice, loss, firstToLastRatio, path, layers, thresholds } = this;
    return structuredClone({ status, culprits, advice, loss, firstToLastRatio, path, layers, thresholds });
  }

  /** A readable table: one row per weight, then the verdict and the advice. */
  toString(): string {
    const f = (v: number | null, d = 2) => (v === null ? '-' : !Number.isFinite(v) ? String(v) : v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2 ? v.toExponential(d) : v.toFixed(3));
    const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(0)}%`);
    const head = ['layer', 'act mean', 'act std', 'dead', 'saturated', 'weight', '‖grad‖', 'max|g|', '‖w‖', '‖Δw‖/‖w‖', 'σmax'];
    const rows: string[][] = [];
    for (const l of this.layers) {
      const first = [`${l.name} (${l.className})`, f(l.activationMean), f(l.activationStd), pct(l.deadFraction), pct(l.saturatedFraction)];
      if (l.weights.length === 0) rows.push([...first, '', '', '', '', '', '']);
      l.weights.forEach((w, i) => rows.push([...(i === 0 ? first : first.map(() => '')), w.name.split('/').pop()!,
        f(w.gradNorm), f(w.gradMaxAbs), f(w.weightNorm), f(w.updateRatio), f(w.spectralNorm)]));
    }
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    const out = [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
    out.push('', `status: ${this.status}${this.culprits.length ? ` (${this.culprits.join(', ')})` : ''}` +
      `  loss ${f(this.loss, 3)}  first-to-last gradient ratio ${f(this.firstToLastRatio)}`);
    for (const a of this.advice) out.push(`  - ${a}`);
    for (const l of this.layers) {
      const h = l.hiddenGradNorms;
      if (!h?.length) continue;
      out.push(`${l.name}: ‖dL/dh_t‖ for t = T…1: ${f(h[0])} … ${f(h[h.length - 1])} (first/last step ${f(h[h.length - 1] / h[0])})`);
    }
    return out.join('\n');
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The gradient report of `model` on one batch (x, y). */
export function gradientReport(model: EngineModel, x: unknown, y: unknown, thresholds: Partial<GradientThresholds> = {}): GradientReport {
  if (!model.built) throw new Error(`gradientReport: ${model.name} is not built; give the first layer an inputShape or fit it first`);
  const t = { ...defaultThresholds, ...thresholds };
  for (const [k, v] of Object.entries(t)) {
    if (!(typeof v === 'number' && v > 0)) throw new Error(`gradientReport: threshold ${k} must be a positive number, got ${String(v)}`);
  }
  // computeGradients leaves every weight as it was (moving statistics included).
  const { loss } = model.computeGradients(x, y);
  const e = model.engine, optimizer = model.optimizer;
  const norms = optimizer?.attached ? optimizer.simulateUpdateNorms() : undefined;
  const updateNorms = norms ? new Map<Weight, number>(e.params.trainable.map((w, i) => [w, norms[i]])) : undefined;
  const layers = collectLayerStats(e, updateNorms);
  const bad = Number.isFinite(loss) ? undefined : firstNonFinite(e);
  return diagnose(layers, loss, t, bad, signalPaths(e));
}

/** Where a graph's diagnosis reads ratios and the signal: see `signalPaths`. */
export interface SignalPaths {
  /** The longest path from an input to an output (node indices in run order). */
  longest: number[];
  /** The nodes of it that every input-to-output path passes through (a residual network's stem, block outputs and head). */
  trunk: number[];
}

/**
 * For a graph with skip connections: the first-to-last gradient ratio is taken along the longest
 * path, and the signal's growth or fading along its trunk — the nodes no path can bypass — since
 * inside a bypassed branch (a residual block's inner layers) the scale says nothing about depth.
 * For a chain both are every node.
 */
export function signalPaths(engine: Executor): SignalPaths {
  const longest = longestPath(engine);
  // Paths counted modulo a prime: a node is on every path when (paths to it)·(paths from it) = all paths.
  const P = 2147483647n, nodes = engine.graph.nodes, g = engine.graph;
  const to = nodes.map(() => 0n), from = nodes.map(() => 0n);
  nodes.forEach((n, i) => {
    for (const t of n.inputs) to[i] = (to[i] + (t.producer ? to[t.producer.index] : 1n)) % P;
  });
  for (const t of g.outputs) if (t.producer) from[t.producer.index] = (from[t.producer.index] + 1n) % P;
  for (let i = nodes.length - 1; i >= 0; i--) {
    for (const t of nodes[i].inputs) if (t.producer) from[t.producer.index] = (from[t.producer.index] + from[i]) % P;
  }
  let all = 0n;
  for (const t of g.outputs) if (t.producer) all = (all + to[t.producer.index]) % P;
  const trunk = longest.filter((i) => (to[i] * from[i]) % P === all);
  return { longest, trunk: trunk.length >= 2 ? trunk : longest };
}

function longestPath(engine: Executor): number[] {
  const nodes = engine.graph.nodes, length = new Array<number>(nodes.length).fill(1), from = new Array<number>(nodes.length).fill(-1);
  nodes.forEach((n, i) => {
    for (const t of n.inputs) {
      const p = t.producer;
      if (p && length[p.index] + 1 > length[i]) { length[i] = length[p.index] + 1; from[i] = p.index; }
    }
  });
  let end = -1;
  for (const t of engine.graph.outputs) if (t.producer && (end < 0 || length[t.producer.index] > length[end])) end = t.producer.index;
  const path: number[] = [];
  for (let i = end; i >= 0; i = from[i]) path.push(i);
  return path.reverse();
}

const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(1) : String(v));

/** The verdict from per-layer statistics. Exported for the gradient monitor. */
export function diagnose(layers: LayerStats[], loss: number, t: GradientThresholds,
  bad?: { activation?: string; gradient?: string }, paths?: SignalPaths): GradientReport {
  // The first-to-last ratio along the longest path, the signal along its trunk (a chain: every node for both).
  const longest = paths ? paths.longest.map((i) => layers[i]) : layers;
  const chain = paths ? paths.trunk.map((i) => layers[i]) : layers;
  const kernels = longest.map((l) => ({ l, k: l.weights.find((w) => /kernel$/.test(w.name)) ?? l.weights[0] })).filter((e) => e.k);
  const last = kernels[kernels.length - 1];
  const firstToLastRatio = kernels.length >= 2 && last.k.gradNorm > 0 ? kernels[0].k.gradNorm / last.k.gradNorm : null;
  const report = (status: GradientStatus, culprits: string[], advice: string[]) =>
    new GradientReport({ status, culprits, advice: withPath(status, advice), loss, firstToLastRatio, path: longest.map((l) => l.name), layers, thresholds: t });
  // Where the graph branches, say along which path the gradient fades or grows.
  const branched = longest.length < layers.length;
  const withPath = (status: GradientStatus, advice: string[]) => (branched && (status === 'vanishing' || status === 'exploding') && longest.length >= 2
    ? [...advice, `along the longest path ${longest[0].name} → … → ${longest[longest.length - 1].name} (${longest.length} nodes): `
      + `first-to-last gradient ratio ${firstToLastRatio === null ? '-' : sci(firstToLastRatio)}`]
    : advice);

  // Non-finite anything.
  const nonFiniteLayers = layers.filter((l) => !Number.isFinite(l.activationMean) || !Number.isFinite(l.activationStd)
    || l.weights.some((w) => !Number.isFinite(w.gradNorm)));
  if (!Number.isFinite(loss) || nonFiniteLayers.length) {
    const culprit = bad?.activation ?? layers.find((l) => !Number.isFinite(l.activationStd) || !Number.isFinite(l.activationMean))?.name
      ?? bad?.gradient?.split('/')[0] ?? [...nonFiniteLayers].reverse()[0]?.name ?? layers[layers.length - 1].name;
    return report('nonfinite', [culprit], [
      `${culprit}: ${bad?.activation || nonFiniteLayers.some((l) => !Number.isFinite(l.activationStd)) ? 'activations' : 'gradients'} became NaN/Infinity (loss ${loss}) — `
      + 'check the inputs for NaN, lower the learning rate, clip gradients (globalClipnorm: 1), and prefer fromLogits losses',
    ]);
  }

  // Exploding: runaway activations, big updates, or huge gradients (every reason per layer).
  const exploding = new Map<string, string[]>();
  const flag = (name: string, why: string) => { if (!exploding.has(name)) exploding.set(name, []); exploding.get(name)!.push(why); };
  const rms = chain.map((l) => Math.hypot(l.activationMean, l.activationStd));
  if (chain.length >= 3 && rms[0] > 0) {
    const peak = rms.reduce((m, v, i) => (v > rms[m] ? i : m), 0);
    const growth = peak > 0 ? (rms[peak] / rms[0]) ** (1 / peak) : 1;
    if (rms[peak] > t.explodingActivationRms && growth > t.explodingGrowth) {
      // The layers where the activations grew are the ones to fix.
      for (let i = 1; i <= peak; i++) {
        if (rms[i] / rms[i - 1] > t.explodingGrowth) flag(chain[i].name, `activation RMS grew ${(rms[i] / rms[i - 1]).toFixed(1)}× to ${sci(rms[i])}`);
      }
    }
  }
  for (const l of layers) {
    const big = l.weights.find((w) => w.updateRatio !== null && w.updateRatio > t.explodingUpdateRatio);
    if (big) flag(l.name, `one update would change ${big.name.split('/').pop()} by ${sci(big.updateRatio!)}× its norm`);
    const huge = l.weights.find((w) => w.gradNorm > t.explodingGradNorm);
    if (huge) flag(l.name, `gradient norm ${sci(huge.gradNorm)}`);
  }
  if (exploding.size) {
    const order = layers.map((l) => l.name).filter((n) => exploding.has(n));
    return report('exploding', order, order.map((name) =>
      `${name}: ${exploding.get(name)!.join(', ')} — exploding; clip gradients (globalClipnorm: 1 or clipGradNorm), lower the learning rate, `
      + 'use a smaller initialization (glorotUniform/heNormal), or add batchNormalization'));
  }

  // Dead ReLUs.
  const dead = layers.filter((l) => l.deadFraction !== null && l.deadFraction >= t.deadFraction);
  if (dead.length) {
    return report('dead', dead.map((l) => l.name), dead.map((l) =>
      `${l.name}: ${(100 * l.deadFraction!).toFixed(0)}% of its units output 0 for the whole batch — dead ReLUs; `
      + 'try leakyReLU or elu, heNormal initialization, a smaller learning rate, or batchNormalization'));
  }

  // Vanishing: gradients far smaller than at the output, or a signal fading layer by layer.
  const vanishing = new Map<string, string>();
  if (last && last.k.gradNorm > 0) {
    for (const e of kernels) {
      if (e === last || !(e.k.gradNorm < t.vanishingRatio * last.k.gradNorm)) continue;
      const ratio = last.k.gradNorm / Math.max(e.k.gradNorm, Number.MIN_VALUE);
      vanishing.set(e.l.name, `gradient norm ${sci(e.k.gradNorm)}, 10^${Math.round(Math.log10(ratio))}× smaller than the output layer`);
    }
  }
  const hidden = rms.length - 1; // the output layer's scale is the loss's business
  if (hidden >= 3 && rms[0] > 0 && rms[hidden - 1] < t.vanishingActivationRatio * rms[0]) {
    const perLayer = (rms[hidden - 1] / rms[0]) ** (1 / (hidden - 1));
    for (let i = 1; i < hidden; i++) {
      if (rms[i] < rms[i - 1] * 0.9 && !vanishing.has(chain[i].name)) {
        vanishing.set(chain[i].name, `activation RMS fell to ${sci(rms[i])} (${(rms[i] / rms[0]).toExponential(1)} of the first layer's; ×${perLayer.toFixed(2)} per layer on average)`);
      }
    }
  }
  if (vanishing.size) {
    const order = layers.map((l) => l.name).filter((n) => vanishing.has(n));
    return report('vanishing', order, order.map((name) => `${name}: ${vanishing.get(name)} — vanishing; `
      + 'try heNormal initialization, relu, batchNormalization, or residual connections'));
  }
  return report('healthy', [], []);
}
