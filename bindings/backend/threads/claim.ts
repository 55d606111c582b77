/**
 * Who takes which chunk of a pool call (a gemm's chunks of C, an element-wise kernel's blocks).
 *
 * Each thread has a home range of the call's chunks and its own ticket for it: it takes its own
 * chunks front to back, then, when its range is empty, takes from the others' ranges back to
 * front. A thread therefore touches the same part of the data call after call (the same rows
 * of the weights, gradients and Adam moments in every optimizer step), and only the split
 * point between two ranges moves when one core runs slower. With one shared counter, which
 * thread got which block changed from step to step, and the weights and moments (6 MiB for the
 * MNIST MLP) kept moving between the cores' caches.
 *
 * A ticket is one int32: bits 0–6 the next chunk from the front, bits 7–13 one past the last
 * chunk left (the back), the bits above the call it belongs to (so a thread late for an earlier
 * call never takes a chunk of a later one). The pool and its workers share these functions:
 * worker-source.ts writes their source into its code, so they must use nothing from outside.
 */

/** A ticket of call `call` for chunks [front, back); bits = chunk-index bits (LAYOUT.CHUNK_BITS). */
export function ticket(call: number, front: number, back: number, bits: number): number {
  return ((call << (2 * bits)) | (back << bits) | front) | 0;
}

/**
 * Claim a chunk of call `call` for thread `self`: from the front of its own range, else from the
 * back of the next thread's that has one left. `at[u]` is the int32 index of thread u's ticket.
 * Returns the chunk, or −1 when every range is empty.
 */
export function claim(i32: Int32Array, at: Int32Array, self: number, call: number, bits: number): number {
  const threads = at.length, mask = (1 << bits) - 1;
  for (let k = 0; k < threads; k++) {
    const p = at[(self + k) % threads];
    for (;;) {
      const v = Atomics.load(i32, p);
      const front = v & mask, back = (v >>> bits) & mask;
      if (v >>> (2 * bits) !== call || front >= back) break;
      const own = k === 0;
      if (Atomics.compareExchange(i32, p, v, own ? v + 1 : v - (1 << bits)) === v) return own ? front : back - 1;
    }
  }
  return -1;
}

/**
 * Where each thread's home ticket is, as int32 indexes into the control buffer: the calling
 * thread's in the shared block (after `workers` worker blocks of `stride`), then worker w's in
 * its own block, so no two threads take from one cache line until they steal.
 */
export function homeTickets(workers: number, stride: number, callerAt: number, workerAt: number): Int32Array {
  const at = new Int32Array(workers + 1);
  at[0] = workers * stride + callerAt;
  for (let w = 0; w < workers; w++) at[w + 1] = w * stride + workerAt;
  return at;
}
