// biasAdd and biasGrad: wasm against js over every pair of awkward sizes, and hand-worked values.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectParity, runKernel } from '../helpers/kernel-run.js';

const SHAPES = AWKWARD_SIZES.flatMap((rows) => AWKWARD_SIZES.map((cols) => [rows, cols] as const));
const F32_EPS = 2 ** -23;

describe('bias parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  // One float32 addition per element in both cores: bit-identical.
  it.each(SHAPES)('biasAdd rows=%i cols=%i', (rows, cols) => {
    expectParity(wasm, jsBackend, { Y: randomArray(rows * cols, rows * 100 + cols), b: randomArray(cols, cols, -2, 2) },
      (be, p) => be.biasAdd(p.Y, p.b, rows, cols), { atol: 0, rtol: 0 });
  });

  // wasm sums each column in float32, js in float64 then rounds once: the float32 sum drifts by
  // about one rounding of the running sum (|sum| ≲ √rows for these inputs) per row, far below
  // rows·ε when they are ±1 values; rows·ε is the stated bound.
  it.each(SHAPES)('biasGrad rows=%i cols=%i', (rows, cols) => {
    expectParity(wasm, jsBackend,
      { dB: randomArray(cols, 7 * cols), dY: randomArray(rows * cols, rows * 31 + cols) },
      (be, p) => be.biasGrad(p.dB, p.dY, rows, cols), { atol: rows * F32_EPS, rtol: 0 });
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('bias values on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });

  // Y (2, 5), b (5): five columns cover one f32x4 and a scalar tail.
  it('biasAdd broadcasts b over rows', () => {
    const r = runKernel(be, { Y: [1, 2, 3, 4, 5, 10, 20, 30, 40, 50], b: [0.5, -1, 0, 2, -0.25] },
      (be, p) => be.biasAdd(p.Y, p.b, 2, 5));
    expect(Array.from(r.out.Y)).toEqual([1.5, 1, 3, 6, 4.75, 10.5, 19, 30, 42, 49.75]);
    expect(Array.from(r.out.b)).toEqual([0.5, -1, 0, 2, -0.25]);
  });

  it('biasGrad accumulates column sums into dB', () => {
    const r = runKernel(be, { dB: [100, 200, 300, 400, 500], dY: [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, -1, -2, -3, -4, -5.5] },
      (be, p) => be.biasGrad(p.dB, p.dY, 3, 5));
    expect(Array.from(r.out.dB)).toEqual([110, 220, 330, 440, 549.5]);
  });

  it('biasGrad with one row adds that row', () => {
    const r = runKernel(be, { dB: [1, 1, 1], dY: [0.5, -0.5, 2] }, (be, p) => be.biasGrad(p.dB, p.dY, 1, 3));
    expect(Array.from(r.out.dB)).toEqual([1.5, 0.5, 3]);
  });
});
