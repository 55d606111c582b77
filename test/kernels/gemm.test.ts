/**
 * gemm parity: the wasm kernel (packed, blocked, SIMD) against the js twin (a plain loop) on
 * random inputs, for every (transA, transB), odd and degenerate sizes, and sizes larger than the
 * wasm cache blocks; plus the contract's edge cases (beta = 0 never reads C, NaN/Inf propagate).
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import type { PoolKernels } from '../../bindings/backend/threads/pool-kernels.js';
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

  it('sizes at and across the cache blocks (KC = 128, MC = 64 or 80, NC = 512)', async () => {
    await checkCases([
      { M: 300, N: 260, K: 530, tA, tB, alpha: 0.9, beta: 0.5 },
      { M: 83, N: 530, K: 261, tA, tB, alpha: -1.1, beta: 0.5 },
      { M: 64, N: 128, K: 128, tA, tB, alpha: 1, beta: 0 },
      { M: 80, N: 512, K: 128, tA, tB, alpha: 1, beta: 0 },
      { M: 65, N: 513, K: 129, tA, tB, alpha: 1, beta: 1 },
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

/**
 * gemmStrided on sub-matrix views: A, B and C are blocks of larger matrices (rows lda, ldb, ldc
 * apart, starting at a column offset, so rows are not 16-byte aligned), whose other elements
 * are NaN — any read outside a view would show as NaN in C. The view's result must equal the
 * same product on compact copies: within the gemm tolerance against js, and bitwise against
 * the wasm gemm (same blocks, same summation order). C's other elements must be left alone.
 */
interface View { rows: number; cols: number; ld: number; col0: number; row0: number }

/** A view of `rows` × `cols` at (row0, col0) of a (row0 + rows + 1) × ld matrix. */
function view(rows: number, cols: number, pad: number): View {
  return { rows, cols, ld: cols + pad, col0: pad, row0: 1 };
}
const bigLength = (v: View) => (v.row0 + v.rows + 1) * v.ld;
const offset = (v: View) => (v.row0 * v.ld + v.col0) * 4;

/** The big matrix: `compact` (rows × cols) placed at the view, `fill` elsewhere. */
function embed(v: View, compact: Float32Array, fill: number | Float32Array): Float32Array {
  const big = typeof fill === 'number' ? new Float32Array(bigLength(v)).fill(fill) : fill.slice();
  for (let r = 0; r < v.rows; r++) big.set(compact.subarray(r * v.cols, (r + 1) * v.cols), (v.row0 + r) * v.ld + v.col0);
  return big;
}
function extract(v: View, big: Float32Array): Float32Array {
  const out = new Float32Array(v.rows * v.cols);
  for (let r = 0; r < v.rows; r++) out.set(big.subarray((v.row0 + r) * v.ld + v.col0, (v.row0 + r) * v.ld + v.col0 + v.cols), r * v.cols);
  return out;
}

/** Run gemmStrided over views of big matrices on `be`; returns the whole big C. */
function runStrided(be: Backend & PoolKernels, c: Case, vA: View, vB: View, vC: View,
  bigA: Float32Array, bigB: Float32Array, bigC: Float32Array): Float32Array {
  const ptrs = upload(be, bigC, bigA, bigB);
  be.gemmStrided(ptrs[0] + offset(vC), ptrs[1] + offset(vA), ptrs[2] + offset(vB), c.M, c.N, c.K,
    vA.ld, vB.ld, vC.ld, c.tA, c.tB, c.alpha, c.beta, 0, 0, 0);
  const C = be.read(ptrs[0], bigC.length);
  freeAll(be, ptrs);
  return C;
}

describe.each(TRANS)('gemmStrided transA=%i transB=%i on sub-matrix views', (tA, tB) => {
  const shapes = [
    [1, 1, 1], [3, 5, 17], [7, 33, 5], [8, 9, 127], [17, 3, 33], [33, 127, 9],
    [65, 129, 129], [100, 37, 300], [127, 33, 3], [130, 70, 260],
  ];
  it('equals gemm on compact copies (js within tolerance, wasm bitwise); C outside the view is untouched', async () => {
    const w = await wasmBackend();
    const bad: string[] = [];
    shapes.forEach(([M, N, K], n) => {
      const c: Case = { M, N, K, tA, tB, alpha: ALPHAS[n % 3], beta: BETAS[(n + 1) % 3] };
      const { A, B, C0 } = inputs(c, 500 + 7 * n);
      const vA = tA ? view(K, M, 1 + (n % 5)) : view(M, K, 1 + (n % 5));
      const vB = tB ? view(N, K, 3 + (n % 2)) : view(K, N, 3 + (n % 2));
      const vC = view(M, N, 2 + (n % 3));
      const bigA = embed(vA, A, NaN), bigB = embed(vB, B, NaN);
      const bigC = embed(vC, C0, randomArray(bigLength(vC), 600 + n));
      const dense = run(w, c, A, B, C0);
      for (const be of [w, jsBackend]) {
        const got = runStrided(be, c, vA, vB, vC, bigA, bigB, bigC);
        const inView = extract(vC, got);
        const msg = mismatch(c, A, B, C0, inView, run(jsBackend, c, A, B, C0));
        if (msg) bad.push(`${be.name}: ${msg}`);
        if (be === w && !inView.every((x, i) => Object.is(x, dense[i]))) bad.push(`wasm ${M}×${N}×${K}: not bitwise equal to gemm`);
        const outside = embed(vC, inView, bigC);
        if (!got.every((x, i) => Object.is(x, outside[i]))) bad.push(`${be.name} ${M}×${N}×${K}: wrote outside C's view`);
      }
    });
    expect(bad.slice(0, 5), `${bad.length} problems`).toEqual([]);
  });

  it('C computed in row blocks of ≥ 8 rows (A or Aᵀ split by lda) is bitwise the whole gemm', async () => {
    // The split a thread pool makes: each block of rows of C from the matching rows of op(A)
    // (columns of the stored A when transA, which only lda makes addressable).
    const w = await wasmBackend();
    for (const [M, N, K, cuts] of [[100, 500, 78, [52]], [784, 50, 100, [392]], [61, 33, 130, [8, 27, 53]]] as const) {
      const c: Case = { M, N, K, tA, tB, alpha: 1, beta: 1 };
      const { A, B, C0 } = inputs(c, M + N + K);
      const whole = run(w, c, A, B, C0);
      const ptrs = upload(w, C0, A, B);
      const lda = tA ? M : K;
      const bounds = [0, ...cuts, M];
      for (let s = 0; s + 1 < bounds.length; s++) {
        const r0 = bounds[s], rows = bounds[s + 1] - r0;
        const a = ptrs[1] + (tA ? r0 : r0 * lda) * 4;
        w.gemmStrided(ptrs[0] + r0 * N * 4, a, ptrs[2], rows, N, K, lda, tB ? K : N, N, tA, tB, 1, 1, 0, 0, 0);
      }
      const split = w.read(ptrs[0], M * N);
      freeAll(w, ptrs);
      expect(split.every((x, i) => Object.is(x, whole[i])), `${M}×${N}×${K} split at ${cuts}`).toBe(true);
    }
  });
});
