/**
 * Products in depth halves (assembly/kernels/gemm-halves.ts): which products gemm and gemmBias
 * cut (gemmHalfDepth), that in the threads builds a cut product is bitwise the halves summed apart
 * and added by addHalves (so a thread pool that gives each half to its own thread reproduces it,
 * on any number of threads), that the one-thread builds sum every product in one pass, that the
 * sums stay within gemm's rounding bound of the js twin, and addHalves against its js twin.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import type { PoolKernels } from '../../bindings/backend/threads/pool-kernels.js';
import { createThreadedBackend, type ThreadedWasmBackend } from '../../bindings/backend/threads/index.js';
import { AWKWARD_SIZES, freeAll, jsBackend, upload, wasmBackend } from '../helpers/backends.js';
import { expectClose, randomArray } from '../helpers/close.js';

type HalfDepth = (M: number, N: number, K: number, transA: number, transB: number) => number;
const halfDepth = async () => (await wasmBackend()) as unknown as { gemmHalfDepth: HalfDepth; gemmHalvesScratch(): number };
const firstDifference = (a: Float32Array, b: Float32Array) => a.findIndex((x, i) => !Object.is(x, b[i]));

describe('gemmHalfDepth: which products are summed in depth halves', () => {
  it('untransposed, M ≥ 8, K ≥ 512, M ≤ K / 4, M·N ≤ 64 Ki floats: cut at K/2 rounded down to 16', async () => {
    const { gemmHalfDepth: h } = await halfDepth();
    expect(h(100, 500, 784, 0, 0)).toBe(384); // the MNIST MLP's forward product
    expect(h(8, 10, 512, 0, 0)).toBe(256);
    expect(h(131, 500, 784, 0, 0)).toBe(384); // 65,500 floats: fits
    expect(h(100, 200, 1000, 0, 0)).toBe(496);
    const none = [
      [100, 500, 784, 1, 0], [100, 500, 784, 0, 1], [784, 500, 100, 1, 0], // transposed: backward products
      [7, 500, 784, 0, 0], // few rows: B is read unpacked
      [100, 500, 511, 0, 0], // too shallow
      [132, 500, 784, 0, 0], // 66,000 floats: more than the region
      [197, 10, 784, 0, 0], // output more than a quarter of the weights
      [0, 0, 0, 0, 0],
    ];
    for (const c of none) expect(h(c[0], c[1], c[2], c[3], c[4]), JSON.stringify(c)).toBe(0);
  });
});

/** The threads build on one thread: it sums cut products in halves, as on any number of threads. */
let threadsOne: Promise<ThreadedWasmBackend> | undefined;
const threadsBuild = () => (threadsOne ??= createThreadedBackend(1, { simd: 'simd' }));
afterAll(async () => { if (threadsOne) await (await threadsOne).terminate(); });

describe('gemm and gemmBias in depth halves (wasm threads build)', () => {
  const shapes = [[100, 500, 784], [8, 10, 512], [33, 127, 1000], [131, 500, 784], [17, 3, 600]];

  /** Half 0 into C (with beta), half 1 into the halves' region (beta 0), then addHalves: what a pool computes. */
  function byHand(be: Backend & PoolKernels & { gemmHalvesScratch(): number }, h: number, C: number, A: number, B: number,
    M: number, N: number, K: number, alpha: number, beta: number, bias: number, relu: number): void {
    const P = be.gemmHalvesScratch();
    be.gemmStrided(C, A, B, M, N, h, K, N, N, 0, 0, alpha, beta, 0, 0, 0);
    be.gemmStrided(P, A + h * 4, B + h * N * 4, M, N, K - h, K, N, N, 0, 0, alpha, 0, 0, 0, 0);
    be.addHalves(C, P, M, N, bias, relu);
  }

  it('is bitwise the two halves summed apart, then added (alpha, beta; bias, relu)', async () => {
    const w = (await threadsBuild()) as unknown as Backend & PoolKernels & { gemmHalvesScratch(): number; gemmHalfDepth: HalfDepth };
    for (const [M, N, K] of shapes) {
      const h = w.gemmHalfDepth(M, N, K, 0, 0);
      expect(h, `${M}×${N}×${K} is cut`).toBeGreaterThan(0);
      const A = randomArray(M * K, M), B = randomArray(K * N, N), C0 = randomArray(M * N, K), b = randomArray(N, 3);
      // gemm with alpha and beta; gemmBias (alpha 1, beta 0) with each epilogue.
      for (const [alpha, beta, bias, relu] of [[1.3, 0.5, 0, 0], [-0.7, 1, 0, 0], [1, 0, 1, 1], [1, 0, 1, 0], [1, 0, 0, 1]]) {
        const run = (f: (C: number, A: number, B: number, bias: number) => void) => {
          const p = upload(w, C0, A, B, b);
          f(p[0], p[1], p[2], bias ? p[3] : 0);
          const out = w.read(p[0], M * N);
          freeAll(w, p);
          return out;
        };
        const want = run((C, A, B, bs) => byHand(w, h, C, A, B, M, N, K, alpha, beta, bs, relu));
        const got = bias || relu
          ? run((C, A, B, bs) => w.gemmBias(C, A, B, M, N, K, 0, 0, bs, relu))
          : run((C, A, B) => w.gemm(C, A, B, M, N, K, 0, 0, alpha, beta));
        const label = `${M}×${N}×${K} alpha ${alpha} beta ${beta} bias ${bias} relu ${relu}`;
        expect(firstDifference(got, want), `${label}: first index that differs`).toBe(-1);
        // And not the same as one sum over all of K (the cut is real): some element differs.
        const whole = run((C, A, B, bs) => w.gemmStrided(C, A, B, M, N, K, K, N, N, 0, 0, alpha, beta, bs, relu, 0));
        if (M * N > 100) expect(firstDifference(got, whole), `${label}: differs from one sum somewhere`).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('the one-thread build sums every product in one pass: bitwise one gemmStrided over all of K', async () => {
    const w = await wasmBackend();
    for (const [M, N, K] of shapes) {
      const A = randomArray(M * K, 3 * M), B = randomArray(K * N, 3 * N), b = randomArray(N, 7);
      const run = (f: (C: number, A: number, B: number, bias: number) => void) => {
        const p = upload(w, new Float32Array(M * N), A, B, b);
        f(p[0], p[1], p[2], p[3]);
        const out = w.read(p[0], M * N);
        freeAll(w, p);
        return out;
      };
      const got = run((C, A, B, bs) => w.gemmBias(C, A, B, M, N, K, 0, 0, bs, 1));
      const onePass = run((C, A, B, bs) => w.gemmStrided(C, A, B, M, N, K, K, N, N, 0, 0, 1, 0, bs, 1, 0));
      expect(firstDifference(got, onePass), `${M}×${N}×${K}`).toBe(-1);
    }
  });

  it('matches the js twin within gemm\'s rounding bound', async () => {
    const w = await threadsBuild();
    for (const [M, N, K] of shapes) {
      const A = randomArray(M * K, 2 * M), B = randomArray(K * N, 2 * N), b = randomArray(N, 5);
      const run = (be: Backend) => {
        const p = upload(be, new Float32Array(M * N), A, B, b);
        be.gemmBias(p[0], p[1], p[2], M, N, K, 0, 0, p[3], 1);
        const out = be.read(p[0], M * N);
        freeAll(be, p);
        return out;
      };
      expectClose(run(w), run(jsBackend), { atol: 2 * (K + 4) * 2 ** -24 * K, rtol: 0 });
    }
  });
});

describe('addHalves: wasm against its js twin', () => {
  it('awkward rows and widths, with and without bias and relu: bitwise (exact adds); NaN kept through relu', async () => {
    const w = await wasmBackend();
    for (const rows of AWKWARD_SIZES) for (const N of AWKWARD_SIZES) for (const [bias, relu] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      const C0 = randomArray(rows * N, rows + N), P = randomArray(rows * N, rows * N), b = randomArray(N, N);
      C0[0] = NaN;
      const run = (be: Backend & PoolKernels) => {
        const p = upload(be, C0, P, b);
        be.addHalves(p[0], p[1], rows, N, bias ? p[2] : 0, relu);
        const out = be.read(p[0], rows * N);
        freeAll(be, p);
        return out;
      };
      const got = run(w), want = run(jsBackend);
      expect(firstDifference(got, want), `${rows}×${N} bias ${bias} relu ${relu}`).toBe(-1);
      expect(Number.isNaN(got[0])).toBe(true);
      for (let i = 1; i < got.length; i++) {
        const y = Math.fround(Math.fround(C0[i] + P[i]) + (bias ? b[i % N] : 0));
        expect(got[i], `${rows}×${N} [${i}]`).toBe(relu ? Math.max(y, 0) : y);
      }
    }
  });
});
