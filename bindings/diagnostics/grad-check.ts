/**
 * gradCheck: analytic gradients against central finite differences, computed on a float64 copy
 * of the model on the reference core, so that the comparison measures the backward passes and
 * not float32 rounding. Every node's dropout masks are fixed for the check, wherever the dropout
 * sits (a Dropout layer, a recurrent layer's dropout, inside a TimeDistributed or a nested model).
 * The model itself is not touched.
 */
import { JsBackend } from '../backend/js.js';
import type { LayersModel } from '../models/layers-model.js';
import { modelFromJSON } from '../models/functional.js';
import type { ModelInputs, ModelTargets } from '../models/model-data.js';
import { Random } from '../random.js';
import { Tensor } from '../tensor.js';

export interface GradCheckOptions {
  /** Finite-difference step (float64). */
  epsilon?: number;
  /** Elements checked per weight (sampled when a weight is larger). */
  maxChecksPerWeight?: number;
  /** Also check dL/dx. */
  checkInput?: boolean;
}

export interface GradCheckEntry {
  /** layer/weight, or 'input'. */
  name: string;
  /** max over checked elements of |analytic − numeric| / max(|analytic|, |numeric|, 1e-6). */
  maxRelError: number;
  maxAbsError: number;
  checked: number;
}

export interface GradCheckResult {
  entries: GradCheckEntry[];
  maxRelError: number;
}

export function gradCheck(model: LayersModel, x: ModelInputs, y: ModelTargets, options: GradCheckOptions = {}): GradCheckResult {
  const eps = options.epsilon ?? 1e-5;
  const maxChecks = options.maxChecksPerWeight ?? 64;
  const compiled = model.compileConfig;
  if (!compiled) throw new Error(`gradCheck: ${model.name} is not compiled; call compile({ optimizer, loss }) first`);
  const xs = (Array.isArray(x) ? x : x instanceof Tensor ? [x] : Object.values(x)) as Tensor[];
  if (!model.built) model.build(xs[0]?.shape?.slice(1));

  const be = new JsBackend({ precision: 64 });
  const clone = modelFromJSON(model.toJSON());
  clone.build(undefined, be);
  clone.setWeights(model.getWeights());
  clone.compile({ optimizer: 'sgd', loss: compiled.loss as never, lossWeights: compiled.lossWeights });
  // Finite differences need the same dropout masks in every forward pass: fix every node's.
  const e = clone.engine;
  e.fixMasks();

  const entries: GradCheckEntry[] = [];
  const pick = new Random(12345);
  const checkInput = options.checkInput ?? true;
  clone.probe(x, y, checkInput);
  const analytic = e.params.trainable.map((w) => be.read64(e.params.gradOf.get(w)!, w.size));
  const inputGrads = checkInput ? e.acts!.inputGrads.map((p, i) => be.read64(p, xs[i].size)) : [];

  const check = (name: string, size: number, grad: Float64Array, get: (i: number) => number, set: (i: number, v: number) => void, loss: () => number) => {
    const idx = size <= maxChecks ? [...Array(size).keys()] : Array.from({ length: maxChecks }, () => pick.int(size));
    let maxRel = 0, maxAbs = 0;
    for (const i of idx) {
      const v = get(i);
      set(i, v + eps); const lp = loss();
      set(i, v - eps); const lm = loss();
      set(i, v);
      const numeric = (lp - lm) / (2 * eps);
      const abs = Math.abs(grad[i] - numeric);
      maxAbs = Math.max(maxAbs, abs);
      maxRel = Math.max(maxRel, abs / Math.max(Math.abs(grad[i]), Math.abs(numeric), 1e-6));
    }
    entries.push({ name, maxRelError: maxRel, maxAbsError: maxAbs, checked: idx.length });
  };

  e.params.trainable.forEach((w, k) => {
    check(`${w.owner}/${w.name}`, w.size, analytic[k],
      (i) => be.read64(w.ptr + i * 4, 1)[0], (i, v) => be.write(w.ptr + i * 4, [v]), () => clone.probeLoss(x, y));
  });
  if (checkInput) {
    const raw = xs.map((t) => Float64Array.from(t.values));
    raw.forEach((r, k) => check(xs.length > 1 ? `input ${clone.inputNames[k]}` : 'input', r.length, inputGrads[k],
      (i) => r[i], (i, v) => { r[i] = v; }, () => clone.probeLoss(x, y, raw)));
  }
  clone.dispose();
  return { entries, maxRelError: Math.max(0, ...entries.map((e) => e.maxRelError)) };
}
