// depthwiseForward, depthwiseKernelGrad, depthwiseInputGrad: wasm against js on awkward channel
// counts (the f32x4 path at M = 1 and its tail) and depth multipliers 1–3, and against float64
// loops written here from the definitions.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectParity } from '../helpers/kernel-run.js';
import { expectClose } from '../helpers/close.js';

const rows = 5, taps = 3;
const TOL = { atol: 1e-5, rtol: 1e-5 };

describe('depthwise kernels, wasm vs js vs the definition', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  const cases = AWKWARD_SIZES.flatMap((C) => [1, 2, 3].map((M) => [C, M] as const));
  it.each(cases)('C=%i M=%i', (C, M) => {
    const CM = C * M;
    const col = randomArray(rows * taps * C, C + 1, -2, 2), K = randomArray(taps * CM, C + 2), dY = randomArray(rows * CM, C + 3);
    const Y = randomArray(rows * CM, C + 4), dK = randomArray(taps * CM, C + 5), dcol = randomArray(rows * taps * C, C + 6);
    const y = new Float64Array(rows * CM), dk = Float64Array.from(dK), dc = new Float64Array(rows * taps * C);
    for (let r = 0; r < rows; r++) for (let t = 0; t < taps; t++) for (let c = 0; c < C; c++) for (let m = 0; m < M; m++) {
      y[r * CM + c * M + m] += col[r * taps * C + t * C + c] * K[t * CM + c * M + m];
      dk[t * CM + c * M + m] += col[r * taps * C + t * C + c] * dY[r * CM + c * M + m];
      dc[r * taps * C + t * C + c] += dY[r * CM + c * M + m] * K[t * CM + c * M + m];
    }
    const f = expectParity(wasm, jsBackend, { Y, col, K }, (be, p) => be.depthwiseForward(p.Y, p.col, p.K, rows, taps, C, M), TOL);
    expectClose(f.a.out.Y, y, TOL);
    const g = expectParity(wasm, jsBackend, { dK, col, dY }, (be, p) => be.depthwiseKernelGrad(p.dK, p.col, p.dY, rows, taps, C, M), TOL);
    expectClose(g.a.out.dK, dk, TOL);
    const i = expectParity(wasm, jsBackend, { dcol, dY, K }, (be, p) => be.depthwiseInputGrad(p.dcol, p.dY, p.K, rows, taps, C, M), TOL);
    expectClose(i.a.out.dcol, dc, TOL);
    expect(f.a.out.Y[0]).not.toBe(Y[0]);
  });
});
