/**
 * A pool of workers that run kernels on disjoint parts of their outputs, on one shared memory:
 * gemm and gemmBias in chunks of C's columns or rows that every thread takes from a shared
 * counter as it becomes free (a core the machine slows down simply takes fewer), and the
 * element-wise kernels of sliced.ts (activations, clipping, memory helpers, every optimizer
 * update) in equal slices of their buffers.
 *
 * Every worker instantiates the threads build on the same shared WebAssembly.Memory and owns
 * packing-scratch slot w + 1; the calling thread uses slot 0. The control SharedArrayBuffer
 * holds one block of STRIDE int32 per worker (128 bytes: no two share a cache line), then one
 * shared GEMM block:
 *   worker block  [0] seq   bumped by the caller after writing the op; the worker waits on it
 *                 [1] done  set to seq by the worker when its part is written; the caller waits on it
 *                 [2] op    GEMM or SLICED
 *                 [3] SLICED: the kernel's index in SLICED_NAMES; its arguments as f64 from int32 [4],
 *                     and after them (f64 [13]) a reduction's result for its slice
 *                 [31] 1 when the worker's kernel trapped (the caller throws)
 *   GEMM block    [0] ticket: (call << 7) | next chunk, taken with compareExchange
 *                 [1] chunks finished   [2] chunks   [3..8] K, lda, ldb, ldc, transA, transB
 *                 [9, 10] alpha, beta (f32)   [11] relu
 *                 [16 + 6c ..] chunk c: C, A, B, M, N, bias (its block of C and the operands' offsets)
 * A call's ticket is set to "none left" before its arguments are rewritten, so a worker that
 * wakes late for an earlier call can never take a chunk of the new one. Every chunk is a block of
 * whole tiles summed in the same order as on one thread, and the sliced kernels are element-wise:
 * N threads give bitwise the results of one, whoever computes which chunk.
 * A worker that has not yet answered its last gemm (descheduled, say) sits out sliced calls
 * rather than holding them up, and joins the next gemm whenever it wakes.
 */
import { LAYOUT } from './layout.js';
import { WORKER_SOURCE } from './worker-source.js';
import { MAX_ARGS, SLICED, SLICED_NAMES, type SlicedName, type SlicedSpec } from './sliced.js';

const { STRIDE, GEMM, SLICED: SLICED_OP, ARGS, TRAPPED, TICKET, FINISHED, CHUNKS, TABLE, CHUNK_BITS, NONE_LEFT, CALL_MASK, SPIN_MS } = LAYOUT;
/** Chunks per thread a gemm is cut into: enough to even out a slow core, few enough to pack little more. */
const CHUNKS_PER_THREAD = 2;
/** The table's room (STRIDE·4 int32 for the GEMM block). */
const MAX_CHUNKS = 16;
/** How long a sliced call waits for a worker still answering its last op before going without it. */
const FREE_WAIT_MS = 0.05;
/** Below this many elements a sliced kernel runs on the calling thread alone. */
const MIN_SPLIT_ELEMENTS = 1 << 16;
/** Below this many multiply-adds a gemm runs on the calling thread alone (handing out chunks costs a few µs). */
const MIN_SPLIT_MACS = 1 << 18;
/** Smallest row chunk: gemm's packed path starts at 8 rows (FEW_ROWS in assembly/kernels/gemm.ts). */
const MIN_ROWS = 8;
/** Tile columns (NR in assembly/kernels/gemm.ts): column chunks are whole tiles. */
const NR = 8;
/** Columns from which C is cut by columns even when taller than wide: two chunks of a 128-column packing block (NC). */
const WIDE = 256;

type GemmStrided = (C: number, A: number, B: number, M: number, N: number, K: number,
  lda: number, ldb: number, ldc: number, transA: number, transB: number, alpha: number, beta: number,
  bias: number, relu: number, slot: number) => void;

/** Any kernel of sliced.ts, called with up to MAX_ARGS arguments (extra ones are ignored); reductions return their result. */
export type SlicedKernel = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number,
  a6: number, a7: number, a8: number, a9: number, a10: number) => number | void;

interface PoolWorker { terminate(): unknown }

const isNode = typeof process === 'object' && !!process.versions?.node;

export class ThreadPool {
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  /** Start of the GEMM block (int32 index). */
  private readonly g: number;
  /** The seq each worker was last handed; it is free again once its done equals it. */
  private readonly given: Int32Array;
  /** The workers a sliced call hands slices to (reused). */
  private readonly helpers: Int32Array;
  /** A sliced call's arguments, reused (a training step allocates nothing). */
  private readonly args = new Float64Array(MAX_ARGS);
  private seq = 0;
  private closed = false;

  private constructor(private readonly workers: PoolWorker[], control: SharedArrayBuffer,
    private readonly gemmStrided: GemmStrided) {
    this.i32 = new Int32Array(control);
    this.f32 = new Float32Array(control);
    this.f64 = new Float64Array(control);
    this.g = workers.length * STRIDE;
    this.given = new Int32Array(workers.length);
    this.helpers = new Int32Array(workers.length);
  }

  /** Threads in all: the workers plus the calling thread. */
  get threads(): number { return this.workers.length + 1; }

  /**
   * Start `threads − 1` workers on `module` (the threads build) and `memory` (its shared memory);
   * `gemmStrided` is the calling thread's own instance's. Resolves when every worker is ready.
   */
  static async create(threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory,
    gemmStrided: GemmStrided): Promise<ThreadPool> {
    const n = threads - 1;
    // The workers' blocks, then the GEMM block (4 strides: its table).
    const control = new SharedArrayBuffer((n + 4) * STRIDE * 4);
    const workers = await Promise.all(Array.from({ length: n }, (_, worker) =>
      startWorker({ module, memory, control, worker, gemmAt: n * STRIDE })));
    return new ThreadPool(workers, control, gemmStrided);
  }

  /** gemm (same arguments, dense row-major), in chunks when it is large enough to pay. */
  gemm(C: number, A: number, B: number, M: number, N: number, K: number,
    transA: number, transB: number, alpha: number, beta: number): void {
    this.chunked(C, A, B, M, N, K, transA, transB, alpha, beta, 0, 0);
  }

  /** gemmBias (same arguments), chunked as gemm is; a chunk of C's columns takes its slice of the bias. */
  gemmBias(C: number, A: number, B: number, M: number, N: number, K: number,
    transA: number, transB: number, bias: number, relu: number): void {
    this.chunked(C, A, B, M, N, K, transA, transB, 1, 0, bias, relu);
  }

  private chunked(C: number, A: number, B: number, M: number, N: number, K: number,
    transA: number, transB: number, alpha: number, beta: number, bias: number, relu: number): void {
    const lda = transA ? M : K, ldb = transB ? K : N;
    if (this.closed || M * N * K < MIN_SPLIT_MACS || this.workers.length === 0) {
      this.gemmStrided(C, A, B, M, N, K, lda, ldb, N, transA, transB, alpha, beta, bias, relu, 0);
      return;
    }
    const i = this.i32, g = this.g, seq = ++this.seq;
    // "None left" for this call before anything is rewritten: a worker still looking at the last
    // call's ticket can no longer claim a chunk (its compareExchange fails).
    Atomics.store(i, g + TICKET, ((seq & CALL_MASK) << CHUNK_BITS) | NONE_LEFT);
    const chunks = this.planChunks(C, A, B, M, N, lda, ldb, transA, transB, bias);
    if (chunks < 2) {
      this.gemmStrided(C, A, B, M, N, K, lda, ldb, N, transA, transB, alpha, beta, bias, relu, 0);
      return;
    }
    i[g + 3] = K; i[g + 4] = lda; i[g + 5] = ldb; i[g + 6] = N; i[g + 7] = transA; i[g + 8] = transB;
    this.f32[g + 9] = alpha; this.f32[g + 10] = beta; i[g + 11] = relu;
    i[g + CHUNKS] = chunks;
    Atomics.store(i, g + FINISHED, 0);
    // The table is written: open the call.
    Atomics.store(i, g + TICKET, (seq & CALL_MASK) << CHUNK_BITS);
    // Every worker, even one still answering the last call (only a gemm can be left unanswered:
    // sliced calls are waited for): its op stays GEMM, and the ticket tells it which call is on.
    for (let w = 0; w < this.workers.length; w++) {
      i[w * STRIDE + 2] = GEMM;
      this.start(w, seq);
    }
    // Take chunks like any worker (after a trap: claim the rest without computing them, so no
    // chunk is left unclaimed), then wait until every chunk is finished — never return while a
    // worker may still be writing.
    let trapped = false, error: unknown;
    for (let c; (c = this.takeChunk(seq)) >= 0;) {
      const t = g + TABLE + 6 * c;
      if (!trapped) {
        try {
          this.gemmStrided(i[t], i[t + 1], i[t + 2], i[t + 3], i[t + 4], K, lda, ldb, N, transA, transB, alpha, beta, i[t + 5], relu, 0);
        } catch (e) {
          trapped = true; error = e;
        }
      }
      Atomics.add(i, g + FINISHED, 1);
    }
    this.waitFor(g + FINISHED, chunks);
    const workerTrapped = this.clearTraps();
    if (trapped) throw error;
    if (workerTrapped) throw workerTrap();
  }

  /**
   * Cut C into chunks of whole tiles and write them to the table: by columns when C is at least
   * as wide as tall or WIDE columns (each chunk packs only its own columns of op(B), and op(A) as
   * often in all as one thread would), else by rows of at least MIN_ROWS. Returns the count (1: no cut).
   */
  private planChunks(C: number, A: number, B: number, M: number, N: number, lda: number, ldb: number,
    transA: number, transB: number, bias: number): number {
    const want = Math.min(this.threads * CHUNKS_PER_THREAD, MAX_CHUNKS);
    const i = this.i32, t0 = this.g + TABLE;
    let chunks = 0;
    if (N >= M || N >= WIDE) {
      const width = Math.ceil(N / Math.min(want, Math.floor(N / NR)) / NR) * NR;
      for (let j = 0; j < N; j += width, chunks++) {
        const t = t0 + 6 * chunks;
        i[t] = C + j * 4; i[t + 1] = A; i[t + 2] = B + (transB ? j * ldb : j) * 4;
        i[t + 3] = M; i[t + 4] = Math.min(width, N - j); i[t + 5] = bias && bias + j * 4;
      }
    } else {
      const rows = chunkRows(M, want);
      for (let r = 0; r < M; r += rows, chunks++) {
        const t = t0 + 6 * chunks;
        i[t] = C + r * N * 4; i[t + 1] = A + (transA ? r : r * lda) * 4; i[t + 2] = B;
        i[t + 3] = Math.min(rows, M - r); i[t + 4] = N; i[t + 5] = bias;
      }
    }
    return chunks;
  }

  /** The next chunk of call `seq` (claimed), or −1 when none is left. */
  private takeChunk(seq: number): number {
    const i = this.i32, at = this.g + TICKET, call = seq & CALL_MASK;
    for (;;) {
      const v = Atomics.load(i, at);
      if (v >>> CHUNK_BITS !== call || (v & NONE_LEFT) >= i[this.g + CHUNKS]) return -1;
      if (Atomics.compareExchange(i, at, v, v + 1) === v) return v & NONE_LEFT;
    }
  }

  /**
   * The kernel `name` of sliced.ts (same arguments as `direct`, the calling thread's own), split
   * into equal slices of whole f32x4 when n is large enough to pay.
   */
  sliced(name: SlicedName, direct: SlicedKernel): SlicedKernel {
    const k = SLICED_NAMES.indexOf(name), spec: SlicedSpec = SLICED[name], a = this.args;
    return (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) => {
      a[0] = a0; a[1] = a1; a[2] = a2; a[3] = a3; a[4] = a4; a[5] = a5; a[6] = a6; a[7] = a7; a[8] = a8; a[9] = a9; a[10] = a10;
      const n = a[spec.n];
      if (this.closed || n < MIN_SPLIT_ELEMENTS) return direct(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
      return this.runSliced(k, spec, n, direct);
    };
  }

  private runSliced(k: number, { buffers, n: nAt, combine }: SlicedSpec, n: number, direct: SlicedKernel): number | void {
    // Slices go to workers that have answered their last op: one still waking for a gemm it
    // missed (descheduled, say) sits an element-wise call out rather than holding it up. A
    // reduction waits for it: its slices, and so its f64 sums, must not depend on timing.
    const helpers = this.helpers;
    let free = 0;
    for (let w = 0; w < this.workers.length; w++) {
      if (combine) this.waitFor(w * STRIDE + 1, this.given[w]);
      if (combine || this.waitFree(w)) helpers[free++] = w;
    }
    const part = Math.ceil(n / (free + 1) / 4) * 4;
    const seq = ++this.seq, a = this.args;
    let used = 0;
    for (let s0 = part; s0 < n; s0 += part, used++) {
      const w = helpers[used], o = w * STRIDE, f = o / 2 + ARGS;
      this.i32[o + 2] = SLICED_OP; this.i32[o + 3] = k;
      for (let j = 0; j < MAX_ARGS; j++) this.f64[f + j] = a[j];
      for (const b of buffers) if (a[b]) this.f64[f + b] = a[b] + s0 * 4;
      this.f64[f + nAt] = Math.min(part, n - s0);
      this.start(w, seq);
    }
    a[nAt] = Math.min(part, n);
    let result: number | void;
    try {
      result = direct(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
    } finally {
      // Never return (or throw) while a worker may still be writing.
      for (let u = 0; u < used; u++) this.waitFor(helpers[u] * STRIDE + 1, seq);
      if (this.clearTraps()) throw workerTrap();
    }
    if (!combine) return;
    // The slices' results in slice order (the worker leaves its result after its arguments).
    let r = result as number;
    for (let u = 0; u < used; u++) {
      const part = this.f64[(helpers[u] * STRIDE) / 2 + ARGS + MAX_ARGS];
      r = combine === 'sum' ? r + part : Math.max(r, part); // Math.max keeps a NaN, as maxAbs does
    }
    return r;
  }

  /** Whether worker w has answered the last op it was handed. */
  private free(w: number): boolean {
    return Atomics.load(this.i32, w * STRIDE + 1) === this.given[w];
  }

  /** Whether worker w answers its last op within FREE_WAIT_MS (right after a gemm it is usually a few µs from it). */
  private waitFree(w: number): boolean {
    for (let t0 = performance.now(), spin = 0; !this.free(w); spin++) {
      if ((spin & 255) === 0 && performance.now() - t0 > FREE_WAIT_MS) return false;
    }
    return true;
  }

  /** Hand worker w op `seq` (its arguments are written). */
  private start(w: number, seq: number): void {
    this.given[w] = seq;
    Atomics.store(this.i32, w * STRIDE, seq);
    Atomics.notify(this.i32, w * STRIDE);
  }

  /** Whether a worker's kernel trapped in the call just finished; clears the flags for the next. */
  private clearTraps(): boolean {
    let trapped = false;
    for (let w = 0; w < this.workers.length; w++) {
      if (this.i32[w * STRIDE + TRAPPED]) { this.i32[w * STRIDE + TRAPPED] = 0; trapped = true; }
    }
    return trapped;
  }

  /** Wait until control[at] = value: spin up to SPIN_MS (the others are usually about done), then block where allowed. */
  private waitFor(at: number, value: number): void {
    const i = this.i32;
    for (let t0 = performance.now(), spin = 0; ; spin++) {
      if (Atomics.load(i, at) === value) return;
      if ((spin & 1023) === 0 && performance.now() - t0 > SPIN_MS) break;
    }
    // Browsers forbid Atomics.wait on the main thread: keep spinning there.
    for (let v; (v = Atomics.load(i, at)) !== value;) if (isNode) Atomics.wait(i, at, v, 10);
  }

  /** Stop the workers; later calls run on the calling thread. */
  async terminate(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.store(this.i32, w * STRIDE, -1);
      Atomics.notify(this.i32, w * STRIDE);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const workerTrap = () => new Error('keelnet: the wasm core trapped in a pool worker (a pointer or size outside memory)');

/**
 * Rows per chunk when M rows are cut into up to `want` chunks: whole 4-row tiles, and every
 * chunk (the last one too) at least MIN_ROWS. M when no cut qualifies.
 */
function chunkRows(M: number, want: number): number {
  for (let parts = Math.min(want, Math.floor(M / MIN_ROWS)); parts >= 2; parts--) {
    const rows = Math.ceil(M / parts / 4) * 4;
    const last = M - (Math.ceil(M / rows) - 1) * rows;
    if (rows >= MIN_ROWS && last >= MIN_ROWS) return rows;
  }
  return M;
}

interface WorkerInit { module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer; worker: number; gemmAt: number }

/** One worker running WORKER_SOURCE; resolves once it has instantiated the module. */
async function startWorker(init: WorkerInit): Promise<PoolWorker> {
  if (isNode) {
    const { Worker } = await import(/* @vite-ignore */ 'node:worker_threads');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: init });
    // Never keep the process alive for an idle pool (a test or script that forgets terminate()).
    worker.unref();
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return worker;
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(url);
  await new Promise<void>((resolve, reject) => {
    worker.onmessage = () => { URL.revokeObjectURL(url); resolve(); };
    worker.onerror = (e) => reject(new Error(`keelnet: pool worker failed: ${e.message}`));
    worker.postMessage(init);
  });
  return worker;
}
