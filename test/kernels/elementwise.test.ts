// fill, copy, addInto, scale: wasm against js on awkward sizes, and exact values on every backend.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectParity, runKernel } from '../helpers/kernel-run.js';

// Each kernel rounds once per element in both cores. fill, copy and addInto agree exactly;
// scale agrees to one float32 rounding (js multiplies by the float64 `s`, wasm by its float32 copy).
const EXACT = { atol: 0, rtol: 0 };
const ONE_ROUNDING = { atol: 0, rtol: 1.2e-7 };
// n = 0 must be a no-op. Every buffer is GUARD elements longer than the n the kernel is given:
// parity on the whole buffer also checks that neither core writes past n.
const SIZES = [0, ...AWKWARD_SIZES];
const GUARD = 3;

describe('elementwise parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  it.each(SIZES)('fill n=%i', (n) => {
    expectParity(wasm, jsBackend, { X: randomArray(n + GUARD, 10 + n) }, (be, p) => be.fill(p.X, -2.5, n), EXACT);
  });

  it.each(SIZES)('copy n=%i', (n) => {
    expectParity(wasm, jsBackend, { Y: randomArray(n + GUARD, 20 + n), X: randomArray(n + GUARD, 30 + n) },
      (be, p) => be.copy(p.Y, p.X, n), EXACT);
  });

  it.each(SIZES)('addInto n=%i', (n) => {
    expectParity(wasm, jsBackend, { Y: randomArray(n + GUARD, 40 + n), X: randomArray(n + GUARD, 50 + n, -3, 3) },
      (be, p) => be.addInto(p.Y, p.X, n), EXACT);
  });

  it.each(SIZES)('scale n=%i', (n) => {
    expectParity(wasm, jsBackend, { X: randomArray(n + GUARD, 60 + n, -5, 5) }, (be, p) => be.scale(p.X, 0.3, n), ONE_ROUNDING);
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('elementwise values on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });

  it('fill writes the value n times and stops', () => {
    const r = runKernel(be, { X: [9, 9, 9, 9, 9, 9, 9] }, (be, p) => be.fill(p.X, -2.5, 5));
    expect(Array.from(r.out.X)).toEqual([-2.5, -2.5, -2.5, -2.5, -2.5, 9, 9]);
  });

  it('fill with NaN and 0', () => {
    const r = runKernel(be, { X: [1, 2, 3, 4, 5, 6] }, (be, p) => { be.fill(p.X, NaN, 5); be.fill(p.X, 0, 2); });
    expect(Array.from(r.out.X)).toEqual([0, 0, NaN, NaN, NaN, 6]);
  });

  it('copy copies n values', () => {
    const r = runKernel(be, { Y: [0, 0, 0, 0, 0, 0], X: [1, -2, 3, -4, 5, -6] }, (be, p) => be.copy(p.Y, p.X, 5));
    expect(Array.from(r.out.Y)).toEqual([1, -2, 3, -4, 5, 0]);
    expect(Array.from(r.out.X)).toEqual([1, -2, 3, -4, 5, -6]);
  });

  it('addInto adds X into Y and leaves X alone', () => {
    const r = runKernel(be, { Y: [1, 2, 3, 4, 5, 6], X: [0.5, -2, 10, 0.25, -5, 100] }, (be, p) => be.addInto(p.Y, p.X, 5));
    expect(Array.from(r.out.Y)).toEqual([1.5, 0, 13, 4.25, 0, 6]);
    expect(Array.from(r.out.X)).toEqual([0.5, -2, 10, 0.25, -5, 100]);
  });

  it('addInto propagates Inf and NaN', () => {
    const r = runKernel(be, { Y: [1, Infinity, NaN, 4, 5], X: [-Infinity, -Infinity, 1, NaN, 0] }, (be, p) => be.addInto(p.Y, p.X, 5));
    expect(Array.from(r.out.Y)).toEqual([-Infinity, NaN, NaN, NaN, 5]);
  });

  it('scale multiplies n values', () => {
    const r = runKernel(be, { X: [1, -2, 3, -4, 5, 6] }, (be, p) => be.scale(p.X, -0.5, 5));
    expect(Array.from(r.out.X)).toEqual([-0.5, 1, -1.5, 2, -2.5, 6]);
  });
});

describe('writeRows (the batch gather of loadBatch)', () => {
  it('copies the rows an order names, as float32 or int32, and nothing past them, on every backend', async () => {
    for (const be of [await wasmBackend(), jsBackend]) {
      for (const rowLen of [1, 3, 64, 100]) { // 64 and up: the wasm core's memcpy path for Float32Array
        const rows = 7, values = randomArray(rows * rowLen, rowLen), order = Int32Array.from([6, 2, 0, 5, 1, 3, 4]);
        const ptr = be.alloc(4 * (3 * rowLen + 1));
        be.write(ptr, new Float32Array(3 * rowLen + 1).fill(-9));
        be.writeRows(ptr, values, rowLen, order, 2, 3, false); // rows 0, 5, 1
        const want = [0, 5, 1].flatMap((i) => Array.from(values.subarray(i * rowLen, (i + 1) * rowLen)));
        expect(Array.from(be.read(ptr, 3 * rowLen + 1)), `${be.name} rowLen ${rowLen}`).toEqual([...want, -9]);
        be.writeRows(ptr, [10, 11, 12, 13], 1, null, 1, 2, true); // labels 11, 12 as int32, in order
        const ints = new Int32Array(new Float32Array(be.read(ptr, 2)).buffer);
        expect(Array.from(ints), `${be.name} int32`).toEqual([11, 12]);
        be.free(ptr);
      }
    }
  });
});
