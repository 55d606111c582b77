// preluForward and preluBackward: wasm against js over every pair of awkward sizes, hand-worked
// values on every core, the skipped (0) outputs, accumulation, aliasing, and a finite-difference
// check of both gradients on the float64 core.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, jsBackend64, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { f64, numericGradient } from '../helpers/gradcheck.js';
import { expectCloseNamed, expectParity, runKernel } from '../helpers/kernel-run.js';

const SHAPES = AWKWARD_SIZES.flatMap((rows) => AWKWARD_SIZES.map((cols) => [rows, cols] as const));
const F32_EPS = 2 ** -23;

/** X over [−2, 2] with 0, −0 and a NaN-free mix of signs; the kink itself planted at the front. */
function preluInputs(n: number, seed: number): Float32Array {
  const x = randomArray(n, seed, -2, 2);
  x[0] = 0;
  if (n > 2) x[2] = -0;
  return x;
}

describe('prelu parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  // One float32 multiply per negative element; js's float64 product of two float32 values is
  // exact and rounds once when stored, so the cores agree bit for bit.
  it.each(SHAPES)('preluForward rows=%i cols=%i', (rows, cols) => {
    expectParity(wasm, jsBackend,
      { Y: new Float32Array(rows * cols).fill(NaN), X: preluInputs(rows * cols, rows * 100 + cols), alpha: randomArray(cols, cols, -0.5, 1.5) },
      (be, p) => be.preluForward(p.Y, p.X, p.alpha, rows, cols), { atol: 0, rtol: 0 });
  });

  // dX: wasm rounds α·dy and then the sum, js only the sum: ≤ ulp of |α·dy| ≤ 3 apart, i.e. 2·ε.
  // dAlpha sums `rows` products |dy·x| ≤ 4 in float32 (wasm) or float64 rounded per row (js):
  // the drift is at most one rounding of a running sum ≤ 4·rows per row, bounded by 4·rows·ε·rows;
  // the products here are mixed-sign, and 8·rows·ε is already a loose bound for them.
  it.each(SHAPES)('preluBackward rows=%i cols=%i', (rows, cols) => {
    const n = rows * cols;
    expectParity(wasm, jsBackend,
      {
        dX: randomArray(n, 3 * n + 1), dAlpha: randomArray(cols, cols + 5),
        dY: randomArray(n, 5 * n + 2, -2, 2), X: preluInputs(n, rows * 100 + cols), alpha: randomArray(cols, cols, -0.5, 1.5),
      },
      (be, p) => be.preluBackward(p.dX, p.dAlpha, p.dY, p.X, p.alpha, rows, cols),
      { atol: 2 * F32_EPS, rtol: 2 * F32_EPS }, { dAlpha: { atol: 8 * rows * F32_EPS, rtol: 0 } });
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('prelu values on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });

  // X (2, 5), alpha (5): five columns cover one f32x4 and a scalar tail.
  const X = [-2, 1, 0, -0.5, 3, 4, -1, -3, 2, -4];
  // Dyadic values: every product and sum below is exact in float32, so the cores must match exactly.
  const alpha = [0.25, 0.5, 0.125, 2, -1];
  const dY = [1, 2, 3, 4, 5, -1, 0.5, 2, 1, 0.25];

  it('forward: x where x > 0, alpha·x elsewhere', () => {
    const r = runKernel(be, { Y: new Float32Array(10).fill(NaN), X, alpha }, (be, p) => be.preluForward(p.Y, p.X, p.alpha, 2, 5));
    expect(Array.from(r.out.Y)).toEqual([-0.5, 1, 0, -1, 3, 4, -0.5, -0.375, 2, 4]);
  });

  it('backward accumulates dX += (x > 0 ? 1 : alpha)·dY and dAlpha += Σ_rows (x > 0 ? 0 : dY·x)', () => {
    const r = runKernel(be, { dX: new Float32Array(10).fill(1), dAlpha: [10, 20, 30, 40, 50], dY, X, alpha },
      (be, p) => be.preluBackward(p.dX, p.dAlpha, p.dY, p.X, p.alpha, 2, 5));
    expect(Array.from(r.out.dX)).toEqual([1.25, 3, 1.375, 9, 6, 0, 1.25, 1.25, 2, 0.75]);
    // Column sums of dY·x where x ≤ 0 — [1·(−2), 0.5·(−1), 3·0 + 2·(−3), 4·(−0.5), 0.25·(−4)] — plus the starting values.
    expect(Array.from(r.out.dAlpha)).toEqual([8, 19.5, 24, 38, 49]);
  });

  it('a 0 output pointer is skipped: dX = 0 leaves dAlpha right, dAlpha = 0 leaves dX right', () => {
    const both = runKernel(be, { dX: new Float32Array(10), dAlpha: new Float32Array(5), dY, X, alpha },
      (be, p) => be.preluBackward(p.dX, p.dAlpha, p.dY, p.X, p.alpha, 2, 5)).out;
    const onlyAlpha = runKernel(be, { dAlpha: new Float32Array(5), dY, X, alpha },
      (be, p) => be.preluBackward(0, p.dAlpha, p.dY, p.X, p.alpha, 2, 5)).out;
    const onlyX = runKernel(be, { dX: new Float32Array(10), dY, X, alpha },
      (be, p) => be.preluBackward(p.dX, 0, p.dY, p.X, p.alpha, 2, 5)).out;
    expect(Array.from(onlyAlpha.dAlpha)).toEqual(Array.from(both.dAlpha));
    expect(Array.from(onlyX.dX)).toEqual(Array.from(both.dX));
  });

  it('forward allows Y = X', () => {
    const r = runKernel(be, { XY: X, alpha }, (be, p) => be.preluForward(p.XY, p.XY, p.alpha, 2, 5));
    const apart = runKernel(be, { Y: new Float32Array(10), X, alpha }, (be, p) => be.preluForward(p.Y, p.X, p.alpha, 2, 5));
    expect(Array.from(r.out.XY)).toEqual(Array.from(apart.out.Y));
  });

  it('NaN in x propagates to y, dX and dAlpha', () => {
    const r = runKernel(be, { Y: new Float32Array(5), dX: new Float32Array(5), dAlpha: new Float32Array(5), dY: [1, 1, 1, 1, 1], X: [NaN, 1, NaN, -1, NaN], alpha: [0.5, 0.5, 0.5, 0.5, 0.5] },
      (be, p) => { be.preluForward(p.Y, p.X, p.alpha, 1, 5); be.preluBackward(p.dX, p.dAlpha, p.dY, p.X, p.alpha, 1, 5); });
    for (const i of [0, 2, 4]) {
      expect(r.out.Y[i]).toBeNaN();
      expect(r.out.dAlpha[i]).toBeNaN();
    }
    expect(Array.from(r.out.Y).filter((_, i) => i % 2)).toEqual([1, -0.5]);
  });
});

describe('prelu gradients against central differences (float64 js core)', () => {
  const be = jsBackend64;
  // x kept 0.05 away from the kink at 0.
  it.each([[1, 1], [3, 5], [7, 4], [2, 9]] as const)('rows=%i cols=%i', (rows, cols) => {
    const n = rows * cols;
    const x = f64(randomArray(n, n, -2, 2)).map((v) => (Math.abs(v) < 0.05 ? (v < 0 ? -0.05 : 0.05) : v));
    const a = f64(randomArray(cols, cols + 1, -0.5, 1.5));
    const w = f64(randomArray(n, n + 7, -2, 2));
    // f = Σ w ⊙ prelu(x; alpha), so ∂f/∂x and ∂f/∂alpha are preluBackward(dY = w).
    const f = (xx: Float64Array, aa: Float64Array) =>
      runKernel(be, { Y: new Float64Array(n), X: xx, alpha: aa }, (be, p) => be.preluForward(p.Y, p.X, p.alpha, rows, cols))
        .out.Y.reduce((s, yi, i) => s + w[i] * yi, 0);
    const g = runKernel(be, { dX: new Float64Array(n), dAlpha: new Float64Array(cols), dY: w, X: x, alpha: a },
      (be, p) => be.preluBackward(p.dX, p.dAlpha, p.dY, p.X, p.alpha, rows, cols)).out;
    expectCloseNamed('dX', g.dX, numericGradient((xx) => f(xx, a), x), { atol: 1e-9, rtol: 1e-6 });
    expectCloseNamed('dAlpha', g.dAlpha, numericGradient((aa) => f(x, aa), a), { atol: 1e-9, rtol: 1e-6 });
  });
});
