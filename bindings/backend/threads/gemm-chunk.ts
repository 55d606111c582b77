/**
 * Run chunk c of the open gemm call, its arguments read from the shared block at int32 g (pool.ts
 * documents the map: K, lda, ldb, ldc, transA, transB, alpha, beta, relu at [3..11], the WHOLE flag
 * at [whole], chunk c's C, A, B, M, N, bias at [table + 6c ..]), on packing slot `slot`. `ran`:
 * this thread has run a chunk of this call already, so op(A), when packed whole, is in its slot.
 * The pool and its workers share this function: worker-source.ts writes its source into its
 * code, so it must use nothing from outside.
 */
export function gemmChunk(gemmStrided: (...args: number[]) => void, i32: Int32Array, f32: Float32Array,
  g: number, table: number, whole: number, c: number, slot: number, ran: boolean): void {
  const t = g + table + 6 * c;
  gemmStrided(i32[t], i32[t + 1], i32[t + 2], i32[t + 3], i32[t + 4], i32[g + 3], i32[g + 4], i32[g + 5],
    i32[g + 6], i32[g + 7], i32[g + 8], f32[g + 9], f32[g + 10], i32[t + 5], i32[g + 11], slot,
    i32[g + whole] ? (ran ? 2 : 1) : 0);
}
