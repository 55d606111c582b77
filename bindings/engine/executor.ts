/**
 * The executor: runs one model's graph over its plans — forward, the losses and metrics of every
 * output, backward, the weight and activity penalties — one kernel call (or a few) per node, no
 * allocation per step. This is the engine's internal API: models drive it, and diagnostics, io,
 * callbacks and the worker read from it (`model.engine`), never from a model's private members.
 */
import type { Backend } from '../backend/backend.js';
import type { RunContext, Weight } from '../layers/layer.js';
import type { Topology } from '../graph/topology.js';
import { computeLoss, type Loss } from '../losses.js';
import { computeMetric, type Metric } from '../metrics.js';
import { applyRegularizer } from '../regularizers.js';
import { random, type Random } from '../random.js';
import { execGraph, weightUses, type ExecGraph } from './exec-graph.js';
import { planGradients, planParameters, releaseParameters, type ParameterPlan } from './parameters.js';
import { planActivations, type ActivationPlan } from './activations.js';
import { fmtBytes } from '../backend/memory.js';

/** What the model compiled for one output. */
export interface OutputSpec {
  /** The output's name (its layer's), as History keys use it. */
  name: string;
  loss: Loss;
  lossWeight: number;
  metrics: Metric[];
  /** Where this output's unweighted mean loss and its metrics are summed (indices into the sums), -1 for none. */
  lossSlot: number;
  metricSlots: number[];
  /** Where a counting metric (precision, recall, auc) keeps its counts in the sums, -1 for the others. */
  metricStates: number[];
  /** The output layer's softmax/sigmoid is fused into the loss (dL/dz straight from logits). */
  fused: boolean;
  /** Floats per sample of the targets (class ids: positions; otherwise the output's size). */
  targetFloats: number;
}

export class Executor {
  readonly graph: ExecGraph;
  readonly params: ParameterPlan;
  acts?: ActivationPlan;
  outputs?: OutputSpec[];
  /** Samples in the batch the activations last held (0 before any). */
  lastBatch = 0;
  /** Forward passes so far: fit reloads a prefetched batch when anything else ran the model in between. */
  passes = 0;
  /** gradCheck: every node's random masks repeat from pass to pass (fixMasks). */
  private fixedMasks = false;

  private readonly uses: Map<Weight, number>;

  constructor(readonly be: Backend, readonly topology: Topology, private readonly owner: object, readonly ownerName: string) {
    this.graph = execGraph(topology);
    this.uses = weightUses(this.graph);
    this.params = planParameters(be, owner, ownerName, topology.layers, this.uses);
  }

  /**
   * After `layer.trainable` changed: lay the gradients out for the weights trainable now and drop
   * the activations (which nodes run backward depends on it). Returns whether anything changed.
   */
  refreshTrainable(): boolean {
    const now = this.params.weights.filter((w) => w.trainable);
    if (now.length === this.params.trainable.length && now.every((w, i) => w === this.params.trainable[i])) return false;
    this.be.free(this.params.grads);
    Object.assign(this.params, planGradients(this.be, this.params.weights, this.uses));
    if (this.acts) this.be.free(this.acts.block);
    this.acts = undefined;
    return true;
  }

  /** Make the activations hold `batch` samples (and the inputs' gradients when asked). */
  prepare(batch: number, withInputGrad = false): ActivationPlan {
    const a = this.acts;
    if (a && a.batch >= batch && (a.withInputGrad || !withInputGrad)) return a;
    // Forget the old plan before making the new one: if that fails, nothing may use freed memory.
    if (a) this.be.free(a.block);
    this.acts = undefined;
    const targetFloats = this.outputs?.map((o) => o.targetFloats) ?? this.graph.outputs.map((t) => t.size);
    try {
      this.acts = planActivations(this.be, this.graph, this.params, batch, targetFloats, withInputGrad || (a?.withInputGrad ?? false));
    } catch (e) {
      // Name the batch size and the layer whose buffers weigh most: what the user can change.
      const per = this.graph.nodes.map((n) => ({ n, floats: n.output.size * 2 + Object.values(n.layer.buffersPerSample()).reduce((s, k) => s + k, 0)
        + Object.values(n.layer.gradBuffersPerSample()).reduce((s, k) => s + k, 0) }));
      const big = per.reduce((m, p) => (p.floats > m.floats ? p : m), per[0]);
      throw new Error(`${this.ownerName}: the activations for batch size ${batch} do not fit (${(e as Error).message}); `
        + `the largest are layer '${big?.n.layer.name}''s, ${fmtBytes(big ? big.floats * 4 * batch : 0)} for this batch`);
    }
    this.applyFusion();
    if (this.fixedMasks) this.acts.ios.forEach((io, i) => { io.fixedSeed = 0x5eed + i; });
    return this.acts;
  }

  /** Give every node a fixed mask seed, so dropout (anywhere, nested or not) draws the same masks every pass: finite differences need that. */
  fixMasks(): void {
    this.fixedMasks = true;
    this.acts?.ios.forEach((io, i) => { io.fixedSeed = 0x5eed + i; });
  }

  /** Bind the compiled losses; re-plans the targets when their sizes change. */
  setOutputs(specs: OutputSpec[]): void {
    const changed = !this.outputs || specs.some((s, i) => s.targetFloats !== this.outputs![i].targetFloats);
    this.outputs = specs;
    if (changed && this.acts) {
      const { batch, withInputGrad } = this.acts;
      this.be.free(this.acts.block);
      this.acts = undefined;
      this.prepare(batch, withInputGrad);
    }
    this.applyFusion();
  }

  /** Decide, per output, whether the loss takes the logits (only where nothing else reads the output). */
  private applyFusion(): void {
    const acts = this.acts, specs = this.outputs;
    if (!acts) return;
    for (const io of acts.ios) io.lossGivesPreActivationGrad = false;
    if (!specs) return;
    specs.forEach((s, i) => {
      const t = this.graph.outputs[i], node = t.producer;
      s.fused = false;
      if (!node || t.consumers > 0 || s.loss.fromLogits || this.graph.outputs.indexOf(t) !== i) return;
      const io = acts.ios[node.index];
      const act = node.layer.outputLogits(io)?.activation;
      s.fused = (act === 'softmax' && (s.loss.name === 'sparseCategoricalCrossentropy' || s.loss.name === 'categoricalCrossentropy'))
        || (act === 'sigmoid' && s.loss.name === 'binaryCrossentropy');
      io.lossGivesPreActivationGrad = s.fused;
    });
  }

  private ctx(batch: number, training: boolean, rng: Random): RunContext {
    return { be: this.be, batch, training, rng };
  }

  forward(batch: number, training: boolean): void {
    const acts = this.acts!;
    this.lastBatch = batch;
    this.passes++;
    const ctx = this.ctx(batch, training, random());
    const nodes = this.graph.nodes;
    for (let i = 0; i < nodes.length; i++) nodes[i].layer.forward(ctx, acts.ios[i]);
  }

  /**
   * Forward, then every output's loss (weighted into sums[0]) and metrics, plus the penalties, on
   * the loaded batch; adds into `sums` (per-sample sums: the caller divides by the samples seen).
   */
  forwardLoss(batch: number, training: boolean, sums: Float64Array): void {
    this.forward(batch, training);
    const acts = this.acts!, specs = this.outputs!, be = this.be;
    for (let i = 0; i < specs.length; i++) {
      const s = specs[i], t = this.graph.outputs[i];
      const P = s.fused ? t.producer!.layer.outputLogits(acts.ios[t.producer!.index])!.logits : acts.outputs[i];
      // Outputs with positions (a sequence [time, classes]): losses and metrics act on the last axis
      // at each position and average over positions, as Keras.
      const cols = t.shape[t.shape.length - 1] ?? 1, per = t.size / cols;
      const loss = computeLoss(be, s.loss, acts.outputGrads[i], P, acts.targets[i], batch * per, cols, s.fused) / per;
      if (s.lossWeight !== 1) be.scale(acts.outputGrads[i], s.lossWeight, batch * t.size);
      sums[0] += s.lossWeight * loss;
      if (s.lossSlot >= 0) sums[s.lossSlot] += loss;
      for (let m = 0; m < s.metrics.length; m++) {
        sums[s.metricSlots[m]] += computeMetric(be, s.metrics[m], acts.outputs[i], acts.targets[i], batch * per, cols, sums, s.metricStates[m]) / per;
      }
    }
    // Penalties are per batch; the sums are per sample, so scale by the batch to report mean + penalty.
    sums[0] += this.penalties(batch, false) * batch;
  }

  /** Σ of weight penalties (each weight once) and activity penalties (each node); with `grads`, adds the weight penalties' gradients. */
  penalties(batch: number, grads: boolean): number {
    const be = this.be, acts = this.acts!;
    let p = 0;
    for (const w of this.params.weights) {
      if (w.regularizer) p += applyRegularizer(be, w.regularizer, w.ptr, grads ? this.params.gradOf.get(w) ?? 0 : 0, w.size);
    }
    if (!grads) {
      const nodes = this.graph.nodes;
      for (let i = 0; i < nodes.length; i++) {
        const r = nodes[i].layer.activityRegularizer;
        if (r) p += applyRegularizer(be, r, acts.ios[i].y, 0, batch * nodes[i].output.size);
      }
    }
    return p;
  }

  /** Zero the gradients that backward adds to, then forward, losses and backward on the loaded batch. */
  backwardPass(batch: number, sums: Float64Array): void {
    const be = this.be, acts = this.acts!, z = this.params.zeroed;
    for (let i = 0; i < z.length; i += 2) be.fill(z[i], 0, z[i + 1]);
    be.fill(acts.gradStart, 0, acts.gradFloats);
    this.forwardLoss(batch, true, sums);
    const ctx = this.ctx(batch, true, random());
    const nodes = this.graph.nodes;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const io = acts.ios[i];
      if (!io.runsBackward) continue;
      const l = nodes[i].layer;
      // The activity penalty's gradient joins the gradient flowing into this node's output.
      if (l.activityRegularizer) applyRegularizer(be, l.activityRegularizer, io.y, io.dy, batch * nodes[i].output.size);
      io.lastBackwardBatch = batch;
      l.backward(ctx, io);
    }
    this.penalties(batch, true);
  }

  /** Return the activations and this model's hold on its weights and gradients. */
  dispose(): void {
    if (this.acts) this.be.free(this.acts.block);
    this.acts = undefined;
    releaseParameters(this.be, this.owner, this.params);
  }
}
