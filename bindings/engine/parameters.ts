/**
 * The parameter plan of one model: where its weights live, and where it keeps their gradients.
 *
 * Weights belong to layers. The first model that plans a layer's weights puts them in linear
 * memory, in one block per model for every weight not placed yet (trainable first, so that a fresh
 * model's parameters are one contiguous range); a model that shares a layer with another reads and
 * writes the same values. A block is freed (its values kept by the layers, in JS) when the last
 * model that uses it is disposed.
 *
 * Gradients belong to the model being trained: one contiguous block for the trainable weights it
 * uses, in the order of its weights, so clipping and norms run over one range.
 *
 * The one rule for weight gradients: a weight whose gradient has exactly one producer in the model
 * (one node of one layer) and whose layer can write it whole is overwritten by that node's backward
 * pass (beta 0) and never zeroed; every other trainable weight's gradient is zeroed once per step
 * and every node that uses the weight adds to it. So a layer applied twice gets the sum of both
 * uses' gradients, and the weight penalties are added after the backward pass, in any order.
 */
import type { Backend } from '../backend/backend.js';
import type { Layer, Weight, WeightStore } from '../layers/layer.js';

export interface ParameterPlan {
  /** Every weight the model uses, in getWeights order (each once). */
  weights: Weight[];
  /** The weights it trains, in the order of the gradient block. */
  trainable: Weight[];
  /** Gradient block: `trainableFloats` floats at `grads`. */
  grads: number;
  trainableFloats: number;
  /** Where each trainable weight's gradient is. */
  gradOf: Map<Weight, number>;
  /** The trainable weights whose one producer writes the gradient whole. */
  overwrite: Set<Weight>;
  /** Gradients to zero before each backward pass: (byte offset, floats) pairs, adjacent ones merged. */
  zeroed: number[];
  /** The blocks holding this model's weights (the model is among each one's users). */
  stores: WeightStore[];
  /** Total parameter floats (trainable and not). */
  total: number;
}

/**
 * Plan the parameters of a model: place the weights no model has placed yet, check that the others
 * live on this backend, and lay out the gradients. `uses` counts, per weight, the nodes whose
 * layer uses it.
 */
export function planParameters(be: Backend, owner: object, ownerName: string, layers: Layer[], uses: Map<Weight, number>): ParameterPlan {
  const weights: Weight[] = [];
  const seen = new Set<Weight>();
  for (const l of layers) for (const w of l.weights) if (!seen.has(w)) { seen.add(w); weights.push(w); }

  for (const w of weights) {
    if (w.store && w.store.be !== be) {
      throw new Error(`${ownerName}: layer '${w.owner}' already has its weights on the ${w.store.be.name} backend of model '${w.store.plannedBy}'; `
        + `a layer shared between models must live on one backend (build both after the same ready()/setBackend)`);
    }
  }
  const fresh = weights.filter((w) => !w.store);
  const stores = [...new Set(weights.filter((w) => w.store).map((w) => w.store!))];
  if (fresh.length) {
    const ordered = [...fresh.filter((w) => w.trainable), ...fresh.filter((w) => !w.trainable)];
    const floats = ordered.reduce((s, w) => s + w.size, 0);
    const block = be.alloc(Math.max(floats, 1) * 4);
    const store: WeightStore = { be, block, weights: ordered, users: new Set(), plannedBy: ownerName };
    let at = block;
    for (const w of ordered) {
      w.ptr = at;
      w.store = store;
      at += w.size * 4;
      be.write(w.ptr, w.initial ?? w.initializer.sample(w.shape));
      w.initial = undefined;
    }
    stores.push(store);
  }
  for (const s of stores) s.users.add(owner);

  const total = weights.reduce((s, w) => s + w.size, 0);
  return { weights, stores, total, ...planGradients(be, weights, uses) };
}

/** The gradient block for the weights that are trainable now (planParameters, and again when the trainable set changes). */
export function planGradients(be: Backend, weights: Weight[], uses: Map<Weight, number>):
  Pick<ParameterPlan, 'trainable' | 'grads' | 'trainableFloats' | 'gradOf' | 'overwrite' | 'zeroed'> {
  const trainable = weights.filter((w) => w.trainable);
  const trainableFloats = trainable.reduce((s, w) => s + w.size, 0);
  const grads = be.alloc(Math.max(trainableFloats, 1) * 4);
  if (trainableFloats) be.fill(grads, 0, trainableFloats);
  const gradOf = new Map<Weight, number>();
  const overwrite = new Set<Weight>();
  const zeroed: number[] = [];
  let at = grads;
  for (const w of trainable) {
    gradOf.set(w, at);
    if (w.canOverwriteGrad && uses.get(w) === 1) overwrite.add(w);
    else if (w.size > 0) {
      const n = zeroed.length;
      if (n && zeroed[n - 2] + zeroed[n - 1] * 4 === at) zeroed[n - 1] += w.size;
      else zeroed.push(at, w.size);
    }
    at += w.size * 4;
  }
  return { trainable, grads, trainableFloats, gradOf, overwrite, zeroed };
}

/**
 * The model lets go of its weights and gradients. A block no other model uses is freed; its
 * layers keep their values in JS (Weight.initial), so a model built from them later starts
 * from the same weights.
 */
export function releaseParameters(be: Backend, owner: object, plan: ParameterPlan): void {
  be.free(plan.grads);
  for (const s of plan.stores) {
    s.users.delete(owner);
    if (s.users.size > 0) continue;
    for (const w of s.weights) {
      w.initial = be.read(w.ptr, w.size).slice();
      w.ptr = 0;
      w.store = undefined;
    }
    be.free(s.block);
  }
}
