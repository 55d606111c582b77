/**
 * A pool of workers that run kernels on disjoint parts of their outputs, on one shared memory:
 * gemm and gemmBias by blocks of C's rows or columns, and the element-wise kernels of sliced.ts
 * (activations, clipping, memory helpers, every optimizer update) by slices of their buffers.
 *
 * Every worker instantiates the threads build on the same shared WebAssembly.Memory and owns
 * packing-scratch slot w + 1; the calling thread uses slot 0.
 * Synchronisation is one control block of STRIDE int32 per worker in a SharedArrayBuffer
 * (128 bytes: no two workers share a cache line):
 *   [0] seq   bumped by the caller after writing the arguments; the worker waits on it
 *   [1] done  set to seq by the worker when its part is written; the caller waits on it
 *   [2] op    GEMM or SLICED, then the arguments (worker-source.ts reads them back):
 *   GEMM    [3..13] C, A, B, M, N, K, lda, ldb, ldc, transA, transB (int32)   [14, 15] alpha, beta (f32)
 *           [17, 18] bias, relu (int32: gemmBias's epilogue, 0 0 for none)
 *   SLICED  [3] the kernel's index in SLICED_NAMES; its arguments as f64 from int32 [4] (f64 [2..12])
 *   [31]  1 when the worker's kernel trapped (the caller throws)
 * C is split in blocks of whole tiles: of columns (any width), or of rows (each ≥ 8 rows, so every
 * block takes the packed path). Either way each element is summed in the same order as on one
 * thread, and the sliced kernels are element-wise: N threads give bitwise the results of one.
 */
import { WORKER_SOURCE } from './worker-source.js';
import { MAX_ARGS, SLICED, SLICED_NAMES, type SlicedName } from './sliced.js';

const STRIDE = 32;
/** Operation codes in control[2] (the worker source has the same). */
const GEMM = 0, SLICED_OP = 1;
/** First f64 of a SLICED call's arguments within a control block; the trap flag's int32. */
const ARGS = 2, TRAPPED = 31;
/** How long a waiting thread spins before it sleeps: longer than any gap inside a training step. */
const SPIN_MS = 5;
/** Below this many elements a sliced kernel runs on the calling thread alone. */
const MIN_SPLIT_ELEMENTS = 1 << 16;
/** Below this many multiply-adds a gemm runs on the calling thread alone (handing a block to a spinning worker costs a few µs). */
const MIN_SPLIT_MACS = 1 << 18;
/** Smallest row block: gemm's packed path starts at 8 rows (FEW_ROWS in assembly/kernels/gemm.ts). */
const MIN_ROWS = 8;
/** Tile columns (NR in assembly/kernels/gemm.ts): column blocks are whole tiles. */
const NR = 8;

type GemmStrided = (C: number, A: number, B: number, M: number, N: number, K: number,
  lda: number, ldb: number, ldc: number, transA: number, transB: number, alpha: number, beta: number,
  bias: number, relu: number, slot: number) => void;

/** Any kernel of sliced.ts, called with up to MAX_ARGS arguments (extra ones are ignored). */
export type SlicedKernel = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number,
  a6: number, a7: number, a8: number, a9: number, a10: number) => void;

interface PoolWorker { terminate(): unknown }

const isNode = typeof process === 'object' && !!process.versions?.node;

export class ThreadPool {
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  /** A sliced call's arguments, reused (a training step allocates nothing). */
  private readonly args = new Float64Array(MAX_ARGS);
  private seq = 0;
  private closed = false;

  private constructor(private readonly workers: PoolWorker[], control: SharedArrayBuffer,
    private readonly gemmStrided: GemmStrided) {
    this.i32 = new Int32Array(control);
    this.f32 = new Float32Array(control);
    this.f64 = new Float64Array(control);
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
    const control = new SharedArrayBuffer(Math.max(n, 1) * STRIDE * 4);
    const workers = await Promise.all(Array.from({ length: n }, (_, worker) =>
      startWorker({ module, memory, control, worker })));
    return new ThreadPool(workers, control, gemmStrided);
  }

  /**
   * gemm (same arguments, dense row-major), split when it is large enough to pay: by columns of C
   * when C is at least as wide as tall (each thread packs only its own columns of op(B), and op(A)
   * is packed as often in all as on one thread), else by rows.
   */
  gemm(C: number, A: number, B: number, M: number, N: number, K: number,
    transA: number, transB: number, alpha: number, beta: number): void {
    this.split(C, A, B, M, N, K, transA, transB, alpha, beta, 0, 0);
  }

  /** gemmBias (same arguments), split as gemm is; a block of C's columns takes its slice of the bias. */
  gemmBias(C: number, A: number, B: number, M: number, N: number, K: number,
    transA: number, transB: number, bias: number, relu: number): void {
    this.split(C, A, B, M, N, K, transA, transB, 1, 0, bias, relu);
  }

  private split(C: number, A: number, B: number, M: number, N: number, K: number,
    transA: number, transB: number, alpha: number, beta: number, bias: number, relu: number): void {
    const lda = transA ? M : K, ldb = transB ? K : N;
    const small = this.closed || M * N * K < MIN_SPLIT_MACS;
    const byCols = N >= M;
    const block = small ? (byCols ? N : M) : byCols ? blockCols(N, this.threads) : blockRows(M, this.threads);
    if (block >= (byCols ? N : M)) {
      this.gemmStrided(C, A, B, M, N, K, lda, ldb, N, transA, transB, alpha, beta, bias, relu, 0);
      return;
    }
    // The calling thread takes the first block, workers the rest.
    const seq = ++this.seq, i = this.i32;
    let used = 0;
    for (let s0 = block; s0 < (byCols ? N : M); s0 += block, used++) {
      const o = used * STRIDE;
      // Block s0.. of C's columns: C, op(B) and the bias start s0 columns in; of C's rows: C, op(A) s0 rows down.
      const [c, a, b, m, n, bs] = byCols
        ? [C + s0 * 4, A, B + (transB ? s0 * ldb : s0) * 4, M, Math.min(block, N - s0), bias && bias + s0 * 4]
        : [C + s0 * N * 4, A + (transA ? s0 : s0 * lda) * 4, B, Math.min(block, M - s0), N, bias];
      i[o + 2] = GEMM;
      i[o + 3] = c; i[o + 4] = a; i[o + 5] = b;
      i[o + 6] = m; i[o + 7] = n; i[o + 8] = K; i[o + 9] = lda; i[o + 10] = ldb; i[o + 11] = N;
      i[o + 12] = transA; i[o + 13] = transB; this.f32[o + 14] = alpha; this.f32[o + 15] = beta;
      i[o + 17] = bs; i[o + 18] = relu;
      this.start(o, seq);
    }
    // finally: never return (or throw) while a worker may still be writing.
    try {
      this.gemmStrided(C, A, B, byCols ? M : block, byCols ? block : N, K, lda, ldb, N, transA, transB, alpha, beta, bias, relu, 0);
    } finally {
      this.finish(used, seq);
    }
  }

  /**
   * The kernel `name` of sliced.ts (same arguments as `direct`, the calling thread's own), split
   * into equal slices of whole f32x4 when n is large enough to pay.
   */
  sliced(name: SlicedName, direct: SlicedKernel): SlicedKernel {
    const k = SLICED_NAMES.indexOf(name), spec = SLICED[name], a = this.args;
    return (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) => {
      a[0] = a0; a[1] = a1; a[2] = a2; a[3] = a3; a[4] = a4; a[5] = a5; a[6] = a6; a[7] = a7; a[8] = a8; a[9] = a9; a[10] = a10;
      const n = a[spec.n];
      if (this.closed || n < MIN_SPLIT_ELEMENTS) return direct(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
      this.runSliced(k, spec.buffers, spec.n, n, direct);
    };
  }

  private runSliced(k: number, buffers: readonly number[], nAt: number, n: number, direct: SlicedKernel): void {
    const part = Math.ceil(n / this.threads / 4) * 4;
    const seq = ++this.seq, a = this.args;
    let used = 0;
    for (let s0 = part; s0 < n; s0 += part, used++) {
      const o = used * STRIDE, f = o / 2 + ARGS;
      this.i32[o + 2] = SLICED_OP; this.i32[o + 3] = k;
      for (let j = 0; j < MAX_ARGS; j++) this.f64[f + j] = a[j];
      for (const b of buffers) if (a[b]) this.f64[f + b] = a[b] + s0 * 4;
      this.f64[f + nAt] = Math.min(part, n - s0);
      this.start(o, seq);
    }
    a[nAt] = Math.min(part, n);
    try {
      direct(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
    } finally {
      this.finish(used, seq);
    }
  }

  /** Hand the worker whose block starts at `o` its part (the arguments are written). */
  private start(o: number, seq: number): void {
    Atomics.store(this.i32, o, seq);
    Atomics.notify(this.i32, o);
  }

  /** Wait for the first `used` workers to finish call `seq`; throw if one of them trapped. */
  private finish(used: number, seq: number): void {
    for (let w = 0; w < used; w++) this.waitDone(w * STRIDE + 1, seq);
    for (let w = 0; w < used; w++) {
      if (this.i32[w * STRIDE + TRAPPED]) {
        this.i32[w * STRIDE + TRAPPED] = 0;
        throw new Error('keelnet: the wasm core trapped in a pool worker (a pointer or size outside memory)');
      }
    }
  }

  /** Wait until control[at] = seq: spin up to SPIN_MS (the worker is usually about done), then block where allowed. */
  private waitDone(at: number, seq: number): void {
    const i = this.i32;
    for (let t0 = performance.now(), spin = 0; ; spin++) {
      if (Atomics.load(i, at) === seq) return;
      if ((spin & 1023) === 0 && performance.now() - t0 > SPIN_MS) break;
    }
    // Browsers forbid Atomics.wait on the main thread: keep spinning there.
    while (Atomics.load(i, at) !== seq) if (isNode) Atomics.wait(i, at, Atomics.load(i, at), 10);
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

/**
 * Rows per block when M rows are split over up to `threads` threads: whole 4-row tiles, and
 * every block (the last one too) at least MIN_ROWS. M when no split qualifies.
 */
function blockRows(M: number, threads: number): number {
  for (let parts = Math.min(threads, Math.floor(M / MIN_ROWS)); parts >= 2; parts--) {
    const rows = Math.ceil(M / parts / 4) * 4;
    const last = M - (Math.ceil(M / rows) - 1) * rows;
    if (rows >= MIN_ROWS && last >= MIN_ROWS) return rows;
  }
  return M;
}

/**
 * Columns per block when N columns are split over up to `threads` threads: whole 8-column tiles
 * (NR). Any M works: the few-rows path sums each element in the same order at any width.
 * N when no split qualifies.
 */
function blockCols(N: number, threads: number): number {
  const parts = Math.min(threads, Math.floor(N / NR));
  return parts < 2 ? N : Math.ceil(N / parts / NR) * NR;
}

interface WorkerInit { module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer; worker: number }

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
