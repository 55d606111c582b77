// Losses: wasm against js for every loss (both fromLogits modes where they apply), gradients
// against central differences of the returned value ÷ rows on the float64 js core, and values
// worked out by hand (Keras 3 formulas, float32 clipping at [1e-7, 1 − 1e-7]).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { backendByName, jsBackend, jsBackend64, wasmBackend } from '../helpers/backends.js';
import { randomArray, rng } from '../helpers/close.js';
import { f64, numericGradient } from '../helpers/gradcheck.js';
import { expectCloseNamed, expectParity, runKernel, type Buffers, type KernelCall, type Tolerance } from '../helpers/kernel-run.js';

/** Keras's epsilon and 1 − epsilon as float32, the bounds both cores clip probabilities to. */
const EPS32 = Math.fround(1e-7);
const ONE_MINUS_EPS32 = Math.fround(1 - 1e-7);

const SHAPES = [[1, 1], [1, 3], [3, 5], [5, 17], [17, 33], [33, 127], [127, 3]] as const;

function randomLabels(rows: number, cols: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: rows }, () => Math.floor(r() * cols));
}

/** Positive, unnormalized probabilities with exact 0s (clipped low) and a one-hot row (clipped high). */
function probabilities(rows: number, cols: number, seed: number): Float32Array {
  const p = randomArray(rows * cols, seed, 0.01, 1);
  for (let i = 0; i < p.length; i += 7) p[i] = 0;
  if (rows > 1) { p.fill(0, 0, cols); p[cols - 1] = 1; }
  return p;
}

/** One loss kernel as the tests see it: inputs for a shape, the call, and whether it takes labels. */
interface LossCase {
  name: string;
  inputs(rows: number, cols: number, seed: number): Buffers;
  call(rows: number, cols: number): KernelCall;
}

const nanDP = (rows: number, cols: number) => new Float32Array(rows * cols).fill(NaN);

const LOSSES: LossCase[] = [0, 1].flatMap((fromLogits) => [
  {
    name: `sparseCategoricalCrossentropy fromLogits=${fromLogits}`,
    inputs: (rows, cols, seed) => ({
      dP: nanDP(rows, cols), labels: randomLabels(rows, cols, seed),
      P: fromLogits ? randomArray(rows * cols, seed, -5, 5) : probabilities(rows, cols, seed),
    }),
    call: (rows, cols) => (be, p) => be.sparseCategoricalCrossentropy(p.dP, p.P, p.labels, rows, cols, fromLogits),
  },
  {
    name: `categoricalCrossentropy fromLogits=${fromLogits}`,
    inputs: (rows, cols, seed) => ({
      dP: nanDP(rows, cols), T: randomArray(rows * cols, seed + 1, 0, 1),
      P: fromLogits ? randomArray(rows * cols, seed, -5, 5) : probabilities(rows, cols, seed),
    }),
    call: (rows, cols) => (be, p) => be.categoricalCrossentropy(p.dP, p.P, p.T, rows, cols, fromLogits),
  },
  {
    name: `binaryCrossentropy fromLogits=${fromLogits}`,
    inputs: (rows, cols, seed) => {
      const P = fromLogits ? randomArray(rows * cols, seed, -8, 8) : randomArray(rows * cols, seed, 0, 1);
      // Plant the extremes: logits ±100, probabilities exactly 0 and 1 (both clipped).
      for (let i = 0; i < P.length; i += 5) P[i] = fromLogits ? (i % 2 ? 100 : -100) : (i % 2 ? 1 : 0);
      return { dP: nanDP(rows, cols), P, T: randomArray(rows * cols, seed + 1, 0, 1) };
    },
    call: (rows, cols) => (be, p) => be.binaryCrossentropy(p.dP, p.P, p.T, rows, cols, fromLogits),
  },
] satisfies LossCase[]).concat([
  {
    name: 'meanSquaredError',
    inputs: (rows, cols, seed) => ({ dP: nanDP(rows, cols), P: randomArray(rows * cols, seed, -3, 3), T: randomArray(rows * cols, seed + 1, -3, 3) }),
    call: (rows, cols) => (be, p) => be.meanSquaredError(p.dP, p.P, p.T, rows, cols),
  },
  {
    name: 'meanAbsoluteError',
    inputs: (rows, cols, seed) => {
      const P = randomArray(rows * cols, seed, -3, 3), T = randomArray(rows * cols, seed + 1, -3, 3);
      T[0] = P[0]; // e = 0: gradient 0
      return { dP: nanDP(rows, cols), P, T };
    },
    call: (rows, cols) => (be, p) => be.meanAbsoluteError(p.dP, p.P, p.T, rows, cols),
  },
  {
    name: 'huber delta=0.7',
    inputs: (rows, cols, seed) => ({ dP: nanDP(rows, cols), P: randomArray(rows * cols, seed, -2, 2), T: randomArray(rows * cols, seed + 1, -2, 2) }),
    call: (rows, cols) => (be, p) => be.huber(p.dP, p.P, p.T, rows, cols, 0.7),
  },
]);

describe('loss parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  // The summed loss: float32 terms accumulated in float64, so a few ulps relative. dP: elements
  // are differences of float32 terms (−t/p + Σt/S, softmax·Σt − t), so they are compared
  // normwise: within 1e-6 of the largest |dP|, plus 1e-6 relative.
  const tol: Record<string, Tolerance> = { value: { atol: 1e-7, rtol: 1e-6 }, dP: { atol: 0, rtol: 1e-6, normwise: 1e-6 } };

  describe.each(LOSSES)('$name', (loss) => {
    it.each(SHAPES)('rows=%i cols=%i', (rows, cols) => {
      expectParity(wasm, jsBackend, loss.inputs(rows, cols, rows * 1000 + cols), loss.call(rows, cols), { atol: 0, rtol: 0 }, tol);
    });
  });
});

describe('loss gradients against central differences of value ÷ rows (float64 js core)', () => {
  const be = jsBackend64;

  /** Inputs kept away from the clipping bounds and from MAE's and Huber's kinks. */
  function smoothInputs(loss: LossCase, rows: number, cols: number, seed: number): Buffers {
    const b = { ...loss.inputs(rows, cols, seed) };
    const n = rows * cols;
    if (loss.name.startsWith('sparse') || loss.name.startsWith('categorical')) {
      // Probabilities in [0.2, 1]: each p/S ≥ 0.2/cols stays well inside [1e-7, 1 − 1e-7].
      if (loss.name.endsWith('=0')) b.P = randomArray(n, seed, 0.2, 1);
    } else if (loss.name === 'binaryCrossentropy fromLogits=0') {
      b.P = randomArray(n, seed, 0.05, 0.95);
    } else if (loss.name === 'binaryCrossentropy fromLogits=1') {
      b.P = randomArray(n, seed, -6, 6);
    } else if (loss.name === 'meanAbsoluteError' || loss.name.startsWith('huber')) {
      // |P − T| in [0.1, 0.6] ∪ [0.8, 1.5] with random signs: off 0 (MAE) and off δ = 0.7 (Huber).
      const r = rng(seed), P = randomArray(n, seed + 2, -2, 2), T = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const mag = r() < 0.5 ? 0.1 + 0.5 * r() : 0.8 + 0.7 * r();
        T[i] = P[i] + (r() < 0.5 ? mag : -mag);
      }
      b.P = P;
      b.T = T;
    }
    return b;
  }

  describe.each(LOSSES)('$name', (loss) => {
    it.each([[3, 5], [1, 7], [4, 1]] as const)('rows=%i cols=%i', (rows, cols) => {
      const inputs = smoothInputs(loss, rows, cols, 17 * rows + cols);
      const P = f64(inputs.P);
      const run = (pp: Float64Array) => runKernel(be, { ...inputs, P: pp }, loss.call(rows, cols));
      const numeric = numericGradient((pp) => run(pp).value / rows, P);
      expectCloseNamed('dP', run(P).out.dP, numeric, { atol: 1e-9, rtol: 1e-6 });
    });
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('loss values by hand on %s', (beName) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(beName); });
  // Hand values are float64; the float32 cores hold inputs and dP in float32.
  const TOL: Tolerance = { atol: 1e-7, rtol: 1e-6 };
  const softmax = (z: number[]) => { const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), s = e.reduce((a, b) => a + b); return e.map((v) => v / s); };

  it('sparse CE from logits [[1, 2, 3], [1, 0, −1]], labels [2, 0]', () => {
    const r = runKernel(be, { dP: new Float32Array(6), P: [1, 2, 3, 1, 0, -1], labels: Int32Array.of(2, 0) },
      (be, p) => be.sparseCategoricalCrossentropy(p.dP, p.P, p.labels, 2, 3, 1));
    // Both rows: −log softmax = log(1 + e⁻¹ + e⁻²) = 0.40760596.
    expectCloseNamed('value', [r.value], [2 * Math.log(1 + Math.exp(-1) + Math.exp(-2))], TOL);
    const s0 = softmax([1, 2, 3]), s1 = softmax([1, 0, -1]);
    expectCloseNamed('dP', r.out.dP, [s0[0] / 2, s0[1] / 2, (s0[2] - 1) / 2, (s1[0] - 1) / 2, s1[1] / 2, s1[2] / 2], TOL);
  });

  it('sparse CE from probabilities clips a 0 at 1e-7: [[0.2, 0.3, 0.5], [0, 0.4, 0.6]], labels [2, 0]', () => {
    const r = runKernel(be, { dP: new Float32Array(6), P: [0.2, 0.3, 0.5, 0, 0.4, 0.6], labels: Int32Array.of(2, 0) },
      (be, p) => be.sparseCategoricalCrossentropy(p.dP, p.P, p.labels, 2, 3, 0));
    // −log 0.5 − log 1e-7 = 0.693147 + 16.118096. Row 0: dL/dp_k = −t_k/p_k + 1/S, ÷ 2 rows.
    // Row 1: its label is clipped, so no gradient flows (as through Keras's clip).
    expectCloseNamed('value', [r.value], [Math.log(2) - Math.log(EPS32)], TOL);
    expectCloseNamed('dP', r.out.dP, [0.5, 0.5, -0.5, 0, 0, 0], TOL);
  });

  it('categorical CE renormalizes rows: P = [2, 3, 5], T = [0.1, 0.2, 0.7]', () => {
    const r = runKernel(be, { dP: new Float32Array(3), P: [2, 3, 5], T: [0.1, 0.2, 0.7] },
      (be, p) => be.categoricalCrossentropy(p.dP, p.P, p.T, 1, 3, 0));
    expectCloseNamed('value', [r.value], [-(0.1 * Math.log(0.2) + 0.2 * Math.log(0.3) + 0.7 * Math.log(0.5))], TOL);
    // −t_k/p_k + Σt/S with S = 10, Σt = 1.
    expectCloseNamed('dP', r.out.dP, [-0.1 / 2 + 0.1, -0.2 / 3 + 0.1, -0.7 / 5 + 0.1], TOL);
  });

  it('categorical CE from probabilities: a one-hot P equal to T clips at 1 − 1e-7 (float32)', () => {
    const r = runKernel(be, { dP: new Float32Array(3), P: [0, 1, 0], T: [0, 1, 0] },
      (be, p) => be.categoricalCrossentropy(p.dP, p.P, p.T, 1, 3, 0));
    expectCloseNamed('value', [r.value], [-Math.log(ONE_MINUS_EPS32)], { atol: 1e-12, rtol: 1e-6 });
    expectCloseNamed('dP', r.out.dP, [0, 0, 0], { atol: 0, rtol: 0 });
  });

  it('categorical CE from logits with soft targets: z = [0.5, −1, 2, 0], T = [0.25, 0, 0.5, 0.25]', () => {
    const z = [0.5, -1, 2, 0], t = [0.25, 0, 0.5, 0.25];
    const r = runKernel(be, { dP: new Float32Array(4), P: z, T: t }, (be, p) => be.categoricalCrossentropy(p.dP, p.P, p.T, 1, 4, 1));
    const s = softmax(z), lse = Math.log(z.reduce((a, v) => a + Math.exp(v), 0));
    expectCloseNamed('value', [r.value], [t.reduce((a, ti, i) => a + ti * (lse - z[i]), 0)], TOL);
    expectCloseNamed('dP', r.out.dP, s.map((si, i) => si - t[i]), TOL);
  });

  // ulp(1000) = 6.1e-5 in float32: a log-sum-exp formed as one float32 number would be off by
  // that much in the loss (here 4.54e-5) and in every softmax_c.
  it('CE from logits keeps full precision at large logits: z = [1000, 990, −1000], label 0', () => {
    const r = runKernel(be, { dP: new Float32Array(3), P: [1000, 990, -1000], labels: Int32Array.of(0) },
      (be, p) => be.sparseCategoricalCrossentropy(p.dP, p.P, p.labels, 1, 3, 1));
    const q = Math.exp(-10) / (1 + Math.exp(-10));
    // The float32 sum s = 1 + e⁻¹⁰ rounds by up to 6e-8 and softmax_0 − 1 cancels to q, so the
    // loss and dP_0 get one ulp(1) absolute; dP_1 = softmax_1 has no cancellation.
    expectCloseNamed('value', [r.value], [Math.log1p(Math.exp(-10))], { atol: 1.2e-7, rtol: 1e-6 });
    expectCloseNamed('dP', r.out.dP, [-q, q, 0], { atol: 1.2e-7, rtol: 0 });
    expectCloseNamed('dP_1', [r.out.dP[1]], [q], { atol: 0, rtol: 1e-6 });
  });

  it('binary CE from probabilities: P = [[0.9, 0.2], [0, 1]], T = [[1, 0], [1, 0]]', () => {
    const r = runKernel(be, { dP: new Float32Array(4), P: [0.9, 0.2, 0, 1], T: [1, 0, 1, 0] },
      (be, p) => be.binaryCrossentropy(p.dP, p.P, p.T, 2, 2, 0));
    // Per row the mean over 2 columns; the second row's 0 and 1 clip to the float32 bounds:
    // −log 1e-7 = 16.118 and −log(1 − (1 − 1e-7 as float32)) = −log 2⁻²³ = 15.942.
    const row0 = (-Math.log(0.9) - Math.log(0.8)) / 2;
    const row1 = (-Math.log(EPS32) - Math.log(1 - ONE_MINUS_EPS32)) / 2;
    expectCloseNamed('value', [r.value], [row0 + row1], TOL);
    // d(mean over 4 elements)/dp = (−t/p + (1 − t)/(1 − p)) / 4; 0 where clipped.
    expectCloseNamed('dP', r.out.dP, [-1 / 0.9 / 4, 1 / 0.8 / 4, 0, 0], TOL);
  });

  it('binary CE from logits: z = [0, 100, −100, 2], T = [1, 1, 1, 0.25]', () => {
    const z = [0, 100, -100, 2], t = [1, 1, 1, 0.25];
    const r = runKernel(be, { dP: new Float32Array(4), P: z, T: t }, (be, p) => be.binaryCrossentropy(p.dP, p.P, p.T, 1, 4, 1));
    // max(z, 0) − z·t + log(1 + e^−|z|): log 2, ≈ 0, 100, 2 − 0.5 + log(1 + e⁻²).
    expectCloseNamed('value', [r.value], [(Math.log(2) + 0 + 100 + 1.5 + Math.log1p(Math.exp(-2))) / 4], TOL);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expectCloseNamed('dP', r.out.dP, z.map((v, i) => (sig(v) - t[i]) / 4), TOL);
  });

  // P = [[1, 2, 3], [0, 0, 0]], T = [[1.5, 2, 1], [1, −3, 0.25]]: e = [[−0.5, 0, 2], [−1, 3, −0.25]].
  const P = [1, 2, 3, 0, 0, 0], T = [1.5, 2, 1, 1, -3, 0.25], E = [-0.5, 0, 2, -1, 3, -0.25];

  it('mean squared error', () => {
    const r = runKernel(be, { dP: new Float32Array(6), P, T }, (be, p) => be.meanSquaredError(p.dP, p.P, p.T, 2, 3));
    expectCloseNamed('value', [r.value], [(0.25 + 0 + 4) / 3 + (1 + 9 + 0.0625) / 3], TOL);
    expectCloseNamed('dP', r.out.dP, E.map((e) => (2 * e) / 6), TOL);
  });

  it('mean absolute error (gradient 0 at e = 0)', () => {
    const r = runKernel(be, { dP: new Float32Array(6), P, T }, (be, p) => be.meanAbsoluteError(p.dP, p.P, p.T, 2, 3));
    expectCloseNamed('value', [r.value], [(0.5 + 0 + 2) / 3 + (1 + 3 + 0.25) / 3], TOL);
    expectCloseNamed('dP', r.out.dP, E.map((e) => Math.sign(e) / 6), { atol: 0, rtol: 1e-7 });
  });

  it('huber delta=1 (|e| = δ takes the quadratic branch)', () => {
    const r = runKernel(be, { dP: new Float32Array(6), P, T }, (be, p) => be.huber(p.dP, p.P, p.T, 2, 3, 1));
    // 0.5e² if |e| ≤ δ else δ(|e| − δ/2): 0.125, 0, 1.5 | 0.5, 2.5, 0.03125.
    expectCloseNamed('value', [r.value], [(0.125 + 0 + 1.5) / 3 + (0.5 + 2.5 + 0.03125) / 3], TOL);
    expectCloseNamed('dP', r.out.dP, E.map((e) => Math.max(-1, Math.min(1, e)) / 6), TOL);
  });

  it('every loss overwrites dP (NaN garbage in, finite out)', () => {
    for (const loss of LOSSES) {
      const r = runKernel(be, loss.inputs(3, 5, 1), loss.call(3, 5));
      for (const v of r.out.dP) expect(Number.isFinite(v), loss.name).toBe(true);
      expect(Number.isFinite(r.value), loss.name).toBe(true);
    }
  });
});
