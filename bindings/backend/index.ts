/**
 * The current backend: `setBackend('wasm' | 'js')`, `getBackend()`, `await ready()`.
 * Models bind to the backend that is current when they are built.
 */
import type { Backend, BackendName } from './backend.js';
import { JsBackend } from './js.js';
import { WasmBackend } from './wasm.js';

let current: Backend | undefined;
let currentName: BackendName = 'wasm';
let wasm: Promise<WasmBackend> | undefined;
let wasmInstance: WasmBackend | undefined;
let js: JsBackend | undefined;

/** Load the wasm core (once). Resolves when the current backend can run kernels. */
export async function ready(): Promise<void> {
  if (currentName === 'wasm') {
    wasm ??= WasmBackend.create();
    wasmInstance = await wasm;
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

/** The name of the current backend. */
export function getBackend(): BackendName {
  return currentName;
}

/** The current backend's kernels and memory. Throws if the wasm core is not loaded yet. */
export function backend(): Backend {
  if (!current) throw new Error(`keelnet: the '${currentName}' backend is not ready; call 'await ready()' first`);
  return current;
}
