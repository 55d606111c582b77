/**
 * The current backend: `setBackend('wasm' | 'js')`, `getBackend()`, `await ready()`.
 * Models bind to the backend that is current when they are built.
 */
import type { Backend, BackendName } from './backend.js';
import { JsBackend } from './js.js';
import type { WasmBuild } from './features.js';
import { WasmBackend, wasmBuildFor, type WasmOptions } from './wasm.js';
import { autoThreads, createThreadedBackend, MAX_THREADS, type ThreadedWasmBackend } from './threads/index.js';

let current: Backend | undefined;
let currentName: BackendName = 'wasm';
/** One instance per build, each loaded once. */
const wasm: Partial<Record<WasmBuild, Promise<WasmBackend>>> = {};
let wasmInstance: WasmBackend | undefined;
/** The last `simd` passed to ready(): a later ready() without one keeps it. */
let requestedSimd: WasmOptions['simd'];
let js: JsBackend | undefined;
/** The last `threads` passed to ready() or setThreads() (default 1: the one-thread builds). */
let requestedThreads: number | 'auto' = 1;
/** The multi-threaded core, when threads > 1 was asked for: the threads build and its worker pool. */
let threaded: ThreadedWasmBackend | undefined;
/** The thread count `threaded` was created for (it may run fewer where memory cannot be shared). */
let threadedFor = 0;

/** Options of ready(): WasmOptions plus the thread count. */
export interface ReadyOptions extends WasmOptions {
  /**
   * Threads that run the wasm core's matrix products and Adam: 1 (default), an integer up to 16,
   * or 'auto' (one per core, at most 16). Above 1, the threads build of the chosen SIMD (on a shared memory) and a pool of workers; in a
   * browser page that is not crossOriginIsolated it warns and runs on one thread. A later
   * ready() without `threads` keeps the last one given.
   */
  threads?: number | 'auto';
}

/**
 * Load the wasm core (once per build). Resolves when the current backend can run kernels.
 * `simd` picks the build: 'auto' (default: relaxed SIMD where the engine has it, else SIMD128),
 * 'simd' or 'relaxed' (throws where unsupported); a later ready() without `simd` keeps the last
 * one given. Models built afterwards use that build; `wasmBuild()` says which one is running.
 */
export async function ready(opts: ReadyOptions = {}): Promise<void> {
  const simd = opts.simd ?? requestedSimd;
  const build = wasmBuildFor({ simd }); // throws before anything changes when simd is not usable
  const threads = opts.threads ?? requestedThreads;
  const n = threads === 'auto' ? Math.min(await autoThreads(), MAX_THREADS) : threads;
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new Error(`ready: threads must be 'auto' or an integer from 1 to ${MAX_THREADS}, got ${String(threads)}`);
  }
  requestedSimd = simd;
  requestedThreads = threads;
  if (currentName === 'wasm' && n > 1) {
    if (threadedFor !== n || threaded?.simd !== build) {
      // Models built on the old pool keep working, on the calling thread alone.
      await threaded?.terminate();
      threaded = await createThreadedBackend(n, { simd: build });
      threadedFor = n;
    }
    wasmInstance = threaded;
    current = threaded;
  } else if (currentName === 'wasm') {
    wasmInstance = await (wasm[build] ??= WasmBackend.create({ simd: build }));
    current = wasmInstance;
  } else {
    current = js ??= new JsBackend();
  }
}

/** ready({ threads }): the thread count for models built from now on (see ReadyOptions.threads). */
export function setThreads(threads: number | 'auto'): Promise<void> {
  return ready({ threads });
}

/** Threads the current backend's matrix products run on (1 for the js core and the one-thread builds). */
export function threadCount(): number {
  return current && 'threads' in current ? (current as ThreadedWasmBackend).threads : 1;
}

/** Choose the backend for models built from now on. 'wasm' needs `await ready()` before use. */
export function setBackend(name: BackendName | Backend): void {
  if (typeof name === 'object') { current = name; currentName = name.name; return; }
  if (name !== 'wasm' && name !== 'js') {
    throw new Error(`setBackend: unknown backend '${String(name)}'; expected one of 'wasm', 'js'`);
  }
  currentName = name;
  current = name === 'js' ? (js ??= new JsBackend()) : wasmInstance;
}

/** The build of the wasm core that `ready()` loaded last ('simd' or 'relaxed'), or undefined before. */
export function wasmBuild(): WasmBuild | undefined {
  return wasmInstance?.simd;
}

/** The name of the current backend. */
export function getBackend(): BackendName {
  return currentName;
}

/** The current backend's kernels and memory. Throws if the wasm core is not loaded yet. */
export function backend(): Backend {
  if (!current) throw new Error(`keelnet: the '${currentName}' backend is not ready; call 'await ready()' first`);
  return current;
}
