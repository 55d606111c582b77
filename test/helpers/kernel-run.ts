/**
 * Run one kernel call on a backend over freshly uploaded buffers, then read every float buffer
 * back. The same `buffers` and `call` run on every backend, so a parity test is two `runKernel`s
 * and an `expectClose` per buffer.
 */
import { expect } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { JsBackend } from '../../bindings/backend/js.js';
import { expectClose } from './close.js';

/** Named input buffers. An Int32Array is written with `writeInt32` (labels) and not read back. */
export type Buffers = Record<string, ArrayLike<number>>;

export interface KernelRun {
  /** The kernel's return value (NaN for kernels that return nothing). */
  value: number;
  /** Every float buffer after the call, by name, as float64 (exact for a float32 core). */
  out: Record<string, Float64Array>;
}

/** A kernel call: `be` is the backend it runs on, `p` the pointers of the uploaded buffers by name. */
export type KernelCall = (be: Backend, p: Record<string, number>) => number | void;

export function runKernel(be: Backend, buffers: Buffers, call: KernelCall): KernelRun {
  const ptr: Record<string, number> = {};
  for (const [name, values] of Object.entries(buffers)) {
    ptr[name] = be.alloc(Math.max(values.length, 1) * 4);
    if (values instanceof Int32Array) be.writeInt32(ptr[name], values);
    else be.write(ptr[name], values);
  }
  const value = call(be, ptr);
  const out: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(buffers)) {
    if (values instanceof Int32Array) continue;
    out[name] = be instanceof JsBackend ? be.read64(ptr[name], values.length) : Float64Array.from(be.read(ptr[name], values.length));
  }
  for (const p of Object.values(ptr)) be.free(p);
  return { value: typeof value === 'number' ? value : NaN, out };
}

/**
 * |actual − expected| ≤ atol + rtol·|expected| elementwise, where `normwise` adds
 * normwise·max|expected| to atol: the right scale for a gradient whose elements are differences
 * of larger terms (cross-entropy's −t/p + Σt/S).
 */
export interface Tolerance { atol?: number; rtol?: number; normwise?: number }

/**
 * Run `call` on both backends and compare every float buffer and the return value.
 * `tol` applies to all of them unless `perBuffer` names a buffer (or 'value').
 */
export function expectParity(a: Backend, b: Backend, buffers: Buffers, call: KernelCall,
  tol: Tolerance, perBuffer: Record<string, Tolerance> = {}): { a: KernelRun; b: KernelRun } {
  const ra = runKernel(a, buffers, call);
  const rb = runKernel(b, buffers, call);
  for (const name of Object.keys(ra.out)) expectCloseNamed(name, ra.out[name], rb.out[name], perBuffer[name] ?? tol);
  expectCloseNamed('value', [ra.value], [rb.value], perBuffer.value ?? tol);
  return { a: ra, b: rb };
}

/** `expectClose` whose failure message starts with the buffer's name. */
export function expectCloseNamed(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): void {
  let { atol = 1e-5, rtol = 1e-4 } = tol;
  if (tol.normwise) {
    let big = 0;
    for (let i = 0; i < expected.length; i++) if (Number.isFinite(expected[i]) && Math.abs(expected[i]) > big) big = Math.abs(expected[i]);
    atol += tol.normwise * big;
  }
  try {
    expectClose(actual, expected, { atol, rtol });
  } catch (e) {
    if (e instanceof Error) e.message = `${name}: ${e.message}`;
    throw e;
  }
}

/** Assert every element is a finite number. */
export function expectFinite(name: string, xs: ArrayLike<number>): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i])) expect.fail(`${name}[${i}] = ${xs[i]} is not finite`);
  }
}
