/**
 * The current backend: `setBackend('wasm' | 'js')`, `getBackend()`, `await ready()`.
 * Models bind to the backend that is current when they are built.
 */
import type { Backend, BackendName } from './backend.js';
import { JsBackend } from './js.js';
import type { WasmBuild } from './features.js';
import { WasmBackend, wasmBuildFor, type WasmOptions } from './wasm.js';

let current: Backend | undefined;
let currentName: BackendName = 'wasm';
/** One instance per build, each loaded once. */
const wasm: Partial<Record<WasmBuild, Promise<WasmBackend>>> = {};
let wasmInstance: WasmBackend | undefined;
/** The last `simd` passed to ready(): a later ready() without one keeps it. */
let requestedSimd: WasmOptions['simd'];
let js: JsBackend | undefined;

/**
 * Load the wasm core (once per build). Resolves when the current backend can run kernels.
 * `simd` picks the build: 'auto' (default: relaxed SIMD where the engine has it, else SIMD128),
 * 'simd' or 'relaxed' (throws where unsupported); a later ready() without `simd` keeps the last
 * one given. Models built afterwards use that build; `wasmBuild()` says which one is running.
 */
export async function ready(opts: WasmOptions = {}): Promise<void> {
  const simd = opts.simd ?? requestedSimd;
  const build = wasmBuildFor({ simd }); // throws before anything changes when simd is not usable
  requestedSimd = simd;
  if (currentName === 'wasm') {
    wasmInstance = await (wasm[build] ??= WasmBackend.create({ simd: build }));
    current = wasmInstance;
  } else {
    current = js ??= new JsBackend();
  }
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
