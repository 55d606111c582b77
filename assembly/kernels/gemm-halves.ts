import { FEW_ROWS, HALVES_FLOATS, gemmStrided, halvesScratch } from './gemm';

// The dense entry points, gemm and gemmBias, and the one way they differ from gemmStrided: a
// product whose op(B) — a layer's weights, K × N — far outweighs its output (M × N) sums its
// depth in two halves, C = (op(A)[:, :h]·op(B)[:h, :] + beta·C) + op(A)[:, h:]·op(B)[h:, :],
// the second half into a region of its own, then adds them (addHalves, with the epilogue).
//
// Why: on a thread pool each half is one thread's (pool.ts), so each thread reads only its own
// rows of the weights, the rows the optimizer step updates on that same thread. Cut by columns
// instead, every thread reads every row, and while this machine's two cores share no cache
// (bench/lib/round-trip.ts: "far") the weights' lines cross between them twice a step: MNIST MLP
// training on two threads ran at 1.62× one thread that way, 1.66× in halves (near: 1.78× both;
// an A/B in one process, 1,616 tagged triples). The threads builds sum in the same halves on any
// number of threads (one included), so their results do not depend on the thread count, bitwise.
// The one-thread builds sum each product in one pass: the halves gave one thread nothing (the
// MLP's forward product, 100×500×784: one pass 0.2–0.5% faster, an A/B of 60 alternating rounds).

/** Least depth worth halving: each half keeps two or more K blocks. */
const HALVES_MIN_DEPTH = 512;

/**
 * Where gemm and gemmBias cut the depth of C (M, N) = op(A)·op(B): 0 for no cut. Only
 * untransposed products (a layer's forward pass; its weight gradients read op(A) transposed)
 * with M ≥ FEW_ROWS (below, op(B) is read unpacked anyway), K ≥ HALVES_MIN_DEPTH, an output at
 * most a quarter of op(B) (M ≤ K / 4) that fits the halves' region. The cut is a multiple of 16.
 */
export function gemmHalfDepth(M: i32, N: i32, K: i32, transA: i32, transB: i32): i32 {
  if (transA || transB || M < FEW_ROWS || K < HALVES_MIN_DEPTH) return 0;
  if (<i64>M * <i64>N > HALVES_FLOATS || <i64>M * 4 > <i64>K) return 0;
  return (K >> 1) & ~15;
}

/** The halves' region (HALVES_FLOATS floats): where the second half is summed. */
export function gemmHalvesScratch(): usize {
  return halvesScratch;
}

/**
 * C (rows, N, dense) = relu?((C + P) + bias): the two halves' sums added, then gemmBias's
 * epilogue — bias (N) broadcast over rows or 0 for none, max(·, 0) when relu = 1 (NaN kept).
 * Exact f32 adds in both builds, so every build agrees with its own one-thread sums.
 */
export function addHalves(C: usize, P: usize, rows: i32, N: i32, bias: usize, relu: i32): void {
  const zero = f32x4.splat(0);
  const n4 = N & ~3;
  for (let i = 0; i < rows; i++) {
    const c = C + (<usize>(i * N) << 2), p = P + (<usize>(i * N) << 2);
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      let y = f32x4.add(v128.load(c + o), v128.load(p + o));
      if (bias) y = f32x4.add(y, v128.load(bias + o));
      if (relu) y = f32x4.max(y, zero);
      v128.store(c + o, y);
    }
    for (; j < N; j++) {
      const o = <usize>j << 2;
      let y = load<f32>(c + o) + load<f32>(p + o);
      if (bias) y += load<f32>(bias + o);
      if (relu) y = Mathf.max(y, 0);
      store<f32>(c + o, y);
    }
  }
}

/** C (M, N) = alpha·op(A)·op(B) + beta·C over dense row-major matrices, on slot 0 (threads builds: in halves where gemmHalfDepth says). */
export function gemm(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32,
  transA: i32, transB: i32, alpha: f32, beta: f32): void {
  dense(C, A, B, M, N, K, transA, transB, alpha, beta, 0, 0);
}

/**
 * C = op(A)·op(B) + bias, then max(·, 0) when relu = 1 (dense row-major, slot 0). bias (N) is
 * added to every row; 0 means none. Bitwise what gemm, biasAdd and the relu activation give one
 * after another: the same operations in the same order, on each element.
 */
export function gemmBias(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32,
  transA: i32, transB: i32, bias: usize, relu: i32): void {
  dense(C, A, B, M, N, K, transA, transB, 1, 0, bias, relu);
}

function dense(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32,
  transA: i32, transB: i32, alpha: f32, beta: f32, bias: usize, relu: i32): void {
  const lda = transA ? M : K, ldb = transB ? K : N;
  const h = ASC_FEATURE_THREADS ? gemmHalfDepth(M, N, K, transA, transB) : 0;
  if (!h) {
    gemmStrided(C, A, B, M, N, K, lda, ldb, N, transA, transB, alpha, beta, bias, relu, 0, 0);
    return;
  }
  gemmStrided(C, A, B, M, N, h, lda, ldb, N, 0, 0, alpha, beta, 0, 0, 0, 0);
  gemmStrided(halvesScratch, A + (<usize>h << 2), B + (<usize>h * <usize>ldb << 2), M, N, K - h, lda, ldb, N, 0, 0, alpha, 0, 0, 0, 0, 0);
  addHalves(C, halvesScratch, M, N, bias, relu);
}
