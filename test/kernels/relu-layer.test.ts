// reluForward/reluBackward (the ReLU and ThresholdedReLU layers): wasm against js on awkward
// sizes and several (maxValue, negativeSlope, threshold), bitwise forward; and the formula.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectParity, runKernel } from '../helpers/kernel-run.js';

const PARAMS: [number, number, number][] = [[Infinity, 0, 0], [6, 0, 0], [1.5, 0.2, 0.5], [Infinity, 0.3, 0], [2, 0, 1], [Infinity, 0, -0.7]];

/** The definition in float64 (the inputs are float32 already). */
const f = (x: number, max: number, slope: number, thr: number) => (x > thr ? Math.min(x, max) : slope * (x - thr));
const g = (x: number, max: number, slope: number, thr: number) => (x > thr ? (x < max ? 1 : 0) : slope);

describe('reluForward / reluBackward', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  const cases = AWKWARD_SIZES.flatMap((n) => PARAMS.map((p) => [n, ...p] as const));
  it.each(cases)('n=%i max=%f slope=%f threshold=%f', (n, max, slope, thr) => {
    const X = randomArray(n, n + 11, -3, 8);
    const { a } = expectParity(wasm, jsBackend, { Y: new Float32Array(n), X },
      (be, p) => be.reluForward(p.Y, p.X, n, max, slope, thr), { atol: 0, rtol: 0 });
    for (let i = 0; i < n; i++) expect(a.out.Y[i]).toBeCloseTo(f(X[i], max, slope, thr), 6);
    const dX = randomArray(n, n + 12), dY = randomArray(n, n + 13, -2, 2);
    const b = expectParity(wasm, jsBackend, { dX, dY, X },
      (be, p) => be.reluBackward(p.dX, p.dY, p.X, n, max, slope, thr), { atol: 0, rtol: 0 });
    for (let i = 0; i < n; i++) expect(b.a.out.dX[i]).toBeCloseTo(dX[i] + dY[i] * g(X[i], max, slope, thr), 6);
  });

  it('at the corners: x = threshold takes the slope line, x = maxValue gets gradient 0', () => {
    const X = Float32Array.from([0.5, 2, 2.5, -1, 0.75]);
    for (const be of [jsBackend, wasm]) {
      const { out } = runKernel(be, { Y: new Float32Array(5), X }, (b, p) => b.reluForward(p.Y, p.X, 5, 2, 0.5, 0.5));
      expect(Array.from(out.Y)).toEqual([0, 2, 2, -0.75, 0.75]);
      const back = runKernel(be, { dX: new Float32Array(5), dY: new Float32Array(5).fill(1), X }, (b, p) => b.reluBackward(p.dX, p.dY, p.X, 5, 2, 0.5, 0.5));
      expect(Array.from(back.out.dX)).toEqual([0.5, 0, 0, 0.5, 1]);
    }
  });
});
