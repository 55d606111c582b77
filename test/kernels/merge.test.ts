/**
 * The merge-layer kernels (assembly/kernels/merge.ts): wasm against the js twin on awkward sizes
 * (f32x4 bodies and scalar tails), and both against the plain formulas written here, so a test
 * fails when both cores are wrong the same way. Also: extremum ties and NaN (bitwise equal on the
 * two cores), gemmBatched for every transposition against per-block gemms and a float64 product,
 * l2 normalization's clamped case (a zero vector), its gradient against central finite
 * differences on the float64 core, and the kernels on a thread pool's backend (they run on the
 * calling thread).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { createThreadedBackend, type ThreadedWasmBackend } from '../../bindings/backend/threads/index.js';
import { AWKWARD_SIZES, backendByName, jsBackend, jsBackend64, wasmBackend } from '../helpers/backends.js';
import { randomArray, rng } from '../helpers/close.js';
import { numericGradient } from '../helpers/gradcheck.js';
import { expectCloseNamed, expectParity, runKernel, type Buffers, type KernelCall } from '../helpers/kernel-run.js';

const F32_EPS = 2 ** -23;
const EXACT = { atol: 0, rtol: 0 };
// n = 0 must be a no-op. Buffers are GUARD elements longer than the n the kernel is given, so
// comparing whole buffers also checks that nothing is written past n.
const SIZES = [0, ...AWKWARD_SIZES];
const GUARD = 3;

/** The float32 bits of each value (NaN, −0 and +0 told apart). */
const bits = (xs: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(xs).buffer));

/** n int32 values read back from `be` (the js cores keep them in their own array in float64 mode). */
function readInt32(be: Backend, ptr: number, n: number): number[] {
  if (be.name === 'wasm') return Array.from(new Int32Array(be.read(ptr, n).buffer));
  const ints = (be as unknown as { heap: { i: Int32Array } }).heap.i;
  return Array.from(ints.subarray(ptr >> 2, (ptr >> 2) + n));
}

/** Run `call` over fresh buffers like runKernel, and also return the int32 buffers (by name) as written by the kernel. */
function runWithInts(be: Backend, buffers: Buffers, call: KernelCall) {
  const ints: Record<string, number[]> = {};
  const r = runKernel(be, buffers, (b, p) => {
    call(b, p);
    for (const [name, v] of Object.entries(buffers)) if (v instanceof Int32Array) ints[name] = readInt32(b, p[name], v.length);
  });
  return { out: r.out, ints };
}

// ---- the plain formulas ---------------------------------------------------------------------

/** Maximum (sign 1) or minimum (−1) over the inputs by the contract's strict test: values and winners. */
function naiveExtremum(xs: Float32Array[], n: number, sign: number) {
  const y = Array.from(xs[0].subarray(0, n)), arg = new Array<number>(n).fill(0);
  for (let k = 1; k < xs.length; k++) {
    for (let i = 0; i < n; i++) if (sign * xs[k][i] > sign * y[i]) { y[i] = xs[k][i]; arg[i] = k; }
  }
  return { y, arg };
}

/** C_b = alpha·op(A_b)·op(B_b) + beta·C_b in float64, and Σ|alpha·a·b| + |beta·c| (the scale of its rounding error). */
function naiveGemmBatched(A: ArrayLike<number>, B: ArrayLike<number>, C: ArrayLike<number>, batch: number,
  M: number, N: number, K: number, tA: number, tB: number, alpha: number, beta: number) {
  const out = new Float64Array(batch * M * N), scale = new Float64Array(out.length);
  for (let b = 0; b < batch; b++) {
    const a0 = b * M * K, b0 = b * K * N, c0 = b * M * N;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0, m = 0;
      for (let k = 0; k < K; k++) {
        const p = A[a0 + (tA ? k * M + i : i * K + k)] * B[b0 + (tB ? j * K + k : k * N + j)];
        s += p; m += Math.abs(p);
      }
      const c = C[c0 + i * N + j];
      out[c0 + i * N + j] = alpha * s + (beta === 0 ? 0 : beta * c);
      scale[c0 + i * N + j] = Math.abs(alpha) * m + (beta === 0 ? 0 : Math.abs(beta * c));
    }
  }
  return { out, scale };
}

/**
 * Keras l2_normalize along len of X (outer, len, inner) in float64, and its gradient for upstream
 * dY; dxScale = InvNorm·(|dY| + |y|·Σ_l|dY·y|), the size of the terms whose difference dX is.
 */
function naiveL2(X: ArrayLike<number>, dY: ArrayLike<number>, outer: number, len: number, inner: number, epsilon: number) {
  const y = new Float64Array(X.length), dx = new Float64Array(X.length), dxScale = new Float64Array(X.length);
  const inv = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    const at = (l: number) => (o * len + l) * inner + i;
    let s = 0;
    for (let l = 0; l < len; l++) s += X[at(l)] ** 2;
    const r = 1 / Math.sqrt(Math.max(s, epsilon));
    inv[o * inner + i] = r;
    let dot = 0, dotAbs = 0;
    for (let l = 0; l < len; l++) { y[at(l)] = X[at(l)] * r; dot += dY[at(l)] * y[at(l)]; dotAbs += Math.abs(dY[at(l)] * y[at(l)]); }
    for (let l = 0; l < len; l++) {
      dx[at(l)] = s > epsilon ? r * (dY[at(l)] - y[at(l)] * dot) : r * dY[at(l)];
      dxScale[at(l)] = r * (Math.abs(dY[at(l)]) + Math.abs(y[at(l)]) * dotAbs);
    }
  }
  return { y, inv, dx, dxScale };
}

/** |got − want| ≤ rel·scale elementwise (scale: the size of the terms `want` is summed from). */
function expectWithin(name: string, got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>, rel: number): void {
  const bad = Array.from(got).findIndex((g, i) => !(Math.abs(g - want[i]) <= rel * scale[i]));
  if (bad >= 0) expect.fail(`${name}[${bad}]: ${got[bad]}, expected ${want[bad]} ± ${rel * scale[bad]}`);
}

/**
 * X (outer ≥ 2, len, inner) random in [−2, 2), with two clamped vectors (|x|² ≤ 1e-12): zeros at
 * (0, ·, inner − 1) (a scalar tail position when inner > 1) and a tiny nonzero one at (1, ·, 0)
 * (an f32x4 lane when inner ≥ 4), whose Y = x/√ε is not 0, so that its gradient tells the
 * clamped formula from the projected one.
 */
function l2Input(outer: number, len: number, inner: number, seed: number): Float32Array {
  const x = randomArray(outer * len * inner, seed, -2, 2);
  for (let l = 0; l < len; l++) {
    x[l * inner + inner - 1] = 0;
    x[(len + l) * inner] = x[(len + l) * inner] * 2.5e-8; // |x|² < 127·(5e-8)² < 1e-12
  }
  return x;
}

const L2_SHAPES = AWKWARD_SIZES.flatMap((len) => [1, 3, 5, 17].map((inner) => [len, inner] as const));

// ---- wasm against js, and both against the formulas -------------------------------------------

describe('merge kernels: wasm vs js vs the formula', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  // One rounding of an exact product in both cores: bitwise.
  it.each(SIZES)('mulInto n=%i', (n) => {
    const Y = randomArray(n + GUARD, 10 + n, -3, 3), X = randomArray(n + GUARD, 20 + n, -3, 3);
    const { a } = expectParity(wasm, jsBackend, { Y, X }, (be, p) => be.mulInto(p.Y, p.X, n), EXACT);
    const want = Array.from(Y, (y, i) => (i < n ? Math.fround(y * X[i]) : y));
    expectCloseNamed('Y vs formula', a.out.Y, want, EXACT);
  });

  // Y + A·B: the SIMD128 build rounds the product and the sum, the relaxed build may round once,
  // js rounds once to float64 then to float32: each within one float32 rounding of |Y| + |A·B|.
  it.each(SIZES)('mulAdd n=%i', (n) => {
    const Y = randomArray(n + GUARD, 30 + n, -3, 3), A = randomArray(n + GUARD, 40 + n, -3, 3), B = randomArray(n + GUARD, 50 + n, -3, 3);
    for (const be of [wasm, jsBackend]) {
      const { out } = runKernel(be, { Y, A, B }, (b, p) => b.mulAdd(p.Y, p.A, p.B, n));
      for (let i = 0; i < n + GUARD; i++) {
        const want = i < n ? Y[i] + A[i] * B[i] : Y[i];
        const tol = i < n ? 2 * F32_EPS * (Math.abs(Y[i]) + Math.abs(A[i] * B[i])) : 0;
        expect(Math.abs(out.Y[i] - want), `${be.name} Y[${i}]`).toBeLessThanOrEqual(tol);
      }
    }
  });

  // Inputs drawn from {−1, 0, 1, 2} tie often; NaN in the first and in later inputs.
  const EXTREMUM_CASES = SIZES.flatMap((n) => [[n, 1], [n, -1]] as const);
  it.each(EXTREMUM_CASES)('extremumStep and extremumBackward n=%i sign=%i: bitwise, ties and NaN', (n, sign) => {
    const inputs = 3, r = rng(60 + n);
    const xs = Array.from({ length: inputs }, () => Float32Array.from({ length: n + GUARD }, () => {
      const u = r();
      return u < 0.08 ? NaN : [-1, 0, 1, 2][Math.floor(r() * 4)];
    }));
    const dY = randomArray(n + GUARD, 70 + n), dX0 = randomArray(n + GUARD, 80 + n);
    const runs = [wasm, jsBackend].map((be) => runWithInts(be,
      { Y: new Float32Array(n + GUARD).fill(7), Arg: new Int32Array(n + GUARD).fill(9), X0: xs[0], X1: xs[1], X2: xs[2], dY, dX: dX0.slice() },
      (b, p) => {
        for (let k = 0; k < inputs; k++) b.extremumStep(p.Y, p.Arg, [p.X0, p.X1, p.X2][k], n, k, sign);
        b.extremumBackward(p.dX, p.dY, p.Arg, n, 1);
      }));
    const ref = naiveExtremum(xs, n, sign);
    for (const { out, ints } of runs) {
      expect(bits(out.Y)).toEqual(bits([...ref.y, 7, 7, 7]));
      expect(ints.Arg).toEqual([...ref.arg, 9, 9, 9]);
      expect(bits(out.dX)).toEqual(bits(Array.from(dX0, (d, i) => (i < n && ref.arg[i] === 1 ? Math.fround(d + dY[i]) : d))));
    }
    // The test data has what it is meant to: ties between inputs and NaNs.
    if (n >= 33) {
      expect(xs[1].subarray(0, n).some((v, i) => v === xs[0][i])).toBe(true);
      expect(ref.arg.filter((k) => k === 1).length).toBeGreaterThan(0);
      expect(xs.some((x) => x.subarray(0, n).some(Number.isNaN))).toBe(true);
    }
  });

  const CONCAT_CASES = AWKWARD_SIZES.flatMap((cols) => [[cols, 0], [cols, 3]] as const);
  it.each(CONCAT_CASES)('copyColumns and addColumnsFrom cols=%i yOffset=%i', (cols, yOffset) => {
    const rows = 3, yStride = yOffset + cols + 2;
    const X = randomArray(rows * cols, 90 + cols), Y = randomArray(rows * yStride, 91 + cols);
    const dX = randomArray(rows * cols, 92 + cols), dY = randomArray(rows * yStride, 93 + cols);
    const { a } = expectParity(wasm, jsBackend, { Y, X, dX, dY }, (be, p) => {
      be.copyColumns(p.Y, p.X, rows, cols, yStride, yOffset);
      be.addColumnsFrom(p.dX, p.dY, rows, cols, yStride, yOffset);
    }, EXACT);
    const wantY = Array.from(Y), wantDX = Array.from(dX);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      wantY[r * yStride + yOffset + c] = X[r * cols + c];
      wantDX[r * cols + c] = Math.fround(dX[r * cols + c] + dY[r * yStride + yOffset + c]);
    }
    expectCloseNamed('Y vs formula', a.out.Y, wantY, EXACT);
    expectCloseNamed('dX vs formula', a.out.dX, wantDX, EXACT);
  });

  const TRANS = [[0, 0], [1, 0], [0, 1], [1, 1]] as const;
  const GEMM_SHAPES = [[1, 1, 1], [3, 5, 17], [17, 3, 5], [5, 33, 3], [33, 17, 127], [9, 127, 33]] as const;
  it.each(TRANS)('gemmBatched transA=%i transB=%i', (tA, tB) => {
    GEMM_SHAPES.forEach(([M, N, K], s) => {
      for (const [alpha, beta] of [[1, 0], [-0.7, 0.5]]) {
        const batch = 3, seed = 100 * s + 10 * tA + tB;
        const A = randomArray(batch * M * K, seed), B = randomArray(batch * K * N, seed + 1);
        // beta = 0 must not read C: fill it with NaN.
        const C = beta === 0 ? new Float32Array(batch * M * N + GUARD).fill(NaN) : randomArray(batch * M * N + GUARD, seed + 2);
        const what = `M=${M} N=${N} K=${K} alpha=${alpha} beta=${beta}`;
        const call: KernelCall = (be, p) => be.gemmBatched(p.C, p.A, p.B, batch, M, N, K, tA, tB, alpha, beta);
        const ref = naiveGemmBatched(A, B, C, batch, M, N, K, tA, tB, alpha, beta);
        const runs = [wasm, jsBackend].map((be) => runKernel(be, { C, A, B }, call).out.C);
        for (const [name, got] of [['wasm', runs[0]], ['js', runs[1]]] as const) {
          // Any summation order is within γ = (K + 4)·2⁻²⁴ of the exact sum, relative to Σ|terms| (gemm.test.ts).
          for (let i = 0; i < ref.out.length; i++) {
            expect(Math.abs(got[i] - ref.out[i]), `${name} ${what} C[${i}]`).toBeLessThanOrEqual((K + 4) * 2 ** -24 * ref.scale[i] + 1e-30);
          }
          expect(bits(got.subarray(ref.out.length)), `${name} ${what}: past the last block`).toEqual(bits(C.subarray(ref.out.length)));
        }
        // On the wasm core, block b is bitwise gemm on block b.
        const perBlock = runKernel(wasm, { C, A, B }, (be, p) => {
          for (let b = 0; b < batch; b++) be.gemm(p.C + 4 * b * M * N, p.A + 4 * b * M * K, p.B + 4 * b * K * N, M, N, K, tA, tB, alpha, beta);
        }).out.C;
        expect(bits(runs[0]), `${what}: gemmBatched vs one gemm per block`).toEqual(bits(perBlock));
      }
    });
  });

  // Sums of len float32 squares (wasm; js: float64) are within len·2⁻²⁴ of Σ x² (len ≤ 127:
  // 7.6e-6 relative); the gradient's terms, summed and then subtracted, within that of dxScale.
  // A dropped term is off by ~1/len. The zero vector's gradient is 1e6·dY: relative scales only.
  const L2_REL = 2e-5;
  it.each(L2_SHAPES)('l2NormalizeForward and l2NormalizeBackward len=%i inner=%i', (len, inner) => {
    const outer = 3, n = outer * len * inner, eps = 1e-12;
    const X = l2Input(outer, len, inner, 200 + 7 * len + inner);
    const dY = randomArray(n, 300 + len + inner), dX0 = randomArray(n, 400 + len + inner);
    const buffers = { Y: new Float32Array(n).fill(9), InvNorm: new Float32Array(outer * inner).fill(9), X, dY, dX: dX0.slice() };
    const call: KernelCall = (be, p) => {
      be.l2NormalizeForward(p.Y, p.InvNorm, p.X, outer, len, inner, eps);
      be.l2NormalizeBackward(p.dX, p.dY, p.Y, p.InvNorm, p.X, outer, len, inner, eps);
    };
    const ref = naiveL2(X, dY, outer, len, inner, eps);
    const ones = new Float64Array(n).fill(1), dxScale = ref.dxScale.map((v, i) => v + Math.abs(dX0[i]));
    const runs = [wasm, jsBackend].map((be) => runKernel(be, buffers, call).out);
    for (const [name, out] of [['wasm', runs[0]], ['js', runs[1]]] as const) {
      expectWithin(`${name} Y`, out.Y, ref.y, ones, L2_REL); // |y| ≤ 1
      expectWithin(`${name} InvNorm`, out.InvNorm, ref.inv, ref.inv, L2_REL);
      expectWithin(`${name} dX`, out.dX, Array.from(dX0, (d, i) => d + ref.dx[i]), dxScale, L2_REL);
      expect(Array.from(out.X), `${name} X untouched`).toEqual(Array.from(X));
      // The clamped vectors: InvNorm = 1/√ε, and the zero one's Y = 0 (not NaN).
      expect(out.InvNorm[inner - 1], `${name} InvNorm of the zero vector`).toBeCloseTo(1e6, -1);
      expect(out.Y[len * inner - 1], `${name} Y of the zero vector`).toBe(0);
      expect(out.InvNorm[inner], `${name} InvNorm of the tiny vector`).toBeCloseTo(1e6, -1);
    }
    expectWithin('wasm vs js dX', runs[0].dX, runs[1].dX, dxScale, 2 * L2_REL);
  });
});

// ---- exact values by hand, on every core ------------------------------------------------------

describe.each(['wasm', 'js', 'js64'] as const)('merge kernels by hand on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });

  it('mulInto and mulAdd', () => {
    const r = runKernel(be, { Y: [1, 2, 3, 4, 5, 6], X: [2, -1, 0.5, 0, 4, 9], Z: [1, 1, 1, 1, 1, 1] }, (b, p) => {
      b.mulInto(p.Y, p.X, 5);
      b.mulAdd(p.Z, p.Y, p.X, 5);
    });
    expect(Array.from(r.out.Y)).toEqual([2, -2, 1.5, 0, 20, 6]);
    expect(Array.from(r.out.Z)).toEqual([5, 3, 1.75, 1, 81, 1]);
  });

  it('maximum and minimum of three inputs: the first of tied inputs wins, NaN only from input 0', () => {
    const X0 = [1, 5, NaN, 2, 0], X1 = [3, 5, 4, NaN, -1], X2 = [3, 1, 9, 8, 0];
    for (const [sign, y, arg] of [[1, [3, 5, NaN, 8, 0], [1, 0, 0, 2, 0]], [-1, [1, 1, NaN, 2, -1], [0, 2, 0, 0, 1]]] as const) {
      const { out, ints } = runWithInts(be, { Y: new Float32Array(5), Arg: new Int32Array(5).fill(-1), X0, X1, X2, dX: [0, 0, 0, 0, 0], dY: [1, 2, 3, 4, 5] },
        (b, p) => {
          for (const [k, X] of [p.X0, p.X1, p.X2].entries()) b.extremumStep(p.Y, p.Arg, X, 5, k, sign);
          b.extremumBackward(p.dX, p.dY, p.Arg, 5, 0);
        });
      expect(Array.from(out.Y), `sign ${sign}`).toEqual(y);
      expect(ints.Arg, `sign ${sign}`).toEqual(arg);
      expect(Array.from(out.dX), `sign ${sign}`).toEqual(arg.map((k, i) => (k === 0 ? i + 1 : 0)));
    }
  });

  it('extremumBackward leaves the other elements bit for bit (−0 stays −0)', () => {
    const { out } = runWithInts(be, { dX: [-0, -0, 1, -0, -0, -0], dY: [0, 2, 3, 0, 0, 0], Arg: Int32Array.of(1, 0, 1, 0, 1, 0) },
      (b, p) => b.extremumBackward(p.dX, p.dY, p.Arg, 6, 0));
    expect(Array.from(out.dX).map((v) => Object.is(v, -0) ? '-0' : v)).toEqual(['-0', 2, 1, 0, '-0', 0]);
  });

  it('concatenate two inputs and split the gradient back', () => {
    const r = runKernel(be, { Y: new Float32Array(8), A: [1, 2, 3, 4], B: [5, 6, 7, 8], dA: [0, 0, 0, 0], dB: [1, 1, 1, 1], dY: [10, 20, 30, 40, 50, 60, 70, 80] },
      (b, p) => {
        b.copyColumns(p.Y, p.A, 2, 2, 4, 0);
        b.copyColumns(p.Y, p.B, 2, 2, 4, 2);
        b.addColumnsFrom(p.dA, p.dY, 2, 2, 4, 0);
        b.addColumnsFrom(p.dB, p.dY, 2, 2, 4, 2);
      });
    expect(Array.from(r.out.Y)).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
    expect(Array.from(r.out.dA)).toEqual([10, 20, 50, 60]);
    expect(Array.from(r.out.dB)).toEqual([31, 41, 71, 81]);
  });

  it('gemmBatched: two 1×2·2×1 products, then one 2×2 product with both operands transposed', () => {
    const r = runKernel(be, { C: [9, 9, 9], A: [1, 2, 3, 4], B: [5, 6, 7, 8] },
      (b, p) => b.gemmBatched(p.C, p.A, p.B, 2, 1, 1, 2, 0, 0, 1, 0));
    expect(Array.from(r.out.C)).toEqual([17, 53, 9]);
    // One 2×2 block: Aᵀ·B with A = [[1, 2], [3, 4]] stored, B = [[5, 6], [7, 8]]; C = 2·AᵀB + C.
    const t = runKernel(be, { C: [1, 1, 1, 1], A: [1, 2, 3, 4], B: [5, 6, 7, 8] },
      (b, p) => b.gemmBatched(p.C, p.A, p.B, 1, 2, 2, 2, 1, 1, 2, 1));
    // Aᵀ = [[1, 3], [2, 4]], Bᵀ = [[5, 7], [6, 8]]: AᵀBᵀ = [[23, 31], [34, 46]].
    expect(Array.from(t.out.C)).toEqual([47, 63, 69, 93]);
  });

  it('l2 normalization of (3, 4) and of a zero vector (clamped: 1/√ε, the gradient scaled by it)', () => {
    const r = runKernel(be, { Y: [9, 9, 9, 9], InvNorm: [9, 9], X: [3, 4, 0, 0], dY: [1, 2, 3, -5], dX: [0, 0, 0, 0] }, (b, p) => {
      b.l2NormalizeForward(p.Y, p.InvNorm, p.X, 2, 2, 1, 1e-12);
      b.l2NormalizeBackward(p.dX, p.dY, p.Y, p.InvNorm, p.X, 2, 2, 1, 1e-12);
    });
    const tol = { atol: 0, rtol: 4 * F32_EPS };
    expectCloseNamed('Y', r.out.Y, [0.6, 0.8, 0, 0], tol);
    expectCloseNamed('InvNorm', r.out.InvNorm, [0.2, 1e6], tol);
    // (1, 2)·0.2 minus y·⟨dY, y⟩ = (0.6, 0.8)·2.2, times 0.2: (−0.064, 0.048).
    expectCloseNamed('dX', r.out.dX, [0.2 * (1 - 0.6 * 2.2), 0.2 * (2 - 0.8 * 2.2), 3e6, -5e6], { atol: 1e-7, rtol: 4 * F32_EPS });
  });
});

// ---- l2NormalizeBackward against finite differences (float64 core) -----------------------------

describe('l2NormalizeBackward: finite differences on the float64 js core', () => {
  /** Σ W·Y(X): its gradient in X is l2NormalizeBackward with dY = W. */
  function check(X: Float64Array, outer: number, len: number, inner: number, epsilon: number, h: number) {
    const be = jsBackend64, n = X.length;
    const W = Float64Array.from(randomArray(n, 500 + n));
    const Y = be.alloc(4 * n), Inv = be.alloc(4 * outer * inner), Xp = be.alloc(4 * n), Wp = be.alloc(4 * n), dX = be.alloc(4 * n);
    const loss = (x: Float64Array) => {
      be.write(Xp, x);
      be.l2NormalizeForward(Y, Inv, Xp, outer, len, inner, epsilon);
      const y = be.read64(Y, n);
      return y.reduce((s, v, i) => s + v * W[i], 0);
    };
    const numeric = numericGradient(loss, X, h);
    loss(X);
    be.write(Wp, W);
    be.write(dX, new Float64Array(n).fill(0.25)); // it accumulates
    be.l2NormalizeBackward(dX, Wp, Y, Inv, Xp, outer, len, inner, epsilon);
    const analytic = Array.from(be.read64(dX, n), (v) => v - 0.25);
    for (const p of [Y, Inv, Xp, Wp, dX]) be.free(p);
    expectCloseNamed('dX', analytic, numeric, { atol: 1e-7, rtol: 1e-6, normwise: 1e-7 });
  }

  it.each([[2, 5, 1], [2, 3, 4], [1, 17, 3], [3, 1, 2]] as const)('outer=%i len=%i inner=%i, epsilon 1e-12', (outer, len, inner) => {
    check(Float64Array.from(randomArray(outer * len * inner, 600 + len)), outer, len, inner, 1e-12, 1e-5);
  });

  it('clamped vectors (a zero one and a small one, |x|² < ε = 0.01) beside unclamped ones', () => {
    // (outer 2, len 3, inner 2): positions (0, 0) zero, (0, 1) small, (1, 0) and (1, 1) ordinary.
    // A step of 1e-5 keeps the clamped ones clamped.
    const X = Float64Array.of(0, 0.03, 0, -0.05, 0, 0.04, 0.9, -0.4, -0.3, 0.2, 0.5, 0.7);
    check(X, 2, 3, 2, 0.01, 1e-5);
  });

  it('the zero vector at the default epsilon 1e-12 (steps of 1e-8 stay inside |x|² ≤ ε)', () => {
    check(Float64Array.of(0, 0, 0, 0, 0.3, -0.2, 0.6, 0.1), 2, 4, 1, 1e-12, 1e-8);
  });
});

// ---- a thread pool's backend -------------------------------------------------------------------

describe('on a thread pool (2 threads): the kernels run on the calling thread, as on one', () => {
  let pool: ThreadedWasmBackend;
  beforeAll(async () => { pool = await createThreadedBackend(2); });
  afterAll(async () => { await pool?.terminate(); });

  it('every merge kernel gives bitwise what the one-thread wasm core gives', async () => {
    const wasm = await wasmBackend();
    expect(pool.threads).toBe(2);
    const outer = 4, len = 33, inner = 5, n = outer * len * inner, M = 17, N = 33, K = 127, batch = 3;
    const buffers: Buffers = {
      Y: randomArray(n, 1), X: l2Input(outer, len, inner, 2), Z: randomArray(n, 3), dY: randomArray(n, 4), dX: randomArray(n, 5),
      Inv: new Float32Array(outer * inner), Arg: new Int32Array(n), C: randomArray(batch * M * N, 6),
      A: randomArray(batch * M * K, 7), B: randomArray(batch * K * N, 8), W: new Float32Array(2 * n),
    };
    const call: KernelCall = (be, p) => {
      be.mulInto(p.Y, p.X, n);
      be.mulAdd(p.Z, p.Y, p.dY, n);
      be.extremumStep(p.W, p.Arg, p.X, n, 0, 1);
      be.extremumStep(p.W, p.Arg, p.Z, n, 1, 1);
      be.extremumBackward(p.dX, p.dY, p.Arg, n, 1);
      be.copyColumns(p.W, p.Z, outer, len * inner, 2 * len * inner, len * inner);
      be.addColumnsFrom(p.dX, p.W, outer, len * inner, 2 * len * inner, 3);
      be.gemmBatched(p.C, p.A, p.B, batch, M, N, K, 1, 0, 0.5, 0.25);
      be.l2NormalizeForward(p.Y, p.Inv, p.X, outer, len, inner, 1e-12);
      be.l2NormalizeBackward(p.dX, p.dY, p.Y, p.Inv, p.X, outer, len, inner, 1e-12);
    };
    const one = runWithInts(wasm, buffers, call), two = runWithInts(pool, buffers, call);
    for (const k of Object.keys(one.out)) expect(bits(two.out[k]), k).toEqual(bits(one.out[k]));
    expect(two.ints.Arg).toEqual(one.ints.Arg);
  });
});
