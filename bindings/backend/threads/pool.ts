/**
 * A pool of workers that run kernels on disjoint parts of their outputs, on one shared memory:
 * gemm and gemmBias in chunks of C's columns or rows (a product in depth halves: chunks of each
 * half's columns, one half a thread's home), and the element-wise kernels of sliced.ts
 * (activations, clipping, memory helpers, every optimizer update) in blocks of their buffers;
 * every thread takes chunks or blocks from its own home range and then from the others'
 * (claim.ts) as it becomes free, so a core the machine slows down (or the calling thread busy
 * with a job `beside` the call) simply takes fewer, while each thread keeps working on the same
 * part of the data. Reductions run in one fixed slice per thread, so that their sums add up in
 * the same order on every call.
 *
 * Every worker instantiates the threads build on the same shared WebAssembly.Memory and owns
 * packing-scratch slot w + 1; the calling thread uses slot 0. The control SharedArrayBuffer
 * holds one block of STRIDE int32 per worker (256 bytes: no two share a cache line), then one
 * shared block:
 *   worker block  [0] seq   bumped by the caller after writing the op; the worker waits on it
 *                 [1] done  set to seq by the worker when its part is written; the caller waits on it
 *                 [2] op    GEMM, BLOCKS (both: take work from the shared block) or SLICED
 *                 [3] SLICED: the kernel's index in SLICED_NAMES; its arguments as f64 from int32 [4],
 *                     and after them (f64 [18]) the reduction's result for its slice
 *                 [56] the worker's home ticket (claim.ts)
 *                 [63] 1 when the worker's kernel trapped (the caller throws)
 *   shared block  [0] the calling thread's home ticket
 *                 [1] chunks finished
 *                 GEMM:   [4..8] lda, ldb, ldc, transA, transB  [9] alpha (f32)  [11] relu
 *                         [14] 1 when each thread packs op(A) whole once for all its chunks of one A
 *                         [16 + 8c ..] chunk c: C, A, B, M, N, bias, K, beta (f32) — its block of C,
 *                         the operands' offsets, and its depth (a product in depth halves: gemm-halves.ts)
 *                 BLOCKS: [3] the kernel's index  [4] units (elements or images) per block  [5] n
 *                         [6 + j] floats per unit of its j-th buffer  f64 from int32 [16]: its arguments
 * A call's tickets are set to "none left" before its arguments are rewritten, so a worker that
 * wakes late for an earlier call can never take a chunk of the new one. Every gemm chunk is a
 * block of whole tiles summed in the same order as on one thread, and the element-wise kernels
 * treat each element alone: N threads give bitwise the results of one, whoever computes what.
 */
import { claim, homeTickets, ticket } from './claim.js';
import { gemmChunk } from './gemm-chunk.js';
import { LAYOUT } from './layout.js';
import { WORKER_SOURCE } from './worker-source.js';
import { MAX_ARGS, SLICED, SLICED_NAMES, partArgs, type SlicedName, type SlicedSpec } from './sliced.js';

const { STRIDE, SHARED_STRIDES, GEMM, SLICED: SLICED_OP, BLOCKS, ARGS, HOME, TRAPPED, TICKET, FINISHED, UNITS, TABLE, CHUNK_INTS, WHOLE, CHUNK_BITS, MAX_CALL_CHUNKS, CALL_MASK, SPIN_MS } = LAYOUT;
/**
 * A gemm cut by rows, or by columns with an op(A) too large to pack whole, is cut into one lead
 * chunk per thread, LEAD of the work in all, then the rest in one small chunk per thread, after
 * its lead in its home range: two chunks per thread, so op(A) (or op(B), by rows) is
 * packed little more often than on one thread, yet when one core runs slower than the other (this
 * machine's cores are shared: one is at times 1.5× slower for seconds on end) the faster thread
 * takes both small chunks while the slower finishes its lead: MLP training steps 1.2× faster than
 * with four even chunks then, and within a few % of them otherwise (an A/B of 30 back-to-back turns).
 */
const LEAD = 0.8;
/**
 * Column chunks per thread when each thread packs op(A) once for all the chunks it takes (it fits
 * the build's wholeACapacity): narrow chunks then cost only a few claims, and a thread that runs
 * slow holds up the call by one narrow chunk instead of a lead chunk. MLP training against lead
 * chunks (40 alternating turns each, in one process): 1.840× against 1.827× one thread (SIMD128),
 * 1.845× against 1.834× (relaxed); 4 chunks a thread gave 1.818× and 1.846×.
 */
const CHUNKS_PER_THREAD = 8;
/** The table's room (SHARED_STRIDES·STRIDE int32 for the shared block: TABLE + CHUNK_INTS per chunk). */
const MAX_CHUNKS = 32;
/** Below this many elements a sliced kernel runs on the calling thread alone. */
const MIN_SPLIT_ELEMENTS = 1 << 16;
/**
 * Blocks per thread an element-wise call is cut into, and their least size: fine enough that the
 * others absorb a thread that is late or busy beside the call, each block still a few µs of work.
 */
const BLOCKS_PER_THREAD = 8;
const MIN_BLOCK = 1 << 13;
/** Below this many multiply-adds a gemm runs on the calling thread alone (handing out chunks costs a few µs). */
const MIN_SPLIT_MACS = 1 << 18;
/**
 * Smallest row chunk, in groups of tile rows: gemm's packed path starts at 8 rows (FEW_ROWS in
 * assembly/kernels/gemm.ts), and 3 groups keep at least 9 rows when the last group is partial.
 */
const MIN_ROW_GROUPS = 3;
/** Tile columns (NR in assembly/kernels/gemm.ts): column chunks are whole tiles. */
const NR = 8;
/** Columns from which C is cut by columns even when taller than wide (each chunk still 16+ tiles wide). */
const WIDE = 256;

type GemmStrided = (C: number, A: number, B: number, M: number, N: number, K: number,
  lda: number, ldb: number, ldc: number, transA: number, transB: number, alpha: number, beta: number,
  bias: number, relu: number, slot: number, whole: number) => void;

/**
 * The calling thread's gemm kernels and the threads build's gemm geometry (its exports of the
 * same names; assembly/kernels/gemm.ts and gemm-halves.ts).
 */
export interface PoolGemm {
  gemmStrided: GemmStrided;
  /** The dense entry points, for products too small to split: they sum in depth halves as a split product does. */
  gemm(C: number, A: number, B: number, M: number, N: number, K: number, transA: number, transB: number, alpha: number, beta: number): void;
  gemmBias(C: number, A: number, B: number, M: number, N: number, K: number, transA: number, transB: number, bias: number, relu: number): void;
  /** Where gemm cuts the depth of a product into halves (0: it does not). */
  gemmHalfDepth(M: number, N: number, K: number, transA: number, transB: number): number;
  /** Tile rows (MR): row chunks are whole tiles. */
  tileRows: number;
  /** Floats of op(A), rows rounded up to tileRows, that a packing slot holds whole. */
  wholeA: number;
  /** The halves' region, where the second half is summed. */
  halves: number;
}

/** Any kernel of sliced.ts, called with up to MAX_ARGS arguments (extra ones are ignored); reductions return their result. */
export type SlicedKernel = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number,
  a8: number, a9: number, a10: number, a11: number, a12: number, a13: number, a14: number, a15: number) => number | void;

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
  /** A sliced call's arguments, and one block's, reused (a training step allocates nothing). */
  private readonly args = new Float64Array(MAX_ARGS);
  private readonly blockArgs = new Float64Array(MAX_ARGS);
  /** A per-image kernel's floats per image, buffer by buffer (SlicedSpec.unit), reused. */
  private readonly units = new Int32Array(8);
  /** The job `beside` hands to the next element-wise call that is split into blocks. */
  private job: (() => void) | undefined;
  /** True while that job runs: it must not call the pool (a call of the pool's is open). */
  private inJob = false;
  /** The calling thread's own function for each kernel of sliced.ts, by index in SLICED_NAMES. */
  private readonly kernels: SlicedKernel[] = [];
  private seq = 0;
  private closed = false;
  /** Chunk sizes, in units (tiles or row groups), reused. */
  private readonly sizes = new Int32Array(MAX_CHUNKS);
  /** Where each thread's home ticket is (the calling thread's first), and the call's home ranges: thread t's is [homes[t], homes[t + 1]). */
  private readonly tickets: Int32Array;
  private readonly homes: Int32Array;

  private constructor(private readonly workers: PoolWorker[], control: SharedArrayBuffer,
    private readonly core: PoolGemm) {
    this.i32 = new Int32Array(control);
    this.f32 = new Float32Array(control);
    this.f64 = new Float64Array(control);
    this.g = workers.length * STRIDE;
    this.given = new Int32Array(workers.length);
    this.tickets = homeTickets(workers.length, STRIDE, TICKET, HOME);
    this.homes = new Int32Array(workers.length + 2);
  }

  /** Threads in all: the workers plus the calling thread. */
  get threads(): number { return this.workers.length + 1; }

  /**
   * Start `threads − 1` workers on `module` (the threads build) and `memory` (its shared memory);
   * `core`: the calling thread's own instance's gemm kernels and geometry.
   * Resolves when every worker is ready.
   */
  static async create(threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory,
    core: PoolGemm): Promise<ThreadPool> {
    const n = threads - 1;
    // The workers' blocks, then the shared block (its chunk table).
    const control = new SharedArrayBuffer((n + SHARED_STRIDES) * STRIDE * 4);
    const workers = await Promise.all(Array.from({ length: n }, (_, worker) =>
      startWorker({ module, memory, control, worker, gemmAt: n * STRIDE })));
    return new ThreadPool(workers, control, core);
  }

  /** gemm (same arguments, dense row-major), in chunks when it is large enough to pay. */
  gemm(C: number, A: number, B: number, M: number, N: number, K: number,
    transA: number, transB: number, alpha: number, beta: number): void {
    if (!this.chunked(C, A, B, M, N, K, transA, transB, alpha, beta, 0, 0)) this.core.gemm(C, A, B, M, N, K, transA, transB, alpha, beta);
  }

  /** gemmBias (same arguments), chunked as gemm is; a chunk of C's columns takes its slice of the bias. */
  gemmBias(C: number, A: number, B: number, M: number, N: number, K: number,
    transA: number, transB: number, bias: number, relu: number): void {
    if (!this.chunked(C, A, B, M, N, K, transA, transB, 1, 0, bias, relu)) this.core.gemmBias(C, A, B, M, N, K, transA, transB, bias, relu);
  }

  /**
   * Run the product in chunks on the pool; false when it is too small to pay (the caller then
   * runs it alone). A product in depth halves (gemmHalfDepth) is summed as the dense entry points
   * sum it: half 1 into the halves' region, then addHalves adds it and the epilogue, by rows.
   */
  private chunked(C: number, A: number, B: number, M: number, N: number, K: number,
    transA: number, transB: number, alpha: number, beta: number, bias: number, relu: number): boolean {
    if (this.inJob) throw reentered('gemm');
    if (this.closed || M * N * K < MIN_SPLIT_MACS || this.workers.length === 0) return false;
    const lda = transA ? M : K, ldb = transB ? K : N, half = this.core.gemmHalfDepth(M, N, K, transA, transB);
    const i = this.i32, g = this.g, seq = this.close();
    const chunks = half
      ? this.planHalves(C, A, B, M, N, K, half, ldb, beta)
      : this.planChunks(C, A, B, M, N, K, lda, ldb, transA, transB, bias, beta);
    if (chunks < 2) return false;
    i[g + 4] = lda; i[g + 5] = ldb; i[g + 6] = N; i[g + 7] = transA; i[g + 8] = transB;
    this.f32[g + 9] = alpha; i[g + 11] = half ? 0 : relu;
    this.open(GEMM, seq);
    this.claimAll(seq, chunks, GEMM);
    if (half) this.addHalves(C, M, N, bias, relu);
    return true;
  }

  /** C += the halves' region, then the epilogue: addHalves in blocks of rows (homes: thread t's share of C's rows). */
  private addHalves(C: number, M: number, N: number, bias: number, relu: number): void {
    const a = this.args, k = SLICED_NAMES.indexOf('addHalves'), spec: SlicedSpec = SLICED.addHalves;
    a.fill(0);
    a[0] = C; a[1] = this.core.halves; a[2] = M; a[3] = N; a[4] = bias; a[5] = relu;
    spec.unit!(a, this.units);
    this.runBlocks(k, spec, M);
  }

  /**
   * Chunk c of the open gemm call, its arguments read from the shared block as a worker reads
   * them; `packed`: the A whose op(A) this thread packed whole into its slot in this call (−1:
   * none yet). Returns the chunk's A.
   */
  private runChunk(c: number, packed: number): number {
    return gemmChunk(this.core.gemmStrided, this.i32, this.f32, this.g, TABLE, WHOLE, c, 0, packed);
  }

  /**
   * A new call: its tickets say "none left" before anything of the shared block is rewritten,
   * so a worker still looking at the last call's tickets can no longer claim a chunk of this one
   * (its compareExchange fails). Returns the call's seq.
   */
  private close(): number {
    const seq = ++this.seq, none = ticket(seq & CALL_MASK, 0, 0, CHUNK_BITS);
    for (let t = 0; t < this.threads; t++) Atomics.store(this.i32, this.tickets[t], none);
    return seq;
  }

  /**
   * The shared block's arguments and this.homes (which also say how many chunks) are written:
   * open call `seq` and hand it to every worker, even one still answering the last call (only a shared call can
   * be left unanswered: reductions are waited for); the tickets tell a late one which call is on.
   */
  private open(op: number, seq: number): void {
    const i = this.i32, g = this.g, h = this.homes;
    Atomics.store(i, g + FINISHED, 0);
    for (let t = 0; t < this.threads; t++) Atomics.store(i, this.tickets[t], ticket(seq & CALL_MASK, h[t], h[t + 1], CHUNK_BITS));
    for (let w = 0; w < this.workers.length; w++) {
      i[w * STRIDE + 2] = op;
      this.start(w, seq);
    }
  }

  /**
   * Take chunks of call `seq` like any worker and run them (runChunk or runBlock, as `op` says);
   * after a trap, claim the rest without running them, so that no chunk is left unclaimed. Then
   * wait until all `chunks` are finished — never return while a worker may still be writing —
   * and throw the first trap.
   */
  private claimAll(seq: number, chunks: number, op: number): void {
    let trapped = false, error: unknown, packed = -1;
    for (let c; (c = this.takeChunk(seq)) >= 0;) {
      if (!trapped) {
        try {
          if (op === GEMM) packed = this.runChunk(c, packed);
          else this.runBlock(c);
        } catch (e) {
          trapped = true; error = e;
        }
      }
      Atomics.add(this.i32, this.g + FINISHED, 1);
    }
    this.waitFor(this.g + FINISHED, chunks);
    const workerTrapped = this.clearTraps();
    if (trapped) throw error;
    if (workerTrapped) throw workerTrap();
  }

  /**
   * Cut C into chunks and write them to the table: by columns of whole tiles when C is at least
   * as wide as tall or WIDE columns (each chunk packs only its own columns of op(B)), else by
   * rows (groups of tile rows, at least MIN_ROW_GROUPS a chunk). Column chunks are narrow and
   * even (evenChunks) when op(A) fits a slot whole, so each thread packs it once for all of them
   * (the shared block's WHOLE word says so); otherwise, and for rows, a lead and a small chunk per
   * thread (leadChunks). Returns the count (1: no cut).
   */
  private planChunks(C: number, A: number, B: number, M: number, N: number, K: number, lda: number, ldb: number,
    transA: number, transB: number, bias: number, beta: number): number {
    const byColumns = N >= M || N >= WIDE, sizes = this.sizes;
    const { tileRows: MR, wholeA } = this.core;
    const whole = byColumns && Math.ceil(M / MR) * MR * K <= wholeA;
    this.i32[this.g + WHOLE] = whole ? 1 : 0;
    const chunks = whole
      ? evenChunks(Math.ceil(N / NR), this.threads, CHUNKS_PER_THREAD, sizes, this.homes)
      : byColumns
        ? leadChunks(Math.ceil(N / NR), this.threads, 1, sizes, this.homes)
        : leadChunks(Math.ceil(M / MR), this.threads, MIN_ROW_GROUPS, sizes, this.homes);
    for (let c = 0, at = 0; c < chunks; at += sizes[c], c++) {
      if (byColumns) {
        const j = at * NR;
        this.setChunk(c, C + j * 4, A, B + (transB ? j * ldb : j) * 4, M, Math.min(sizes[c] * NR, N - j), bias && bias + j * 4, K, beta);
      } else {
        const r = at * MR;
        this.setChunk(c, C + r * N * 4, A + (transA ? r : r * lda) * 4, B, Math.min(sizes[c] * MR, M - r), N, bias, K, beta);
      }
    }
    return chunks;
  }

  /**
   * Cut a product in depth halves (depth `half`, then K − half) into column chunks, half 0's (into
   * C, with the caller's beta) then half 1's (into the halves' region, beta 0), the same even
   * narrow chunks in each: with two threads, each thread's home range is one half — its own rows
   * of op(B). Each thread packs op(A) of a half whole once, when it fits. Returns the count.
   */
  private planHalves(C: number, A: number, B: number, M: number, N: number, K: number, half: number,
    ldb: number, beta: number): number {
    const sizes = this.sizes, threads = this.threads, { tileRows: MR, wholeA, halves } = this.core;
    this.i32[this.g + WHOLE] = Math.ceil(M / MR) * MR * Math.max(half, K - half) <= wholeA ? 1 : 0;
    // One half's chunk sizes (the home ranges evenChunks writes for one thread are replaced below).
    const each = evenChunks(Math.ceil(N / NR), 1, Math.min(MAX_CHUNKS, CHUNKS_PER_THREAD * threads) >> 1, sizes, this.homes);
    for (let t = 0; t <= threads; t++) this.homes[t] = Math.floor((t * 2 * each) / threads);
    for (let h = 0; h < 2; h++) {
      const k0 = h ? half : 0;
      for (let c = 0, at = 0; c < each; at += sizes[c], c++) {
        const j = at * NR;
        this.setChunk(h * each + c, (h ? halves : C) + j * 4, A + k0 * 4, B + (k0 * ldb + j) * 4, M,
          Math.min(sizes[c] * NR, N - j), 0, h ? K - half : half, h ? 0 : beta);
      }
    }
    return 2 * each;
  }

  /** Write chunk c of the table: its block of C, the operands' offsets, bias, depth and beta (gemmChunk reads them). */
  private setChunk(c: number, C: number, A: number, B: number, M: number, N: number, bias: number, K: number, beta: number): void {
    const i = this.i32, t = this.g + TABLE + CHUNK_INTS * c;
    i[t] = C; i[t + 1] = A; i[t + 2] = B; i[t + 3] = M; i[t + 4] = N; i[t + 5] = bias; i[t + 6] = K;
    this.f32[t + 7] = beta;
  }

  /** The next chunk of call `seq` for the calling thread (claimed), or −1 when none is left. */
  private takeChunk(seq: number): number {
    return claim(this.i32, this.tickets, 0, seq & CALL_MASK, CHUNK_BITS);
  }

  /**
   * The kernel `name` of sliced.ts (same arguments as `direct`, the calling thread's own), split
   * when n is large enough to pay: an element-wise kernel into blocks of whole f32x4 that the
   * threads claim, a reduction into one slice per thread.
   */
  sliced(name: SlicedName, direct: SlicedKernel): SlicedKernel {
    const k = SLICED_NAMES.indexOf(name), spec: SlicedSpec = SLICED[name], a = this.args;
    this.kernels[k] = direct;
    return (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15) => {
      if (this.inJob) throw reentered(name);
      a[0] = a0; a[1] = a1; a[2] = a2; a[3] = a3; a[4] = a4; a[5] = a5; a[6] = a6; a[7] = a7;
      a[8] = a8; a[9] = a9; a[10] = a10; a[11] = a11; a[12] = a12; a[13] = a13; a[14] = a14; a[15] = a15;
      const n = a[spec.n];
      // Per-image kernels split by images, when their largest buffer holds enough floats in all.
      let size = n;
      if (spec.unit) {
        spec.unit(a, this.units);
        let most = 0;
        for (let j = 0; j < spec.buffers.length; j++) most = Math.max(most, this.units[j]);
        size = n * most;
      }
      if (this.closed || size < MIN_SPLIT_ELEMENTS || n < 2 || this.workers.length === 0) {
        return direct(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
      }
      return spec.combine ? this.runSlices(k, spec, n, direct) : this.runBlocks(k, spec, n);
    };
  }

  /**
   * Run `work`, and `job` (JS on the calling thread that touches no memory `work` uses) beside
   * it: during work's first element-wise call split into blocks, the workers start on the
   * blocks while this thread runs job, then takes whatever blocks are left. When work makes no
   * such call (or throws), job runs after it (or not at all).
   */
  beside(work: () => void, job: () => void): void {
    this.job = job;
    try {
      work();
    } catch (e) {
      this.job = undefined;
      throw e;
    }
    const left = this.job;
    this.job = undefined;
    left?.();
  }

  private runBlocks(k: number, spec: SlicedSpec, n: number): void {
    // At most MAX_CALL_CHUNKS blocks: a ticket counts them in CHUNK_BITS.
    const i = this.i32, g = this.g, seq = this.close(), want = Math.min(this.threads * BLOCKS_PER_THREAD, MAX_CALL_CHUNKS);
    // Elements in whole f32x4, or whole images; the floats each buffer moves per one of them.
    const size = spec.unit ? Math.ceil(n / want) : Math.max(MIN_BLOCK, Math.ceil(n / want / 4) * 4);
    const blocks = Math.ceil(n / size), threads = this.threads;
    for (let t = 0; t <= threads; t++) this.homes[t] = Math.floor((t * blocks) / threads);
    i[g + 3] = k; i[g + 4] = size; i[g + 5] = n;
    for (let j = 0; j < spec.buffers.length; j++) i[g + UNITS + j] = spec.unit ? this.units[j] : 1;
    this.f64.set(this.args, (g + TABLE) / 2);
    this.open(BLOCKS, seq);
    const job = this.job;
    this.job = undefined;
    let jobError: unknown, jobFailed = false;
    if (job) {
      this.inJob = true;
      try { job(); } catch (e) { jobFailed = true; jobError = e; } finally { this.inJob = false; }
    }
    this.claimAll(seq, blocks, BLOCKS);
    if (jobFailed) throw jobError;
  }

  /** Block b of the open call (its kernel, size and count read from the shared block, as a worker reads them). */
  private runBlock(b: number): void {
    const i = this.i32, g = this.g, k = i[g + 3], size = i[g + 4], s0 = b * size, x = this.blockArgs;
    const { buffers, n } = SLICED[SLICED_NAMES[k]] as SlicedSpec;
    partArgs(x, this.args, buffers, n, i, g + UNITS, s0, Math.min(size, i[g + 5] - s0));
    this.kernels[k](x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], x[11], x[12], x[13], x[14], x[15]);
  }

  private runSlices(k: number, { buffers, n: nAt, combine }: SlicedSpec, n: number, direct: SlicedKernel): number {
    // One slice per thread, always the same split: the f64 sums must not depend on timing. So a
    // worker still finishing its part of the last call is waited for.
    const workers = this.workers.length;
    for (let w = 0; w < workers; w++) this.waitFor(w * STRIDE + 1, this.given[w]);
    const part = Math.ceil(n / (workers + 1) / 4) * 4;
    const seq = ++this.seq, a = this.args, x = this.blockArgs;
    let used = 0;
    for (let s0 = part; s0 < n; s0 += part, used++) {
      const o = used * STRIDE;
      this.i32[o + 2] = SLICED_OP; this.i32[o + 3] = k;
      partArgs(x, a, buffers, nAt, ONE_FLOAT, 0, s0, Math.min(part, n - s0));
      this.f64.set(x, o / 2 + ARGS);
      this.start(used, seq);
    }
    a[nAt] = Math.min(part, n);
    let result: number;
    try {
      result = direct(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]) as number;
    } finally {
      // Never return (or throw) while a worker may still be writing.
      for (let w = 0; w < used; w++) this.waitFor(w * STRIDE + 1, seq);
      if (this.clearTraps()) throw workerTrap();
    }
    // The slices' results in slice order (the worker leaves its result after its arguments).
    for (let w = 0; w < used; w++) {
      const part = this.f64[(w * STRIDE) / 2 + ARGS + MAX_ARGS];
      result = combine === 'sum' ? result + part : Math.max(result, part); // Math.max keeps a NaN, as maxAbs does
    }
    return result;
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

/** Floats per element of every buffer of an element-wise kernel or reduction (partArgs). */
const ONE_FLOAT = new Int32Array(8).fill(1);
const reentered = (kernel: string) => new Error(`keelnet: ${kernel} was called from a job run beside a pool call; such a job must not use the backend's kernels`);
const workerTrap = () => new Error('keelnet: the wasm core trapped in a pool worker (a pointer or size outside memory)');

/** leadChunks' scratch: the sizes before they are put in thread order. */
const cut = new Int32Array(MAX_CHUNKS);

/**
 * The chunks (their sizes in `out`, in units: tiles or row groups, at least `minUnits` each) of
 * `units` units on `threads` threads: one lead chunk per thread, LEAD of the units in all, then
 * the rest in up to one small chunk per thread. In thread order: thread t's lead chunk, then its
 * small one, which are its home range [homes[t], homes[t + 1]) (claim.ts) — one contiguous part
 * of C. Returns the count (below 2: no cut).
 */
export function leadChunks(units: number, threads: number, minUnits: number, out: Int32Array, homes: Int32Array): number {
  const lead = Math.max(minUnits, Math.round((units * LEAD) / threads));
  let leads = 0, left = units;
  for (; leads < threads && left >= minUnits && leads < out.length; leads++) {
    cut[leads] = Math.min(left, lead);
    left -= cut[leads];
  }
  const small = Math.min(threads, out.length - leads, Math.floor(left / minUnits));
  for (let k = 0; k < small; k++) {
    cut[leads + k] = Math.ceil(left / (small - k));
    left -= cut[leads + k];
  }
  const n = leads + small;
  if (left > 0 && n > 0) cut[n - 1] += left; // a remainder too small for a chunk of its own
  let at = 0;
  for (let t = 0; t < threads; t++) {
    homes[t] = at;
    if (t < leads) out[at++] = cut[t];
    if (t < small) out[at++] = cut[leads + t];
  }
  homes[threads] = at;
  return n;
}

/**
 * `units` units (tiles) cut into chunks as even as can be, `perThread` per thread (fewer when
 * there are fewer units, or the table is full), sizes in `out`; thread t's home range is the
 * contiguous run [homes[t], homes[t + 1]). Returns the count (below 2: no cut).
 */
export function evenChunks(units: number, threads: number, perThread: number, out: Int32Array, homes: Int32Array): number {
  const n = Math.min(units, threads * perThread, out.length);
  for (let c = 0; c < n; c++) out[c] = Math.floor(((c + 1) * units) / n) - Math.floor((c * units) / n);
  for (let t = 0; t <= threads; t++) homes[t] = Math.floor((t * n) / threads);
  return n;
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
