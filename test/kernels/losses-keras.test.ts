// The losses keelnet takes from Keras 3 (kld, hinge, squaredHinge, categoricalHinge, logcosh,
// poisson, cosineSimilarity, mape, msle): wasm against js on awkward sizes, gradients against
// central differences on the float64 js core, and values and gradients against Keras 3 itself
// (test/fixtures/losses/keras-losses.json, written by keras_losses.py beside it).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, jsBackend64, wasmBackend } from '../helpers/backends.js';
import { randomArray, rng } from '../helpers/close.js';
import { f64, numericGradient } from '../helpers/gradcheck.js';
import { expectCloseNamed, expectParity, runKernel, type Buffers, type Tolerance } from '../helpers/kernel-run.js';

type KerasLoss = 'kullbackLeiblerDivergence' | 'hinge' | 'squaredHinge' | 'categoricalHinge' | 'logcosh' | 'poisson'
  | 'cosineSimilarity' | 'meanAbsolutePercentageError' | 'meanSquaredLogarithmicError';

const call = (name: KerasLoss, rows: number, cols: number) => (be: Backend, p: Record<string, number>) => be[name](p.dP, p.P, p.T, rows, cols);

interface Case {
  name: string;
  kernel: KerasLoss;
  /** Inputs with the awkward values: clipped entries, margins exactly 0, zero rows, huge |p − t|. */
  inputs(rows: number, cols: number, seed: number): { P: Float32Array; T: Float32Array };
  /** Inputs away from every kink and clip, for finite differences. */
  smooth(rows: number, cols: number, seed: number): { P: Float32Array; T: Float32Array };
}

const binaryLabels = (n: number, seed: number) => { const r = rng(seed); return Float32Array.from({ length: n }, () => (r() < 0.5 ? 0 : 1)); };
const oneHot = (rows: number, cols: number, seed: number) => {
  const r = rng(seed), T = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) T[i * cols + Math.floor(r() * cols)] = 1;
  return T;
};
/** P with |1 − t·p| ≥ 0.1 for t = ±1: no hinge kink within a finite-difference step. */
const offMargin = (n: number, seed: number) => { const r = rng(seed); return Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (r() < 0.5 ? 0.2 + 0.7 * r() : 1.1 + r())); };

const CASES: Case[] = [
  {
    name: 'kullbackLeiblerDivergence', kernel: 'kullbackLeiblerDivergence',
    inputs: (rows, cols, seed) => {
      const P = randomArray(rows * cols, seed, 0, 1.2), T = randomArray(rows * cols, seed + 1, 0, 1);
      for (let i = 0; i < P.length; i += 4) { P[i] = 0; T[(i + 1) % T.length] = 0; } // both clip at ε
      return { P, T };
    },
    smooth: (rows, cols, seed) => ({ P: randomArray(rows * cols, seed, 0.05, 0.95), T: randomArray(rows * cols, seed + 1, 0.01, 1) }),
  },
  ...(['hinge', 'squaredHinge'] as const).flatMap((kernel) => [
    {
      name: `${kernel} {0, 1} labels`, kernel,
      inputs: (rows: number, cols: number, seed: number) => {
        const P = randomArray(rows * cols, seed, -2, 2), T = binaryLabels(rows * cols, seed + 1);
        P[0] = 2 * T[0] - 1; // margin exactly 0
        return { P, T };
      },
      smooth: (rows: number, cols: number, seed: number) => ({ P: offMargin(rows * cols, seed), T: binaryLabels(rows * cols, seed + 1) }),
    },
    {
      name: `${kernel} soft labels`, kernel,
      inputs: (rows: number, cols: number, seed: number) => ({ P: randomArray(rows * cols, seed, -2, 2), T: randomArray(rows * cols, seed + 1, -1, 1) }),
      smooth: (rows: number, cols: number, seed: number) => {
        const T = randomArray(rows * cols, seed + 1, 0.2, 1), P = offMargin(rows * cols, seed);
        for (let i = 0; i < T.length; i++) P[i] /= T[i]; // t·p off 1 by ≥ 0.1
        return { P, T };
      },
    },
  ]),
  {
    name: 'categoricalHinge', kernel: 'categoricalHinge',
    inputs: (rows, cols, seed) => ({ P: randomArray(rows * cols, seed, -2, 2), T: oneHot(rows, cols, seed + 1) }),
    smooth: (rows, cols, seed) => {
      // Distinct values (no tie for the max), margins away from 0: the true class scored low.
      const T = oneHot(rows, cols, seed + 1), P = new Float32Array(rows * cols), r = rng(seed);
      for (let i = 0; i < P.length; i++) P[i] = T[i] ? -0.5 + 0.1 * r() : (i % cols) * 0.3 + 0.1 * r();
      return { P, T };
    },
  },
  {
    name: 'logcosh', kernel: 'logcosh',
    inputs: (rows, cols, seed) => {
      const P = randomArray(rows * cols, seed, -3, 3), T = randomArray(rows * cols, seed + 1, -3, 3);
      for (let i = 0; i < P.length; i += 3) P[i] = i % 2 ? 1000 : -100; // cosh would overflow float32
      return { P, T };
    },
    smooth: (rows, cols, seed) => ({ P: randomArray(rows * cols, seed, -3, 3), T: randomArray(rows * cols, seed + 1, -3, 3) }),
  },
  {
    name: 'poisson', kernel: 'poisson',
    inputs: (rows, cols, seed) => {
      const P = randomArray(rows * cols, seed, 0, 3);
      P[0] = 0;
      return { P, T: randomArray(rows * cols, seed + 1, 0, 4) };
    },
    smooth: (rows, cols, seed) => ({ P: randomArray(rows * cols, seed, 0.1, 3), T: randomArray(rows * cols, seed + 1, 0, 4) }),
  },
  {
    name: 'cosineSimilarity', kernel: 'cosineSimilarity',
    inputs: (rows, cols, seed) => {
      const P = randomArray(rows * cols, seed, -1, 1), T = randomArray(rows * cols, seed + 1, -1, 1);
      if (rows > 2) { P.fill(0, 0, cols); T.fill(0, cols, 2 * cols); } // a zero prediction, a zero target
      return { P, T };
    },
    smooth: (rows, cols, seed) => ({ P: randomArray(rows * cols, seed, -1, 1), T: randomArray(rows * cols, seed + 1, -1, 1) }),
  },
  {
    name: 'meanAbsolutePercentageError', kernel: 'meanAbsolutePercentageError',
    inputs: (rows, cols, seed) => {
      const P = randomArray(rows * cols, seed, -2, 2), T = randomArray(rows * cols, seed + 1, -2, 2);
      T[0] = 0; // divides by ε
      if (T.length > 1) P[1] = T[1]; // e = 0: gradient 0
      return { P, T };
    },
    smooth: (rows, cols, seed) => {
      const T = randomArray(rows * cols, seed + 1, 0.5, 2), P = Float32Array.from(T, (t, i) => t + (i % 2 ? 0.3 : -0.4));
      return { P, T };
    },
  },
  {
    name: 'meanSquaredLogarithmicError', kernel: 'meanSquaredLogarithmicError',
    inputs: (rows, cols, seed) => ({ P: randomArray(rows * cols, seed, -0.5, 3), T: randomArray(rows * cols, seed + 1, -0.5, 3) }),
    smooth: (rows, cols, seed) => ({ P: randomArray(rows * cols, seed, 0.05, 3), T: randomArray(rows * cols, seed + 1, -0.5, 3) }),
  },
];

const SHAPES = AWKWARD_SIZES.flatMap((rows) => [1, 5, 33].map((cols) => [rows, cols] as const)).concat([[3, 127], [1, 127]]);
const buffers = (b: { P: Float32Array; T: Float32Array }): Buffers => ({ dP: new Float32Array(b.P.length).fill(NaN), ...b });

describe('Keras loss parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });
  // float32 sums in wasm, float64 in js: a few ulps per term; dP compared normwise.
  const tol: Record<string, Tolerance> = { value: { atol: 1e-6, rtol: 2e-6 }, dP: { atol: 0, rtol: 2e-6, normwise: 2e-6 } };

  describe.each(CASES)('$name', (c) => {
    it.each(SHAPES)('rows=%i cols=%i', (rows, cols) => {
      expectParity(wasm, jsBackend, buffers(c.inputs(rows, cols, 31 * rows + cols)), call(c.kernel, rows, cols), { atol: 0, rtol: 0 }, tol);
    });
  });
});

describe('Keras loss gradients against central differences of value ÷ rows (float64 js core)', () => {
  describe.each(CASES)('$name', (c) => {
    it.each([[3, 5], [1, 7], [4, 1], [2, 3]] as const)('rows=%i cols=%i', (rows, cols) => {
      const inputs = buffers(c.smooth(rows, cols, 17 * rows + cols));
      const run = (pp: Float64Array) => runKernel(jsBackend64, { ...inputs, P: pp }, call(c.kernel, rows, cols));
      const P = f64(inputs.P);
      const numeric = numericGradient((pp) => run(pp).value / rows, P);
      expectCloseNamed('dP', run(P).out.dP, numeric, { atol: 1e-8, rtol: 1e-6 });
    });
  });
});

interface KerasFixture { keras: string; rows: number; cols: number; cases: { name: string; yTrue: number[]; yPred: number[]; value: number; grad: number[] }[] }
const fixture = JSON.parse(readFileSync(new URL('../fixtures/losses/keras-losses.json', import.meta.url), 'utf8')) as KerasFixture;

describe.each(['wasm', 'js', 'js64'] as const)('Keras 3 values and gradients on %s', (beName) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(beName); });

  it('the fixture comes from Keras 3', () => { expect(fixture.keras).toMatch(/^3\./); expect(fixture.cases.length).toBe(14); });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const { rows, cols } = fixture;
    const kernel = c.name.split(' ')[0] as KerasLoss;
    const r = runKernel(be, { dP: new Float32Array(rows * cols), P: c.yPred, T: c.yTrue }, call(kernel, rows, cols));
    expectCloseNamed('value', [r.value / rows], [c.value], { atol: 1e-5, rtol: 1e-5 });
    expectCloseNamed('dP', r.out.dP, c.grad, { atol: 1e-5, rtol: 1e-5 });
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('Keras loss semantics by hand on %s', (beName) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(beName); });
  const TOL = { atol: 1e-6, rtol: 1e-6 };
  const run = (k: KerasLoss, P: number[], T: number[], rows: number, cols: number) =>
    runKernel(be, { dP: new Float32Array(P.length), P, T }, call(k, rows, cols));

  it('hinge turns {0, 1} labels into {−1, 1}, but only when every label in the batch is 0 or 1', () => {
    // Binary: t = [1, 0] → [1, −1]; p = [0.5, 0.5]: max(1 − 0.5, 0) = 0.5 and max(1 + 0.5, 0) = 1.5.
    expectCloseNamed('binary', [run('hinge', [0.5, 0.5], [1, 0], 1, 2).value], [1], TOL);
    // One label 0.5 keeps all as given: max(1 − 0.5, 0) = 0.5, max(1 − 0, 0) = 1, max(1 − 0.25, 0) = 0.75.
    expectCloseNamed('soft', [run('hinge', [0.5, 0.5, 0.5], [1, 0, 0.5], 1, 3).value], [0.75], TOL);
  });

  it('squaredHinge: the margin squared, gradient −2t·margin', () => {
    const r = run('squaredHinge', [0.5, 2], [1, 0], 1, 2); // t → [1, −1]: margins 0.5 and 3
    expectCloseNamed('value', [r.value], [(0.25 + 9) / 2], TOL);
    expectCloseNamed('dP', r.out.dP, [-2 * 0.5 / 2, 2 * 3 / 2], TOL);
  });

  it('categoricalHinge: max(neg − pos + 1, 0), zero loss and gradient past the margin', () => {
    const r = run('categoricalHinge', [0.2, 0.9, 0.1, 3, 0.5, 0], [0, 1, 0, 1, 0, 0], 2, 3);
    // Row 0: pos 0.9, neg 0.2 → 0.3; row 1: pos 3, neg 0.5 → 0.
    expectCloseNamed('value', [r.value], [0.3], TOL);
    expectCloseNamed('dP', r.out.dP, [0.5, -0.5, 0, 0, 0, 0], TOL);
  });

  it('logcosh stays finite and exact at |x| = 1000: |x| − log 2, gradient ±1', () => {
    const r = run('logcosh', [1000, -1000, 0], [0, 0, 0], 1, 3);
    expectCloseNamed('value', [r.value], [(2 * (1000 - Math.LN2)) / 3], { atol: 0, rtol: 1e-7 });
    expectCloseNamed('dP', r.out.dP, [1 / 3, -1 / 3, 0], TOL);
  });

  it('cosineSimilarity is −cos (−1 when aligned, Keras 3 sign) and 0 for a zero vector', () => {
    const r = run('cosineSimilarity', [1, 2, 2, 0, 0, 0, 3, 0, 0], [2, 4, 4, 1, 1, 0, 0, 5, 0], 3, 3);
    expectCloseNamed('value', [r.value], [-1 + 0 + 0], TOL);
    // Aligned: d/dp = −(t̂ − cos·p̂)/‖p‖ = 0. Zero p: −t̂·1e7 (Keras's norm floor). Orthogonal: −t̂/‖p‖.
    expectCloseNamed('dP', r.out.dP, [0, 0, 0, -Math.SQRT1_2 * 1e7 / 3, -Math.SQRT1_2 * 1e7 / 3, 0, 0, -1 / 3 / 3, 0], { atol: 1e-6, rtol: 1e-6 });
  });

  it('kullbackLeiblerDivergence sums the last axis and clips t and p to [ε, 1]', () => {
    const r = run('kullbackLeiblerDivergence', [0.25, 0.75, 0], [0.5, 0.5, 0], 1, 3);
    const eps = Math.fround(1e-7);
    expectCloseNamed('value', [r.value], [0.5 * Math.log(2) + 0.5 * Math.log(0.5 / 0.75) + eps * Math.log(1)], TOL);
    expectCloseNamed('dP', r.out.dP, [-2, -0.5 / 0.75, 0], TOL);
  });

  it('mape divides by max(|t|, ε); msle floors p and t at ε; poisson adds ε inside the log', () => {
    expectCloseNamed('mape', [run('meanAbsolutePercentageError', [1.5, -1], [2, -4], 1, 2).value], [100 * (0.25 + 0.75) / 2], TOL);
    const m = run('meanSquaredLogarithmicError', [-1, 1], [1, 0], 1, 2);
    const e0 = Math.log1p(Math.fround(1e-7)) - Math.log(2), e1 = Math.log(2) - Math.log1p(Math.fround(1e-7));
    expectCloseNamed('msle', [m.value], [(e0 * e0 + e1 * e1) / 2], TOL);
    expectCloseNamed('msle dP', m.out.dP, [0, e1 / 2], TOL);
    const p = run('poisson', [2, 0.5], [1, 3], 1, 2);
    expectCloseNamed('poisson', [p.value], [(2 - Math.log(2) + 0.5 - 3 * Math.log(0.5)) / 2], TOL);
  });
});
