// im2col and col2im: wasm against js on awkward channel counts and every kind of window
// (strides, dilation, asymmetric 'same' padding, the contiguous fast path, a 1×1 kernel), values
// against a naive gather written here, and col2im as the adjoint of im2col (⟨im2col x, c⟩ = ⟨x, col2im c⟩).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectCloseNamed, expectParity, runKernel } from '../helpers/kernel-run.js';

/** [batch, H, W, KH, KW, SH, SW, DH, DW, padTop, padLeft, OH, OW] */
type Window = [number, number, number, number, number, number, number, number, number, number, number, number, number];
const WINDOWS: Window[] = [
  [2, 5, 7, 3, 3, 1, 1, 1, 1, 0, 0, 3, 5], // valid, stride 1: every row of taps inside (fast path)
  [1, 5, 6, 3, 3, 2, 2, 1, 1, 1, 0, 3, 3], // 'same' stride 2: total padding 2 rows (1 + 1), 1 column (0 + 1)
  [2, 6, 5, 2, 3, 1, 1, 2, 2, 1, 2, 6, 5], // 'same' with dilation 2: span 3×5
  [1, 7, 7, 3, 2, 3, 2, 1, 1, 0, 0, 2, 3], // valid, strides 3 × 2, rectangular kernel
  [3, 3, 4, 1, 1, 1, 1, 1, 1, 0, 0, 3, 4], // 1×1
  [1, 3, 3, 1, 1, 1, 1, 1, 1, 2, 1, 6, 5], // zero padding (2, 1) before, (1, 1) after
];

function naiveIm2col(x: ArrayLike<number>, C: number, [batch, H, W, KH, KW, SH, SW, DH, DW, pt, pl, OH, OW]: Window): Float64Array {
  const out = new Float64Array(batch * OH * OW * KH * KW * C);
  let i = 0;
  for (let b = 0; b < batch; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++)
    for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) for (let c = 0; c < C; c++) {
      const iy = oy * SH - pt + ky * DH, ix = ox * SW - pl + kx * DW;
      out[i++] = iy >= 0 && iy < H && ix >= 0 && ix < W ? x[((b * H + iy) * W + ix) * C + c] : 0;
    }
  return out;
}

const CASES = WINDOWS.flatMap((w, k) => AWKWARD_SIZES.map((C) => [k, C] as const));

describe('im2col / col2im parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  // Pure copies: bit for bit.
  it.each(CASES)('im2col window %i, C=%i', (k, C) => {
    const [batch, H, W, KH, KW, SH, SW, DH, DW, pt, pl, OH, OW] = WINDOWS[k];
    const n = batch * OH * OW * KH * KW * C;
    const { a } = expectParity(wasm, jsBackend,
      { col: new Float32Array(n).fill(NaN), X: randomArray(batch * H * W * C, 7 * C + k) },
      (be, p) => be.im2col(p.col, p.X, batch, H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, pt, pl), { atol: 0, rtol: 0 });
    expectCloseNamed('col vs naive', a.out.col, naiveIm2col(a.out.X, C, WINDOWS[k]), { atol: 0, rtol: 0 });
  });

  // Each dX element gets its taps in the same order on both cores, one float32 rounding per add: bit for bit.
  it.each(CASES)('col2im window %i, C=%i', (k, C) => {
    const [batch, H, W, KH, KW, SH, SW, DH, DW, pt, pl, OH, OW] = WINDOWS[k];
    const n = batch * OH * OW * KH * KW * C;
    expectParity(wasm, jsBackend,
      { dX: randomArray(batch * H * W * C, 3 * C + k), dcol: randomArray(n, 11 * C + k) },
      (be, p) => be.col2im(p.dX, p.dcol, batch, H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, pt, pl), { atol: 0, rtol: 0 });
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('im2col / col2im values on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });

  it('gathers a hand-worked 3×3 image, 2×2 kernel, stride 1, padding 1 before', () => {
    // X = 1..9 (one channel). Output 3×3 (OH = OW = 3): window (0, 0) covers rows −1..0, cols −1..0.
    const X = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const { out } = runKernel(be, { col: new Float32Array(36), X }, (b, p) => b.im2col(p.col, p.X, 1, 3, 3, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1));
    expect(Array.from(out.col.slice(0, 8))).toEqual([0, 0, 0, 1, 0, 0, 1, 2]);
    expect(Array.from(out.col.slice(16, 20))).toEqual([1, 2, 4, 5]);
  });

  it('col2im is the adjoint of im2col on every window', () => {
    for (const w of WINDOWS) {
      const [batch, H, W, KH, KW, SH, SW, DH, DW, pt, pl, OH, OW] = w, C = 3;
      const nx = batch * H * W * C, nc = batch * OH * OW * KH * KW * C;
      const x = randomArray(nx, 1), c = randomArray(nc, 2);
      const fwd = runKernel(be, { col: new Float32Array(nc), X: x }, (b, p) => b.im2col(p.col, p.X, batch, H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, pt, pl));
      const adj = runKernel(be, { dX: new Float32Array(nx), dcol: c }, (b, p) => b.col2im(p.dX, p.dcol, batch, H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, pt, pl));
      let lhs = 0, rhs = 0;
      for (let i = 0; i < nc; i++) lhs += fwd.out.col[i] * c[i];
      for (let i = 0; i < nx; i++) rhs += x[i] * adj.out.dX[i];
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
    }
  });

  it('col2im accumulates into dX', () => {
    const { out } = runKernel(be, { dX: [10, 20, 30, 40], dcol: [1, 2, 3, 4] }, (b, p) => b.col2im(p.dX, p.dcol, 1, 2, 2, 1, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0));
    expect(Array.from(out.dX)).toEqual([11, 22, 33, 44]);
  });
});
