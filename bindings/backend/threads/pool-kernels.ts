/**
 * The thread pool's own kernels: what the pool (pool.ts, its workers) calls on a wasm core to cut
 * a GEMM into chunks and finish a product summed in depth halves — and `beside`, the pool's way to
 * run JS next to its workers. No layer calls them, so they are not part of the generic `Backend`
 * contract; the wasm cores have them, and the js reference core has twins of the two that compute
 * (tests compare them).
 */

export interface PoolKernels {
  /**
   * gemm on sub-matrix views (blocks of larger row-major matrices): consecutive rows of the
   * stored A, B and C start lda, ldb and ldc elements apart (lda ≥ the stored A's row length,
   * and so on; gemm is lda = transA ? M : K, ldb = transB ? K : N, ldc = N), with gemmBias's
   * epilogue (bias and relu 0: none). `slot` picks the wasm core's packing scratch: 0 on one
   * thread; calls running at once need distinct slots (the SIMD builds have slot 0 only).
   * `whole` (threads builds): 1 packs op(A) whole into the slot first, 2 reuses what an earlier
   * call on the slot packed so (same A, M, K, lda, transA), 0 or omitted packs block by block —
   * for a pool's column chunks of one product; the result is the same, bitwise. The js core
   * ignores both.
   */
  gemmStrided(C: number, A: number, B: number, M: number, N: number, K: number,
    lda: number, ldb: number, ldc: number, transA: number, transB: number, alpha: number, beta: number,
    bias: number, relu: number, slot: number, whole?: number): void;
  /**
   * C (rows, N) = relu?((C + P) + bias): how gemm and gemmBias finish a product they sum in depth
   * halves (the wasm core's gemm-halves.ts: the second half is summed into P), with gemmBias's
   * epilogue (bias 0: none; relu 1: max(·, 0)). Exact adds, so the cores agree bitwise.
   */
  addHalves(C: number, P: number, rows: number, N: number, bias: number, relu: number): void;
}

/** A backend with a pool of workers (the threads builds with more than one thread). */
export interface Beside {
  /**
   * Run `work`, and `job` beside it: JS on the calling thread that uses none of the backend's
   * kernels and no memory `work` touches (fit loads the next batch while the optimizer steps).
   * Only a backend with a thread pool has it: job runs while the workers start on work's first
   * element-wise kernel split into blocks. Without it, callers run work, then job.
   */
  beside(work: () => void, job: () => void): void;
}
