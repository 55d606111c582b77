/**
 * gradCheck: analytic gradients against central finite differences, computed on a float64 copy
 * of the model on the reference core, so that the comparison measures the backward passes and
 * not float32 rounding. The model itself is not touched.
 */
import { JsBackend } from '../backend/js.js';
import type { Sequential } from '../models/sequential.js';
import type { Labels } from '../models/data.js';
import { Random } from '../random.js';
import type { Tensor } from '../tensor.js';
import type { Layer } from '../layers/layer.js';
import { Dropout } from '../layers/dropout.js';
import { Residual } from '../layers/residual.js';

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

export function gradCheck(model: Sequential, x: Tensor, y: Labels, options: GradCheckOptions = {}): GradCheckResult {
  const eps = options.epsilon ?? 1e-5;
  const maxChecks = options.maxChecksPerWeight ?? 64;
  const compiled = (model as unknown as { compiled?: { loss: unknown } }).compiled;
  if (!compiled) throw new Error(`gradCheck: ${model.name} is not compiled; call compile({ optimizer, loss }) first`);
  if (!model.built) model.build(x.shape.slice(1));

  const be = new JsBackend({ precision: 64 });
  const Ctor = model.constructor as new (layers: unknown[]) => Sequential;
  const clone = new Ctor(model.layers.map((l) => l.clone()));
  clone.build(model.inputShape, be);
  clone.setWeights(model.getWeights());
  clone.compile({ optimizer: 'sgd', loss: compiled.loss as never });
  // Finite differences need the same dropout mask in every forward pass: freeze each mask.
  const every = (ls: Layer[]): Layer[] => ls.flatMap((l) => [l, ...(l instanceof Residual ? every(l.innerLayers) : [])]);
  every(clone.layers).forEach((l, i) => { if (l instanceof Dropout && l.fixedSeed === undefined) l.fixedSeed = 0x5eed + i; });

  const entries: GradCheckEntry[] = [];
  const pick = new Random(12345);
  const probe = clone._probe(x, y, options.checkInput ?? true);
  const weights = clone.layers.flatMap((l) => l.weights.filter((w) => w.trainable).map((w) => ({ w })));
  const analytic = weights.map(({ w }) => be.read64(w.gradPtr, w.size));
  const inputGrad = probe.inputGrad ? be.read64(clone._inputGradPtr(), x.size) : undefined;

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

  weights.forEach(({ w }, k) => {
    check(`${w.owner}/${w.name}`, w.size, analytic[k],
      (i) => be.read64(w.ptr + i * 4, 1)[0], (i, v) => be.write(w.ptr + i * 4, [v]), () => clone._loss(x, y));
  });
  if (inputGrad) {
    const xs = Float64Array.from(x.values);
    check('input', x.size, inputGrad, (i) => xs[i], (i, v) => { xs[i] = v; }, () => clone._loss(x, y, xs));
  }
  clone.dispose();
  return { entries, maxRelError: Math.max(0, ...entries.map((e) => e.maxRelError)) };
}
