// sumSquares, maxAbs, clipByValue: wasm against js on awkward sizes, NaN/Inf propagation with the
// bad value in the SIMD body and in the scalar tail, and exact values.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectParity, runKernel } from '../helpers/kernel-run.js';

const SIZES = [0, ...AWKWARD_SIZES, 1000];

describe('norm parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  // Both accumulate exact float64 squares of float32 values in float64, in different orders
  // (wasm: four lanes): they agree to a few float64 ulps.
  it.each(SIZES)('sumSquares n=%i', (n) => {
    expectParity(wasm, jsBackend, { X: randomArray(n, n, -3, 3) }, (be, p) => be.sumSquares(p.X, n), { atol: 0, rtol: 1e-14 });
  });

  it.each(SIZES)('maxAbs n=%i', (n) => {
    expectParity(wasm, jsBackend, { X: randomArray(n, n + 1, -3, 3) }, (be, p) => be.maxAbs(p.X, n), { atol: 0, rtol: 0 });
  });

  it.each(SIZES)('clipByValue n=%i (3 guard elements past n stay unclipped)', (n) => {
    expectParity(wasm, jsBackend, { X: randomArray(n + 3, n + 2, -3, 3) }, (be, p) => be.clipByValue(p.X, n, 0.75), { atol: 0, rtol: 0 });
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('norm values on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });

  const sumSquares = (x: number[]) => runKernel(be, { X: x }, (be, p) => be.sumSquares(p.X, x.length)).value;
  const maxAbs = (x: number[]) => runKernel(be, { X: x }, (be, p) => be.maxAbs(p.X, x.length)).value;

  it('sumSquares and maxAbs of known vectors; 0 for n = 0', () => {
    expect(sumSquares([3, -4, 12, 0, 0.5])).toBe(169.25);
    expect(sumSquares([])).toBe(0);
    expect(maxAbs([0.5, -7, 3, 6.5, -2])).toBe(7);
    expect(maxAbs([])).toBe(0);
  });

  it('sumSquares does not lose small terms (float64 accumulation)', () => {
    // 1 + 4096·(2⁻¹²)² = 1 + 2⁻¹²: a float32 accumulator would round every 2⁻²⁴ away.
    const x = [1, ...new Array(4096).fill(2 ** -12)];
    expect(sumSquares(x)).toBe(1 + 2 ** -12);
  });

  // n = 6: indices 0–3 are one f32x4, 4–5 the scalar tail.
  it.each([1, 5])('sumSquares propagates Inf and NaN at index %i', (at) => {
    const x = [1, 2, 3, 4, 5, 6];
    for (const [bad, expected] of [[Infinity, Infinity], [-Infinity, Infinity], [NaN, NaN]]) {
      const y = [...x];
      y[at] = bad;
      expect(sumSquares(y), `X[${at}] = ${bad}`).toBe(expected);
    }
  });

  it.each([0, 1, 5])('maxAbs is NaN when X[%i] is NaN, Inf when it is −Inf', (at) => {
    const x = [1, -2, 3, -4, 5, 6];
    const nan = [...x], inf = [...x];
    nan[at] = NaN;
    inf[at] = -Infinity;
    expect(maxAbs(nan)).toBeNaN();
    expect(maxAbs(inf)).toBe(Infinity);
  });

  it('clipByValue clamps to [−v, v], leaves NaN as NaN and stops at n', () => {
    const r = runKernel(be, { X: [-3, -0.5, 0.5, 3, Infinity, -Infinity, NaN, 100] }, (be, p) => be.clipByValue(p.X, 7, 1));
    expect(Array.from(r.out.X)).toEqual([-1, -0.5, 0.5, 1, 1, -1, NaN, 100]);
  });
});
