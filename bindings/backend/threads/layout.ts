/**
 * The control SharedArrayBuffer's layout, shared by the caller (pool.ts, which documents the
 * whole map) and the workers (worker-source.ts, which gets these numbers written into its code).
 */
const CHUNK_BITS = 7;

export const LAYOUT = {
  /** int32 per worker block (256 bytes: no two blocks share a cache line; room for 16 f64 arguments and a result). */
  STRIDE: 64,
  /**
   * Operation codes in a worker block's [2]: gemm chunks and element-wise blocks (both claimed
   * from the shared block), a reduction's slice (its arguments in the worker's own block).
   */
  GEMM: 0,
  SLICED: 1,
  BLOCKS: 2,
  /** First f64 of a SLICED call's arguments within a worker block; its home ticket (claim.ts); the trap flag's int32. */
  ARGS: 2,
  HOME: 56,
  TRAPPED: 63,
  /**
   * Shared block: offsets of the calling thread's home ticket (claim.ts), the finished-chunk
   * count, the per-buffer floats per unit (BLOCKS), whether op(A) is packed whole (GEMM), and the
   * chunk table (GEMM) or the arguments as f64 (BLOCKS).
   */
  TICKET: 0,
  FINISHED: 1,
  UNITS: 6,
  WHOLE: 14,
  TABLE: 16,
  /** int32 a gemm chunk takes in the table (C, A, B, M, N, bias, K, beta). */
  CHUNK_INTS: 8,
  /** The shared block's length in strides: room for TABLE + 32 chunks. */
  SHARED_STRIDES: 5,
  /** Ticket bits (claim.ts): CHUNK_BITS for the front, CHUNK_BITS for the back, the rest for the call. */
  CHUNK_BITS,
  /** Chunks a call may have (a range's back must fit CHUNK_BITS). */
  MAX_CALL_CHUNKS: (1 << CHUNK_BITS) - 1,
  CALL_MASK: (1 << (32 - 2 * CHUNK_BITS)) - 1,
  /** How long a waiting thread spins before it sleeps: longer than any gap inside a training step. */
  SPIN_MS: 5,
} as const;
