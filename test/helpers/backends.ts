/**
 * Kernel-parity plumbing: one wasm and one js backend, and a helper that runs the same kernel
 * call on both over the same inputs and returns what each wrote.
 */
import type { Backend } from '../../bindings/backend/backend.js';
import { JsBackend } from '../../bindings/backend/js.js';
import { WasmBackend } from '../../bindings/backend/wasm.js';

let wasmPromise: Promise<WasmBackend> | undefined;
export function wasmBackend(): Promise<WasmBackend> {
  return (wasmPromise ??= WasmBackend.create());
}

export const jsBackend = new JsBackend();

/** Copy float arrays into fresh blocks of `be`; returns their pointers. Free with `freeAll`. */
export function upload(be: Backend, ...arrays: ArrayLike<number>[]): number[] {
  return arrays.map((a) => {
    const p = be.alloc(Math.max(a.length, 1) * 4);
    be.write(p, a);
    return p;
  });
}

export function freeAll(be: Backend, ptrs: number[]): void {
  for (const p of ptrs) be.free(p);
}

/** The float64 reference core: the oracle for finite-difference gradient checks. */
export const jsBackend64 = new JsBackend({ precision: 64 });

/** The backends a `describe.each` runs over: the wasm core, the float32 js core, the float64 js core. */
export type TestBackendName = 'wasm' | 'js' | 'js64';
export async function backendByName(name: TestBackendName): Promise<Backend> {
  return name === 'wasm' ? wasmBackend() : name === 'js' ? jsBackend : jsBackend64;
}

/** Sizes that exercise the SIMD tails: below one f32x4, one short of 4k, one past 4k, larger odd ones. */
export const AWKWARD_SIZES = [1, 3, 5, 17, 33, 127] as const;
