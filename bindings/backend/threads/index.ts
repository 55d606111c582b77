/**
 * The multi-threaded wasm backend: a threads build (build/keelnet-threads.wasm: SIMD128 +
 * threads, or build/keelnet-threads-relaxed.wasm: relaxed SIMD too; on an imported shared
 * memory) run by the calling thread and a ThreadPool of workers.
 * gemm and gemmBias (by chunks of C), the element-wise kernels of sliced.ts (by blocks) and its
 * reductions (by slices) are split across the pool (pool.ts); every other kernel runs on the
 * calling thread. Threads need
 * SharedArrayBuffer: always in Node; in browsers only when the page is crossOriginIsolated —
 * elsewhere this falls back to one thread and says so.
 */
import type { WasmBuild } from '../features.js';
import type { Beside } from './pool-kernels.js';
import type { Backend } from '../backend.js';
import { WasmBackend, wasmBuildFor, type WasmOptions } from '../wasm.js';
import { ThreadPool, type SlicedKernel } from './pool.js';
import { SLICED_NAMES, type SlicedName } from './sliced.js';

/** Pages the threads build starts with (asconfig.json, target threads: initialMemory). */
const INITIAL_PAGES = 32;
/** Its fixed maximum (maximumMemory): 1 GiB. A shared memory is reserved up front at this size. */
const MAXIMUM_PAGES = 16384;

/** Packing-scratch slots of the threads build (SLOTS in assembly/kernels/gemm.ts): at most this many threads. */
export const MAX_THREADS = 16;

/** A WasmBackend whose gemms and element-wise kernels run on `threads` threads; `terminate()` stops its workers. */
export interface ThreadedWasmBackend extends WasmBackend, Partial<Beside> {
  readonly threads: number;
  terminate(): Promise<void>;
}

/** The pool's `beside` where the backend has a pool of workers (fit loads the next batch beside the optimizer step). */
export function besideOf(be: Backend): Beside['beside'] | undefined {
  const beside = (be as Partial<Beside>).beside;
  return beside ? beside.bind(be) : undefined;
}

/** All cores: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers. */
export async function autoThreads(): Promise<number> {
  if (typeof process === 'object' && process.versions?.node) {
    const os = await import(/* @vite-ignore */ 'node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return typeof navigator === 'object' ? navigator.hardwareConcurrency || 1 : 1;
}

/** Whether this engine can share memory with workers (false in a browser page that is not crossOriginIsolated). */
export function threadsSupported(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  return typeof window !== 'object' || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

async function threadsModule(build: WasmBuild): Promise<WebAssembly.Module> {
  // Two literal URLs (not one template) so that bundlers see and ship both files.
  const url = build === 'relaxed'
    ? new URL('../../../build/keelnet-threads-relaxed.wasm', import.meta.url)
    : new URL('../../../build/keelnet-threads.wasm', import.meta.url);
  if (url.protocol === 'file:') {
    const fs = await import(/* @vite-ignore */ 'node:fs/promises');
    const { fileURLToPath } = await import(/* @vite-ignore */ 'node:url');
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(fileURLToPath(url));
    } catch (e) {
      throw new Error(`keelnet: cannot read the threads core at ${fileURLToPath(url)} (run 'npm run build'): ${(e as Error).message}`);
    }
    return WebAssembly.compile(bytes as BufferSource);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`keelnet: cannot fetch the threads core at ${url.href}: HTTP ${res.status}`);
  return WebAssembly.compile(await res.arrayBuffer());
}

/**
 * Load a threads build and start `threads − 1` workers ('auto': one thread per core). `simd`
 * picks the build as for WasmBackend.create (default 'auto': relaxed SIMD where the engine has
 * it). Where memory cannot be shared, warns and returns the one-thread backend of that build.
 */
export async function createThreadedBackend(threads: number | 'auto', opts: WasmOptions = {}): Promise<ThreadedWasmBackend> {
  const build = wasmBuildFor(opts);
  const n = threads === 'auto' ? Math.min(await autoThreads(), MAX_THREADS) : threads;
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new Error(`keelnet: threads must be 'auto' or an integer from 1 to ${MAX_THREADS}, got ${String(threads)}`);
  }
  if (!threadsSupported()) {
    if (n > 1) {
      console.warn('keelnet: threads need SharedArrayBuffer, which this page lacks (it is not crossOriginIsolated: '
        + 'serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp); running on one thread');
    }
    return Object.assign(await WasmBackend.create({ simd: build }), { threads: 1, terminate: async () => {} });
  }
  const module = await threadsModule(build);
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const be = await WasmBackend.createOnMemory(module, memory, build, n);
  const core = be as unknown as { gemmTileRows(): number; wholeACapacity(): number; gemmHalvesScratch(): number;
    gemmHalfDepth(M: number, N: number, K: number, transA: number, transB: number): number };
  // The calling thread's own kernels, taken before the pool's replace them on `be`.
  const pool = await ThreadPool.create(n, module, memory, {
    gemmStrided: be.gemmStrided.bind(be), gemm: be.gemm.bind(be), gemmBias: be.gemmBias.bind(be),
    gemmHalfDepth: core.gemmHalfDepth.bind(be), tileRows: core.gemmTileRows(), wholeA: core.wholeACapacity(),
    halves: core.gemmHalvesScratch(),
  });
  const kernels = be as unknown as Record<SlicedName, SlicedKernel>;
  for (const name of SLICED_NAMES) kernels[name] = pool.sliced(name, kernels[name].bind(be));
  return Object.assign(be, {
    threads: pool.threads,
    gemm: pool.gemm.bind(pool),
    gemmBias: pool.gemmBias.bind(pool),
    beside: pool.beside.bind(pool),
    terminate: () => pool.terminate(),
  });
}
