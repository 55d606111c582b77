/**
 * The strongest plain-JavaScript GEMM we know how to write, kept as the baseline that shows what
 * WebAssembly SIMD buys over "just write better JS": C (M, N) = alpha·op(A)·op(B) + beta·C,
 * row-major, op ∈ {N, T}, the same contract as the kernels' gemm.
 *
 * op(B) is packed once into panels of 4 columns (k-major: 4 consecutive floats per k) and op(A)
 * into panels of 4 rows per row block, so both inner-loop streams are contiguous whatever the
 * transposition; the micro-kernel keeps a 4×4 tile of C in 16 local doubles and does 16
 * multiply-adds per 8 loads. Blocks of KC = 256 in k keep a B panel (4 KiB) in L1. Measured
 * here: 2.4–5 GFLOP/s on squares 128–512 (best-of timing), against 0.2–0.8 for the three-loop
 * versions (the js core).
 * Not used by the library: bench/gemm.ts times it beside the wasm and js cores.
 */

const KC = 256;

let packA = new Float32Array(0);
let packB = new Float32Array(0);

export function gemmBlocked(C: Float32Array, A: Float32Array, B: Float32Array, M: number, N: number, K: number,
  transA: number, transB: number, alpha: number, beta: number): void {
  // Strides of op(A)[i, k] and op(B)[k, j] in the stored arrays.
  const ai = transA ? 1 : K, ak = transA ? M : 1;
  const bk = transB ? 1 : N, bj = transB ? K : 1;
  for (let i = 0; i < M * N; i++) C[i] = beta === 0 ? 0 : beta * C[i];
  const np = Math.ceil(N / 4), mp = Math.ceil(M / 4);
  if (packB.length < np * 4 * KC) packB = new Float32Array(np * 4 * KC);
  if (packA.length < 4 * KC) packA = new Float32Array(4 * KC);
  const pa = packA, pb = packB;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    // Pack op(B)[k0.., all j] as np panels of kc × 4, zero-padded past N.
    for (let p = 0; p < np; p++) {
      const base = p * 4 * kc;
      for (let k = 0; k < kc; k++) {
        for (let c = 0; c < 4; c++) {
          const j = p * 4 + c;
          pb[base + k * 4 + c] = j < N ? B[(k0 + k) * bk + j * bj] : 0;
        }
      }
    }
    for (let q = 0; q < mp; q++) {
      // Pack op(A)[4 rows, k0..] as kc × 4, zero-padded past M.
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < 4; r++) {
          const i = q * 4 + r;
          pa[k * 4 + r] = i < M ? A[i * ai + (k0 + k) * ak] : 0;
        }
      }
      for (let p = 0; p < np; p++) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        let a = 0, b = p * 4 * kc;
        for (let k = 0; k < kc; k++, a += 4, b += 4) {
          const a0 = pa[a], a1 = pa[a + 1], a2 = pa[a + 2], a3 = pa[a + 3];
          const b0 = pb[b], b1 = pb[b + 1], b2 = pb[b + 2], b3 = pb[b + 3];
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
          c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
          c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        const i0 = q * 4, j0 = p * 4;
        addRow(C, N, M, i0, j0, alpha, c00, c01, c02, c03);
        addRow(C, N, M, i0 + 1, j0, alpha, c10, c11, c12, c13);
        addRow(C, N, M, i0 + 2, j0, alpha, c20, c21, c22, c23);
        addRow(C, N, M, i0 + 3, j0, alpha, c30, c31, c32, c33);
      }
    }
  }
}

/** C[i, j0..j0+3] += alpha·(x0..x3), skipping what lies past M or N. */
function addRow(C: Float32Array, N: number, M: number, i: number, j0: number, alpha: number,
  x0: number, x1: number, x2: number, x3: number): void {
  if (i >= M) return;
  const o = i * N + j0;
  if (j0 + 3 < N) {
    C[o] += alpha * x0; C[o + 1] += alpha * x1; C[o + 2] += alpha * x2; C[o + 3] += alpha * x3;
    return;
  }
  const xs = [x0, x1, x2, x3];
  for (let c = 0; c < 4 && j0 + c < N; c++) C[o + c] += alpha * xs[c];
}
