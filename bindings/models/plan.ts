/**
 * The memory planner: lays a model's tensors out in the backend's linear memory once.
 *  - parameters: one block, trainable weights first (so the optimizer and the gradient norms
 *    run over one contiguous range), then non-trainable ones (e.g. moving statistics), then the
 *    gradients of the trainable ones in the same order;
 *  - activations for a batch size: the input, the targets, every layer's output and extra
 *    buffers, and every layer's output gradient, the gradients contiguous so that one fill
 *    zeroes them all. A training step then allocates nothing.
 */
import type { Backend } from '../backend/backend.js';
import type { Layer, Weight } from '../layers/layer.js';

export interface ParameterPlan {
  block: number;
  /** Byte offset of the first parameter (trainable ones first). */
  params: number;
  /** Byte offset of the gradients of the trainable parameters. */
  grads: number;
  /** Trainable floats. */
  trainable: number;
  /** All parameter floats. */
  total: number;
  /**
   * The gradients a training step must zero before the backward pass, as (byte offset, floats)
   * pairs, adjacent ones merged: every trainable one whose layer adds to it rather than writing
   * it whole (Weight.overwritesGrad).
   */
  zeroed: number[];
}

export function planParameters(be: Backend, layers: Layer[]): ParameterPlan {
  const all = layers.flatMap((l) => l.weights);
  const ordered = [...all.filter((w) => w.trainable), ...all.filter((w) => !w.trainable)];
  const total = ordered.reduce((s, w) => s + w.size, 0);
  const trainable = ordered.filter((w) => w.trainable).reduce((s, w) => s + w.size, 0);
  const block = be.alloc((total + trainable) * 4);
  const grads = block + total * 4;
  let offset = 0;
  for (const w of ordered) {
    w.ptr = block + offset * 4;
    w.gradPtr = w.trainable ? grads + offset * 4 : 0;
    offset += w.size;
  }
  for (const w of ordered) {
    be.write(w.ptr, w.initial ?? w.initializer.sample(w.shape));
    w.initial = undefined;
  }
  if (trainable > 0) be.fill(grads, 0, trainable);
  const zeroed: number[] = [];
  for (const w of ordered) {
    if (!w.trainable || w.overwritesGrad || w.size === 0) continue;
    const n = zeroed.length;
    if (n && zeroed[n - 2] + zeroed[n - 1] * 4 === w.gradPtr) zeroed[n - 1] += w.size;
    else zeroed.push(w.gradPtr, w.size);
  }
  return { block, params: block, grads, trainable, total, zeroed };
}

export interface ActivationPlan {
  block: number;
  /** Samples the buffers hold. */
  batch: number;
  /** Model input (batch, inputSize). */
  input: number;
  /** Targets: int32 labels or float targets, `targetFloats` per sample. */
  targets: number;
  /** All output gradients, contiguous: zeroed once per step. */
  gradStart: number;
  gradFloats: number;
  /** Gradient of the loss with respect to the input (0 unless asked for: only diagnostics need it). */
  inputGrad: number;
  bytes: number;
}

/** Assign x, y, dx, dy and extra buffers to every layer for `batch` samples. */
export function planActivations(be: Backend, layers: Layer[], inputSize: number, batch: number, targetFloats: number,
  withInputGrad = false): ActivationPlan {
  // Sizes in floats, laid out as: [dx of the input] [dy of every layer] [input] [targets] [y and buffers of every layer].
  const gradFloats = layers.reduce((s, l) => s + pad(batch * l.outputSize)
    + Object.values(l.gradBuffersPerSample()).reduce((a, n) => a + pad(batch * n), 0), withInputGrad ? pad(batch * inputSize) : 0);
  let floats = gradFloats + pad(batch * inputSize) + pad(batch * Math.max(targetFloats, 1));
  for (const l of layers) {
    floats += pad(batch * l.outputSize);
    for (const n of Object.values(l.buffersPerSample())) floats += pad(batch * n);
  }
  const block = be.alloc(floats * 4);
  let at = block;
  const take = (n: number) => { const p = at; at += pad(n) * 4; return p; };
  const gradStart = at;
  const inputGrad = withInputGrad ? take(batch * inputSize) : 0;
  for (const l of layers) {
    l.buffers = {};
    l.dy = take(batch * l.outputSize);
    for (const [name, n] of Object.entries(l.gradBuffersPerSample())) l.buffers[name] = take(batch * n);
  }
  const input = take(batch * inputSize);
  const targets = take(batch * Math.max(targetFloats, 1));
  let prevY = input, prevDy = inputGrad;
  for (const l of layers) {
    l.x = prevY;
    l.dx = prevDy;
    l.y = take(batch * l.outputSize);
    for (const [name, n] of Object.entries(l.buffersPerSample())) l.buffers[name] = take(batch * n);
    prevY = l.y;
    prevDy = l.dy;
  }
  for (const l of layers) l.onPlanned(batch);
  return { block, batch, input, targets, gradStart, gradFloats, inputGrad, bytes: floats * 4 };
}

/** Round a float count up to a whole v128 (4 floats), so every buffer starts 16-byte aligned. */
function pad(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** Trainable weights in the order the planner laid them out (the optimizer's slots). */
export function trainableWeights(layers: Layer[]): Weight[] {
  return layers.flatMap((l) => l.weights).filter((w) => w.trainable);
}
