/**
 * gemm parity: the wasm kernel (packed, blocked, SIMD) against the js twin (a plain loop) on
 * random inputs, for every (transA, transB), odd and degenerate sizes, and sizes larger than the
 * wasm cache blocks; plus the contract's edge cases (beta = 0 never reads C, NaN/Inf propagate).
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { wasmBackend, jsBackend, upload, freeAll } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';

interface Case { M: number; N: number; K: number; tA: number; tB: number; alpha: number; beta: number }

/** Run one gemm on `be` over copies of A, B, C0 and return C. */
function run(be: Backend, { M, N, K, tA, tB, alpha, beta }: Case,
  A: Float32Array, B: Float32Array, C0: Float32Array): Float32Array {
  const ptrs = upload(be, C0, A, B);
  be.gemm(ptrs[0], ptrs[1], ptrs[2], M, N, K, tA, tB, alpha, beta);
  const C = be.read(ptrs[0], M * N);
  freeAll(be, ptrs);
  return C;
}

function inputs(c: Case, seed: number) {
  return {
    A: randomArray(c.M * c.K, seed),
    B: randomArray(c.K * c.N, seed + 1),
    C0: randomArray(c.M * c.N, seed + 2),
  };
}

/**
 * Compare wasm with js elementwise. The two sum the K products in different orders, so each may
 * be off from the exact value by up to γ·(|alpha|·Σ|a·b| + |beta·c|), γ ≈ (K + 4)·2⁻²⁴; the
 * tolerance is twice that. A dropped or doubled term is off by ~Σ|a·b|/K, far above it.
 * Returns a description of the first mismatch, or '' when all match.
 */
function mismatch(c: Case, A: Float32Array, B: Float32Array, C0: Float32Array,
  got: Float32Array, want: Float32Array): string {
  const S = run(jsBackend, { ...c, alpha: 1, beta: 0 }, A.map(Math.abs), B.map(Math.abs), C0);
  const gamma = 2 * (c.K + 4) * 2 ** -24;
  for (let i = 0; i < got.length; i++) {
    const tol = gamma * (Math.abs(c.alpha) * S[i] + Math.abs(c.beta * C0[i])) + 1e-30;
    const ok = Object.is(got[i], want[i]) || Math.abs(got[i] - want[i]) <= tol;
    if (!ok) return `${JSON.stringify(c)}: C[${i}] wasm ${got[i]} js ${want[i]} (tol ${tol.toExponential(2)})`;
  }
  return '';
}

async function checkCases(cases: Case[], seed: number): Promise<void> {
  const w = await wasmBackend();
  const bad: string[] = [];
  cases.forEach((c, n) => {
    const { A, B, C0 } = inputs(c, seed + 3 * n);
    const msg = mismatch(c, A, B, C0, run(w, c, A, B, C0), run(jsBackend, c, A, B, C0));
    if (msg) bad.push(msg);
  });
  expect(bad.slice(0, 5), `${bad.length} of ${cases.length} cases differ`).toEqual([]);
}

const SIZES = [1, 3, 5, 17, 33, 127];
const ALPHAS = [1, -0.7, 1.3];
const BETAS = [0, 1, 0.5];
const TRANS = [[0, 0], [1, 0], [0, 1], [1, 1]];

describe.each(TRANS)('gemm transA=%i transB=%i: wasm matches js', (tA, tB) => {
  it('every M, N, K in {1, 3, 5, 17, 33, 127}, alpha and beta varied', async () => {
    const cases: Case[] = [];
    let n = 0;
    for (const M of SIZES) for (const N of SIZES) for (const K of SIZES) {
      cases.push({ M, N, K, tA, tB, alpha: ALPHAS[n % 3], beta: BETAS[Math.floor(n / 3) % 3] });
      n++;
    }
    await checkCases(cases, 100 * tA + 10 * tB);
  });

  it('sizes at and across the cache blocks (KC = 128, MC = 64, NC = 128)', async () => {
    await checkCases([
      { M: 300, N: 260, K: 530, tA, tB, alpha: 0.9, beta: 0.5 },
      { M: 64, N: 128, K: 128, tA, tB, alpha: 1, beta: 0 },
      { M: 65, N: 129, K: 129, tA, tB, alpha: 1, beta: 1 },
      { M: 100, N: 500, K: 40, tA, tB, alpha: 1, beta: 1 },
    ], 7);
  });
});

describe('gemm contract edge cases (wasm and js alike)', () => {
  const both = async () => [await wasmBackend(), jsBackend] as Backend[];

  it('beta = 0 overwrites C without reading it (NaN garbage is ignored)', async () => {
    for (const [tA, tB] of TRANS) {
      const c: Case = { M: 17, N: 33, K: 5, tA, tB, alpha: 2, beta: 0 };
      const { A, B } = inputs(c, 3);
      const clean = run(jsBackend, c, A, B, new Float32Array(c.M * c.N));
      for (const be of await both()) {
        const got = run(be, c, A, B, new Float32Array(c.M * c.N).fill(NaN));
        expect(got.every(Number.isFinite), `${be.name} ${tA}${tB}: NaN leaked from C`).toBe(true);
        expect(mismatch(c, A, B, clean, got, clean)).toBe('');
      }
    }
  });

  it('NaN in A and Inf·0 propagate; zero multipliers are not skipped', async () => {
    for (const [tA, tB] of TRANS) {
      const c: Case = { M: 9, N: 13, K: 7, tA, tB, alpha: 1, beta: 0 };
      const { A, B } = inputs(c, 5);
      // op(A)[2, 4] = NaN → row 2 of C is NaN.
      A[tA ? 4 * c.M + 2 : 2 * c.K + 4] = NaN;
      // op(A)[:, 6] = 0 and op(B)[6, 11] = Inf → column 11 of C is 0·Inf = NaN.
      for (let i = 0; i < c.M; i++) A[tA ? 6 * c.M + i : i * c.K + 6] = 0;
      B[tB ? 11 * c.K + 6 : 6 * c.N + 11] = Infinity;
      for (const be of await both()) {
        const got = run(be, c, A, B, new Float32Array(c.M * c.N));
        for (let i = 0; i < c.M; i++) for (let j = 0; j < c.N; j++) {
          expect(Number.isNaN(got[i * c.N + j]), `${be.name} ${tA}${tB} C[${i},${j}]`).toBe(i === 2 || j === 11);
        }
      }
    }
  });

  it('K = 0 scales C by beta (the product is empty)', async () => {
    for (const be of await both()) {
      const C0 = new Float32Array([1, -2, NaN, 4, 5, 6]);
      expect(Array.from(run(be, { M: 2, N: 3, K: 0, tA: 0, tB: 0, alpha: 1, beta: 0.5 }, C0.subarray(0, 0), C0.subarray(0, 0), C0)))
        .toEqual([0.5, -1, NaN, 2, 2.5, 3]);
      expect(Array.from(run(be, { M: 2, N: 3, K: 0, tA: 1, tB: 1, alpha: 1, beta: 0 }, C0.subarray(0, 0), C0.subarray(0, 0), C0)))
        .toEqual([0, 0, 0, 0, 0, 0]);
    }
  });
});

describe('gemm with few rows (M < 8, B not transposed: the unpacked path)', () => {
  it('a Dense layer on 1, 2 and 7 samples (784 → 500, 500 → 10), both op(A)', async () => {
    const cases: Case[] = [];
    for (const tA of [0, 1]) for (const [M, alpha, beta] of [[1, 1, 0], [2, -0.7, 1], [7, 1.3, 0.5]]) {
      cases.push({ M, N: 500, K: 784, tA, tB: 0, alpha, beta }, { M, N: 10, K: 500, tA, tB: 0, alpha, beta });
    }
    await checkCases(cases, 900);
  });

  it('beta = 0 ignores NaN garbage in C; NaN in A reaches only its row', async () => {
    const w = await wasmBackend();
    const c: Case = { M: 3, N: 37, K: 11, tA: 0, tB: 0, alpha: 1, beta: 0 };
    const { A, B } = inputs(c, 11);
    A[1 * c.K + 4] = NaN;
    const got = run(w, c, A, B, new Float32Array(c.M * c.N).fill(NaN));
    for (let i = 0; i < c.M; i++) for (let j = 0; j < c.N; j++) {
      expect(Number.isNaN(got[i * c.N + j]), `C[${i},${j}]`).toBe(i === 1);
    }
  });
});
