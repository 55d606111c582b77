// GEMM reference twin of assembly/kernels/gemm.ts: C = alpha·op(A)·op(B) + beta·C, row-major,
// and gemmBias's epilogue (+ bias over rows, then ReLU).
import type { Heap } from './heap.js';

export function gemm(h: Heap, C: number, A: number, B: number, M: number, N: number, K: number,
  transA: number, transB: number, alpha: number, beta: number): void {
  gemmStrided(h, C, A, B, M, N, K, transA ? M : K, transB ? K : N, N, transA, transB, alpha, beta, 0, 0, 0);
}

/** C = op(A)·op(B) + bias (N, broadcast over rows; 0: none), then max(·, 0) when relu = 1. */
export function gemmBias(h: Heap, C: number, A: number, B: number, M: number, N: number, K: number,
  transA: number, transB: number, bias: number, relu: number): void {
  gemmStrided(h, C, A, B, M, N, K, transA ? M : K, transB ? K : N, N, transA, transB, 1, 0, bias, relu, 0);
}

/**
 * gemm on sub-matrix views: rows of the stored A, B and C are lda, ldb and ldc elements apart;
 * then gemmBias's epilogue (bias 0 and relu 0: none). `slot` is unused here.
 */
export function gemmStrided(h: Heap, C: number, A: number, B: number, M: number, N: number, K: number,
  lda: number, ldb: number, ldc: number, transA: number, transB: number, alpha: number, beta: number,
  bias: number, relu: number, _slot: number): void {
  const f = h.f, c0 = C >> 2, a0 = A >> 2, b0 = B >> 2;
  // Strides of op(A)[i, k] and op(B)[k, j] in the stored matrices.
  const ai = transA ? 1 : lda, ak = transA ? lda : 1;
  const bk = transB ? 1 : ldb, bj = transB ? ldb : 1;
  for (let i = 0; i < M; i++) {
    const ci = c0 + i * ldc;
    for (let j = 0; j < N; j++) f[ci + j] = beta === 0 ? 0 : f[ci + j] * beta;
    // i-k-j order: the inner loop walks C's row and, for op(B) = B, B's row contiguously.
    for (let k = 0; k < K; k++) {
      const a = alpha * f[a0 + i * ai + k * ak];
      const b = b0 + k * bk;
      for (let j = 0; j < N; j++) f[ci + j] += a * f[b + j * bj];
    }
    if (bias) for (let j = 0; j < N; j++) f[ci + j] += f[(bias >> 2) + j];
    // Math.max keeps NaN, as the wasm core's f32x4.max does.
    if (relu) for (let j = 0; j < N; j++) f[ci + j] = Math.max(f[ci + j], 0);
  }
}

/** C (rows, N) = relu?((C + P) + bias): the wasm core's finish of a product summed in depth halves. */
export function addHalves(h: Heap, C: number, P: number, rows: number, N: number, bias: number, relu: number): void {
  const f = h.f, c0 = C >> 2, p0 = P >> 2, b0 = bias >> 2;
  for (let i = 0; i < rows * N; i++) {
    let y = Math.fround(f[c0 + i] + f[p0 + i]);
    if (bias) y = Math.fround(y + f[b0 + (i % N)]);
    // Math.max keeps NaN, as the wasm core's f32x4.max does.
    f[c0 + i] = relu ? Math.max(y, 0) : y;
  }
}
