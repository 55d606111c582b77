/**
 * The activation plan of one model for a batch size: every tensor's values and gradient, every
 * node's buffers, the inputs and the targets, laid out once in one block, so a training step
 * allocates nothing. The gradients (and the layers' gradient buffers) come first and contiguous,
 * so one fill zeroes them all before each backward pass.
 *
 * A tensor needs a gradient when something upstream of it trains (or it is an input whose gradient
 * was asked for); a node whose output needs none skips its backward pass, and a node reading a
 * tensor that needs none gets dx = 0 (the first Dense layer of a model computes no dX).
 */
import type { Backend } from '../backend/backend.js';
import type { NodeIO, Weight } from '../layers/layer.js';
import type { ExecGraph, ExecTensor } from './exec-graph.js';
import type { ParameterPlan } from './parameters.js';

/** The pointers of one node, as its layer sees them. */
export class PlannedIO implements NodeIO {
  xs: number[] = [];
  dxs: number[] = [];
  y = 0;
  dy = 0;
  buffers: Record<string, number> = {};
  lossGivesPreActivationGrad = false;
  fixedSeed?: number;
  lastBackwardBatch = 0;
  /** Whether the node's backward pass runs (its output needs a gradient). */
  runsBackward = false;
  constructor(private readonly params: ParameterPlan) {}
  get x(): number { return this.xs[0]; }
  get dx(): number { return this.dxs[0]; }
  grad(w: Weight): number { return this.params.gradOf.get(w) ?? 0; }
  overwrites(w: Weight): boolean { return this.params.overwrite.has(w); }
}

export interface ActivationPlan {
  block: number;
  /** Samples the buffers hold. */
  batch: number;
  /** One IO per node of the exec graph, in run order. */
  ios: PlannedIO[];
  /** Per model input: its values (batch, size) and its gradient (0 unless asked for). */
  inputs: number[];
  inputGrads: number[];
  /** Per model output: its values, its gradient, and its targets (`targetFloats[i]` per sample). */
  outputs: number[];
  outputGrads: number[];
  targets: number[];
  /** All gradients, contiguous: zeroed once per step. */
  gradStart: number;
  gradFloats: number;
  withInputGrad: boolean;
  bytes: number;
}

/** Round a float count up to a whole v128 (4 floats), so every buffer starts 16-byte aligned. */
const pad = (n: number) => Math.ceil(n / 4) * 4;

export function planActivations(be: Backend, graph: ExecGraph, params: ParameterPlan, batch: number,
  targetFloats: number[], withInputGrad: boolean): ActivationPlan {
  const needsGrad = new Map<ExecTensor, boolean>();
  for (const t of graph.inputs) needsGrad.set(t, withInputGrad);
  for (const n of graph.nodes) {
    const trains = n.layer.weights.some((w) => params.gradOf.has(w));
    needsGrad.set(n.output, trains || n.inputs.some((t) => needsGrad.get(t)));
  }
  // Sizes first, then one block: [input grads] [every tensor's dy, grad buffers] [inputs] [targets] [every y and buffer].
  let gradFloats = 0, floats = 0;
  for (const t of graph.inputs) { floats += pad(batch * t.size); if (withInputGrad) gradFloats += pad(batch * t.size); }
  for (const n of graph.nodes) {
    gradFloats += pad(batch * n.output.size);
    for (const k of Object.values(n.layer.gradBuffersPerSample())) gradFloats += pad(batch * k);
    floats += pad(batch * n.output.size);
    for (const k of Object.values(n.layer.buffersPerSample())) floats += pad(batch * k);
  }
  for (const f of targetFloats) floats += pad(batch * Math.max(f, 1));
  const bytes = (gradFloats + floats) * 4;
  const block = be.alloc(Math.max(bytes, 16));
  let at = block;
  const take = (n: number) => { const p = at; at += pad(n) * 4; return p; };

  const y = new Map<ExecTensor, number>(), dy = new Map<ExecTensor, number>();
  const gradStart = at;
  const inputGrads = graph.inputs.map((t) => (withInputGrad ? take(batch * t.size) : 0));
  graph.inputs.forEach((t, i) => dy.set(t, inputGrads[i]));
  const ios = graph.nodes.map((n) => {
    const io = new PlannedIO(params);
    io.dy = take(batch * n.output.size);
    dy.set(n.output, io.dy);
    for (const [name, k] of Object.entries(n.layer.gradBuffersPerSample())) io.buffers[name] = take(batch * k);
    io.runsBackward = needsGrad.get(n.output)!;
    return io;
  });
  const inputs = graph.inputs.map((t) => take(batch * t.size));
  graph.inputs.forEach((t, i) => y.set(t, inputs[i]));
  const targets = targetFloats.map((f) => take(batch * Math.max(f, 1)));
  graph.nodes.forEach((n, i) => {
    const io = ios[i];
    io.y = take(batch * n.output.size);
    y.set(n.output, io.y);
    for (const [name, k] of Object.entries(n.layer.buffersPerSample())) io.buffers[name] = take(batch * k);
    io.xs = n.inputs.map((t) => y.get(t)!);
    io.dxs = n.inputs.map((t) => (needsGrad.get(t) ? dy.get(t)! : 0));
  });
  return {
    block, batch, ios, inputs, inputGrads, targets,
    outputs: graph.outputs.map((t) => y.get(t)!), outputGrads: graph.outputs.map((t) => dy.get(t)!),
    gradStart, gradFloats, withInputGrad, bytes,
  };
}
