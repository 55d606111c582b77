// batchNormForward/Backward and layerNormForward/Backward: wasm against js over every pair of
// awkward sizes, the absent-γ/β and skipped-gradient conventions, values against a float64
// formula, and the backward kernels against central finite differences of the forward kernels.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, jsBackend64, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { numericGradient } from '../helpers/gradcheck.js';
import { expectCloseNamed, expectParity, runKernel, type Buffers, type KernelCall } from '../helpers/kernel-run.js';

const SHAPES = AWKWARD_SIZES.flatMap((rows) => AWKWARD_SIZES.map((cols) => [rows, cols] as const));
const F32_EPS = 2 ** -23;
const EPSILON = 1e-3;
const MOMENTUM = 0.99;

/** Inputs for a (rows, cols) call: X off-centre so that the mean matters, positive moving variances. */
function buffers(rows: number, cols: number): Buffers {
  return {
    Y: new Float32Array(rows * cols),
    X: randomArray(rows * cols, rows * 100 + cols, -2, 3),
    gamma: randomArray(cols, cols + 1, 0.5, 2),
    beta: randomArray(cols, cols + 2, -1, 1),
    movingMean: randomArray(cols, cols + 3, -0.5, 0.5),
    movingVar: randomArray(cols, cols + 4, 0.5, 2),
    dY: randomArray(rows * cols, rows * 7 + cols),
    dX: randomArray(rows * cols, rows * 11 + cols),
    dGamma: randomArray(cols, cols + 5),
    dBeta: randomArray(cols, cols + 6),
  };
}

const bnForward = (rows: number, cols: number, training: number): KernelCall => (be, p) =>
  be.batchNormForward(p.Y, p.movingMean, p.movingVar, p.X, p.gamma, p.beta, rows, cols, MOMENTUM, EPSILON, training);
const bnBackward = (rows: number, cols: number, training: number): KernelCall => (be, p) =>
  be.batchNormBackward(p.dX, p.dGamma, p.dBeta, p.dY, p.X, p.gamma, p.movingMean, p.movingVar, rows, cols, EPSILON, training);
const lnForward = (rows: number, cols: number): KernelCall => (be, p) =>
  be.layerNormForward(p.Y, p.X, p.gamma, p.beta, rows, cols, EPSILON);
const lnBackward = (rows: number, cols: number): KernelCall => (be, p) =>
  be.layerNormBackward(p.dX, p.dGamma, p.dBeta, p.dY, p.X, p.gamma, rows, cols, EPSILON);

/**
 * The wasm core sums the n terms of each statistic in float32 (four columns per f32x4 down the
 * rows for batch norm; four lanes then a horizontal add along the row for layer norm); the js
 * core sums in float64. The statistics then differ by about n·ε relative, and every output
 * inherits that relative to its own scale (1/√var amplifies both alike): measured up to 3.9·n·ε
 * of max|output| (batchNormBackward's dX, 3 rows), so 8·(n + 1)·ε normwise.
 */
const tol = (n: number) => ({ atol: 0, rtol: 0, normwise: 8 * (n + 1) * F32_EPS });

describe('normalization parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  it.each(SHAPES)('batchNormForward training rows=%i cols=%i (Y and the moving statistics)', (rows, cols) => {
    expectParity(wasm, jsBackend, buffers(rows, cols), bnForward(rows, cols, 1), tol(rows));
  });

  it.each(SHAPES)('batchNormForward inference rows=%i cols=%i', (rows, cols) => {
    expectParity(wasm, jsBackend, buffers(rows, cols), bnForward(rows, cols, 0), tol(1));
  });

  it.each(SHAPES)('batchNormBackward training rows=%i cols=%i', (rows, cols) => {
    expectParity(wasm, jsBackend, buffers(rows, cols), bnBackward(rows, cols, 1), tol(rows));
  });

  it.each(SHAPES)('batchNormBackward inference rows=%i cols=%i', (rows, cols) => {
    expectParity(wasm, jsBackend, buffers(rows, cols), bnBackward(rows, cols, 0), tol(rows));
  });

  it.each(SHAPES)('layerNormForward rows=%i cols=%i', (rows, cols) => {
    expectParity(wasm, jsBackend, buffers(rows, cols), lnForward(rows, cols), tol(cols));
  });

  it.each(SHAPES)('layerNormBackward rows=%i cols=%i', (rows, cols) => {
    // dGamma and dBeta sum over rows as well as the row statistics over cols.
    expectParity(wasm, jsBackend, buffers(rows, cols), lnBackward(rows, cols), tol(Math.max(rows, cols)));
  });

  // γ and β absent (pointer 0), and only the weight gradients wanted (dX = 0).
  it.each([[1, 1], [5, 3], [17, 33], [127, 5]] as const)('absent gamma/beta and skipped dX, rows=%i cols=%i', (rows, cols) => {
    const b = buffers(rows, cols);
    expectParity(wasm, jsBackend, b, (be, p) => be.batchNormForward(p.Y, p.movingMean, p.movingVar, p.X, 0, 0, rows, cols, MOMENTUM, EPSILON, 1), tol(rows));
    expectParity(wasm, jsBackend, b, (be, p) => be.batchNormBackward(0, p.dGamma, p.dBeta, p.dY, p.X, 0, p.movingMean, p.movingVar, rows, cols, EPSILON, 1), tol(rows));
    expectParity(wasm, jsBackend, b, (be, p) => be.layerNormForward(p.Y, p.X, 0, 0, rows, cols, EPSILON), tol(cols));
    expectParity(wasm, jsBackend, b, (be, p) => be.layerNormBackward(0, p.dGamma, p.dBeta, p.dY, p.X, 0, rows, cols, EPSILON), tol(Math.max(rows, cols)));
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('normalization values on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });
  // float32 cores: a few ε of the output scale; float64: the formula's own rounding.
  const close = () => (name === 'js64' ? { atol: 1e-12, rtol: 1e-12 } : { atol: 64 * F32_EPS, rtol: 16 * F32_EPS });

  // Rows 6, cols 5: one f32x4 of columns and a scalar tail.
  const rows = 6, cols = 5;

  it('batchNormForward in training normalizes each column with its batch statistics and updates the moving ones', () => {
    const b = buffers(rows, cols);
    const r = runKernel(be, b, bnForward(rows, cols, 1));
    const X = b.X as Float32Array, g = b.gamma as Float32Array, bt = b.beta as Float32Array;
    const Y = new Float64Array(rows * cols), mm = new Float64Array(cols), mv = new Float64Array(cols);
    for (let c = 0; c < cols; c++) {
      let mean = 0, v = 0;
      for (let i = 0; i < rows; i++) mean += X[i * cols + c] / rows;
      for (let i = 0; i < rows; i++) v += (X[i * cols + c] - mean) ** 2 / rows;
      for (let i = 0; i < rows; i++) Y[i * cols + c] = g[c] * (X[i * cols + c] - mean) / Math.sqrt(v + EPSILON) + bt[c];
      mm[c] = (b.movingMean as Float32Array)[c] * MOMENTUM + mean * (1 - MOMENTUM);
      mv[c] = (b.movingVar as Float32Array)[c] * MOMENTUM + v * (1 - MOMENTUM);
    }
    expectCloseNamed('Y', r.out.Y, Y, close());
    expectCloseNamed('movingMean', r.out.movingMean, mm, close());
    expectCloseNamed('movingVar', r.out.movingVar, mv, close());
  });

  it('batchNormForward in inference uses the moving statistics and leaves them alone', () => {
    const b = buffers(rows, cols);
    const r = runKernel(be, b, bnForward(rows, cols, 0));
    const X = b.X as Float32Array, g = b.gamma as Float32Array, bt = b.beta as Float32Array;
    const mm = b.movingMean as Float32Array, mv = b.movingVar as Float32Array;
    const Y = Float64Array.from(X, (x, i) => g[i % cols] * (x - mm[i % cols]) / Math.sqrt(mv[i % cols] + EPSILON) + bt[i % cols]);
    expectCloseNamed('Y', r.out.Y, Y, close());
    expect(Array.from(r.out.movingMean)).toEqual(Array.from(mm));
    expect(Array.from(r.out.movingVar)).toEqual(Array.from(mv));
  });

  it('layerNormForward normalizes each row', () => {
    const b = buffers(rows, cols);
    const r = runKernel(be, b, lnForward(rows, cols));
    const X = b.X as Float32Array, g = b.gamma as Float32Array, bt = b.beta as Float32Array;
    const Y = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = Array.from(X.subarray(i * cols, (i + 1) * cols));
      const mean = row.reduce((s, x) => s + x, 0) / cols;
      const v = row.reduce((s, x) => s + (x - mean) ** 2, 0) / cols;
      row.forEach((x, c) => { Y[i * cols + c] = g[c] * (x - mean) / Math.sqrt(v + EPSILON) + bt[c]; });
    }
    expectCloseNamed('Y', r.out.Y, Y, close());
  });

  it('gamma = 0 and beta = 0 mean γ = 1 and β = 0, bit for bit', () => {
    const b = { ...buffers(rows, cols), ones: new Float32Array(cols).fill(1), zeros: new Float32Array(cols) };
    const absent = runKernel(be, b, (be, p) => be.batchNormForward(p.Y, p.movingMean, p.movingVar, p.X, 0, 0, rows, cols, MOMENTUM, EPSILON, 1));
    const unit = runKernel(be, b, (be, p) => be.batchNormForward(p.Y, p.movingMean, p.movingVar, p.X, p.ones, p.zeros, rows, cols, MOMENTUM, EPSILON, 1));
    expect(Array.from(absent.out.Y)).toEqual(Array.from(unit.out.Y));
    const lnAbsent = runKernel(be, b, (be, p) => be.layerNormForward(p.Y, p.X, 0, 0, rows, cols, EPSILON));
    const lnUnit = runKernel(be, b, (be, p) => be.layerNormForward(p.Y, p.X, p.ones, p.zeros, rows, cols, EPSILON));
    expect(Array.from(lnAbsent.out.Y)).toEqual(Array.from(lnUnit.out.Y));
  });

  it('backward with dX = 0 gives the same weight gradients and skips dX; dGamma = dBeta = 0 leaves them alone', () => {
    const b = buffers(rows, cols);
    for (const training of [0, 1]) {
      const full = runKernel(be, b, bnBackward(rows, cols, training));
      const noDx = runKernel(be, b, (be, p) => be.batchNormBackward(0, p.dGamma, p.dBeta, p.dY, p.X, p.gamma, p.movingMean, p.movingVar, rows, cols, EPSILON, training));
      expect(Array.from(noDx.out.dGamma)).toEqual(Array.from(full.out.dGamma));
      expect(Array.from(noDx.out.dBeta)).toEqual(Array.from(full.out.dBeta));
      expect(Array.from(noDx.out.dX)).toEqual(Array.from(b.dX as Float32Array));
      const onlyDx = runKernel(be, b, (be, p) => be.batchNormBackward(p.dX, 0, 0, p.dY, p.X, p.gamma, p.movingMean, p.movingVar, rows, cols, EPSILON, training));
      expect(Array.from(onlyDx.out.dX)).toEqual(Array.from(full.out.dX));
      expect(Array.from(onlyDx.out.dGamma)).toEqual(Array.from(b.dGamma as Float32Array));
    }
    const full = runKernel(be, b, lnBackward(rows, cols));
    const noDx = runKernel(be, b, (be, p) => be.layerNormBackward(0, p.dGamma, p.dBeta, p.dY, p.X, p.gamma, rows, cols, EPSILON));
    expect(Array.from(noDx.out.dGamma)).toEqual(Array.from(full.out.dGamma));
    expect(Array.from(noDx.out.dX)).toEqual(Array.from(b.dX as Float32Array));
  });

  it('one row in training: x̂ = 0, so y = β, and the moving variance decays toward the zero batch variance', () => {
    const b = buffers(1, cols);
    const r = runKernel(be, b, bnForward(1, cols, 1));
    expect(Array.from(r.out.Y)).toEqual(Array.from(b.beta as Float32Array));
    expectCloseNamed('movingVar', r.out.movingVar, Float64Array.from(b.movingVar as Float32Array, (v) => v * MOMENTUM), close());
  });

  it('a constant row in layer norm gives y = β', () => {
    const b: Buffers = { ...buffers(2, cols), X: new Float32Array(2 * cols).fill(0.75) };
    const r = runKernel(be, b, lnForward(2, cols));
    const beta = Array.from(b.beta as Float32Array);
    expect(Array.from(r.out.Y)).toEqual([...beta, ...beta]);
  });
});

/**
 * Kernel-level gradient checks on the float64 core: L = Σ dY ⊙ Y(X, γ, β) with a fixed random
 * dY, so that backward(dY) must equal ∂L/∂X, ∂L/∂γ, ∂L/∂β from central differences.
 */
describe('normalization backward = finite differences of forward (float64 core)', () => {
  const be = jsBackend64;
  const cases = [[1, 3], [3, 5], [7, 2], [4, 9]] as const;

  function check(rows: number, cols: number, forward: (p: Record<string, number>) => void,
    backward: (p: Record<string, number>) => void): void {
    const b = buffers(rows, cols);
    const dY = Float64Array.from(b.dY);
    const loss = (over: Partial<Record<'X' | 'gamma' | 'beta', Float64Array>>) => {
      const r = runKernel(be, { ...b, ...over }, (_be, p) => forward(p));
      let s = 0;
      for (let i = 0; i < dY.length; i++) s += dY[i] * r.out.Y[i];
      return s;
    };
    const zeros = { dX: new Float64Array(rows * cols), dGamma: new Float64Array(cols), dBeta: new Float64Array(cols) };
    const analytic = runKernel(be, { ...b, ...zeros }, (_be, p) => backward(p)).out;
    for (const [w, grad] of [['X', 'dX'], ['gamma', 'dGamma'], ['beta', 'dBeta']] as const) {
      const numeric = numericGradient((v) => loss({ [w]: v }), Float64Array.from(b[w]));
      // Gradients through the batch statistics are differences of O(1) terms: 1e-7 of their scale.
      expectCloseNamed(`${grad} rows=${rows} cols=${cols}`, analytic[grad], numeric, { atol: 0, rtol: 1e-6, normwise: 1e-7 });
    }
  }

  it.each(cases)('batchNorm training rows=%i cols=%i', (rows, cols) => {
    check(rows, cols, (p) => be.batchNormForward(p.Y, p.movingMean, p.movingVar, p.X, p.gamma, p.beta, rows, cols, MOMENTUM, EPSILON, 1),
      (p) => be.batchNormBackward(p.dX, p.dGamma, p.dBeta, p.dY, p.X, p.gamma, p.movingMean, p.movingVar, rows, cols, EPSILON, 1));
  });

  it.each(cases)('batchNorm inference rows=%i cols=%i', (rows, cols) => {
    check(rows, cols, (p) => be.batchNormForward(p.Y, p.movingMean, p.movingVar, p.X, p.gamma, p.beta, rows, cols, MOMENTUM, EPSILON, 0),
      (p) => be.batchNormBackward(p.dX, p.dGamma, p.dBeta, p.dY, p.X, p.gamma, p.movingMean, p.movingVar, rows, cols, EPSILON, 0));
  });

  it.each(cases)('layerNorm rows=%i cols=%i', (rows, cols) => {
    check(rows, cols, (p) => be.layerNormForward(p.Y, p.X, p.gamma, p.beta, rows, cols, EPSILON),
      (p) => be.layerNormBackward(p.dX, p.dGamma, p.dBeta, p.dY, p.X, p.gamma, rows, cols, EPSILON));
  });
});
