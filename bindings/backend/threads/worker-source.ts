/**
 * The code a pool worker runs, as a string: started with `new Worker(code, { eval: true })` in
 * Node and from a Blob URL in browsers, so it needs no file next to the module and no TS loader
 * (it works the same from bindings/ under tsx and from dist/).
 *
 * A worker instantiates the threads build on the shared memory, says 'ready', then serves its
 * control block (see pool.ts) forever: wait for `seq` to change, run the kernel named there with
 * the arguments beside it (gemm on its own packing-scratch slot), publish `done = seq`, notify.
 * seq < 0: quit.
 */
import { claim, homeTickets } from './claim.js';
import { gemmChunk } from './gemm-chunk.js';
import { LAYOUT } from './layout.js';
import { MAX_ARGS, SLICED, SLICED_NAMES, partArgs } from './sliced.js';

export const WORKER_SOURCE = String.raw`
'use strict';
const { STRIDE, GEMM, SLICED, BLOCKS, ARGS, HOME, TRAPPED, TICKET, FINISHED, UNITS, TABLE, WHOLE, CHUNK_BITS, CALL_MASK, SPIN_MS } = ${JSON.stringify(LAYOUT)};
const SLICED_NAMES = ${JSON.stringify(SLICED_NAMES)}, MAX_ARGS = ${MAX_ARGS};
// Per kernel (in SLICED_NAMES order): the argument positions of its buffers and of n.
const SPECS = ${JSON.stringify(SLICED_NAMES.map((name) => SLICED[name]))};
${partArgs.toString()}
${claim.toString()}
${homeTickets.toString()}
${gemmChunk.toString()}
async function serve({ module, memory, control, worker, gemmAt: g }, post) {
  const instance = await WebAssembly.instantiate(module, {
    env: { memory, abort() { throw new Error('keelnet: the wasm core aborted (pool worker)'); } },
  });
  const { gemmStrided } = instance.exports;
  const sliced = SLICED_NAMES.map((name) => instance.exports[name]);
  const i32 = new Int32Array(control), f32 = new Float32Array(control), f64 = new Float64Array(control);
  const o = worker * STRIDE, slot = worker + 1, f = o / 2 + ARGS, shared = (g + TABLE) / 2;
  const b = new Float64Array(MAX_ARGS), sharedArgs = f64.subarray(shared, shared + MAX_ARGS);
  // Claim the next chunk of call seq: from this worker's home range, then from the others'
  // (claim). Read the call's arguments only after a claim: until its chunks are all finished,
  // the caller rewrites nothing.
  const tickets = homeTickets(g / STRIDE, STRIDE, TICKET, HOME);
  const take = (seq) => claim(i32, tickets, slot, seq & CALL_MASK, CHUNK_BITS);
  const finished = () => {
    Atomics.add(i32, g + FINISHED, 1);
    Atomics.notify(i32, g + FINISHED);
  };
  post('ready');
  let seen = 0;
  for (;;) {
    // Spin before sleeping: the next call of a training step comes within microseconds to a
    // millisecond, and waking a sleeping thread costs more than that.
    let seq = Atomics.load(i32, o);
    for (let t0 = performance.now(), spin = 0; seq === seen; spin++) {
      if ((spin & 1023) === 0 && performance.now() - t0 > SPIN_MS) break;
      seq = Atomics.load(i32, o);
    }
    if (seq === seen) { Atomics.wait(i32, o, seen); continue; }
    if (seq < 0) return;
    seen = seq;
    try {
      const op = i32[o + 2];
      if (op === GEMM) {
        // After this thread's first chunk of an A, op(A) packed whole is in its slot already.
        for (let c, packed = -1; (c = take(seq)) >= 0; finished()) {
          try {
            packed = gemmChunk(gemmStrided, i32, f32, g, TABLE, WHOLE, c, slot, packed);
          } catch {
            i32[o + TRAPPED] = 1;
          }
        }
      } else if (op === BLOCKS) {
        // A kernel on blocks of 'size' units (elements, or images): offset each buffer by its
        // floats per unit, shorten n.
        for (let c; (c = take(seq)) >= 0; finished()) {
          const k = i32[g + 3], size = i32[g + 4], s0 = c * size, { buffers, n } = SPECS[k];
          partArgs(b, sharedArgs, buffers, n, i32, g + UNITS, s0, Math.min(size, i32[g + 5] - s0));
          try {
            sliced[k](b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
          } catch {
            i32[o + TRAPPED] = 1;
          }
        }
      } else if (op === SLICED) {
        // Every kernel takes at most MAX_ARGS (16) arguments; wasm ignores the extra ones.
        // A reduction's result for this slice goes after the arguments.
        f64[f + MAX_ARGS] = sliced[i32[o + 3]](f64[f], f64[f + 1], f64[f + 2], f64[f + 3], f64[f + 4], f64[f + 5], f64[f + 6],
          f64[f + 7], f64[f + 8], f64[f + 9], f64[f + 10], f64[f + 11], f64[f + 12], f64[f + 13], f64[f + 14], f64[f + 15]);
      }
    } catch {
      // A trap (an out-of-bounds pointer): report it rather than leave the caller waiting.
      i32[o + TRAPPED] = 1;
    }
    Atomics.store(i32, o + 1, seq);
    Atomics.notify(i32, o + 1);
  }
}
if (typeof process === 'object' && process.versions && process.versions.node) {
  // import(), not require: an eval'd worker inherits the parent's flags, and under
  // --input-type=module this code is an ES module.
  import('node:worker_threads').then(({ parentPort, workerData }) => serve(workerData, (m) => parentPort.postMessage(m)));
} else {
  self.onmessage = (e) => serve(e.data, (m) => self.postMessage(m));
}
`;
