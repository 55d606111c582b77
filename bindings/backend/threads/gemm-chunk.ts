/**
 * Run chunk c of the open gemm call, its arguments read from the shared block at int32 g (pool.ts
 * documents the map: lda, ldb, ldc, transA, transB, alpha, relu at [4..11], the WHOLE flag at
 * [whole], chunk c's C, A, B, M, N, bias, K, beta at [table + 8c ..]), on packing slot `slot`.
 * `packed`: the A whose op(A) this thread has packed whole into its slot during this call (−1:
 * none), so a chunk of the same A reuses it. Returns the chunk's A. The pool and its workers
 * share this function: worker-source.ts writes its source into its code, so it must use nothing
 * from outside.
 */
export function gemmChunk(gemmStrided: (...args: number[]) => void, i32: Int32Array, f32: Float32Array,
  g: number, table: number, whole: number, c: number, slot: number, packed: number): number {
  const t = g + table + 8 * c, A = i32[t + 1]; // 8: LAYOUT.CHUNK_INTS
  gemmStrided(i32[t], A, i32[t + 2], i32[t + 3], i32[t + 4], i32[t + 6], i32[g + 4], i32[g + 5],
    i32[g + 6], i32[g + 7], i32[g + 8], f32[g + 9], f32[t + 7], i32[t + 5], i32[g + 11], slot,
    i32[g + whole] ? (A === packed ? 2 : 1) : 0);
  return A;
}
