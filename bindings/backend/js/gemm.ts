// GEMM reference twin of assembly/kernels/gemm.ts: C = alpha·op(A)·op(B) + beta·C, row-major.
import type { Heap } from './heap.js';

export function gemm(h: Heap, C: number, A: number, B: number, M: number, N: number, K: number,
  transA: number, transB: number, alpha: number, beta: number): void {
  const f = h.f, c0 = C >> 2, a0 = A >> 2, b0 = B >> 2;
  // Strides of op(A)[i, k] and op(B)[k, j] in the stored matrices.
  const ai = transA ? 1 : K, ak = transA ? M : 1;
  const bk = transB ? 1 : N, bj = transB ? K : 1;
  for (let i = 0; i < M; i++) {
    const ci = c0 + i * N;
    for (let j = 0; j < N; j++) f[ci + j] = beta === 0 ? 0 : f[ci + j] * beta;
    // i-k-j order: the inner loop walks C's row and, for op(B) = B, B's row contiguously.
    for (let k = 0; k < K; k++) {
      const a = alpha * f[a0 + i * ai + k * ak];
      const b = b0 + k * bk;
      for (let j = 0; j < N; j++) f[ci + j] += a * f[b + j * bj];
    }
  }
}
