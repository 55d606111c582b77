// maxPoolForward/Backward and avgPoolForward/Backward: wasm against js on awkward channel counts
// (f32x4 bodies and scalar tails) and every kind of window, the argmax indices themselves,
// values against naive pooling written here, ties (the first maximum wins) and TensorFlow's
// 'same' average, which divides by the taps inside the image.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectCloseNamed, expectParity, runKernel } from '../helpers/kernel-run.js';

const F32_EPS = 2 ** -23;

/** [batch, H, W, PH, PW, SH, SW, padTop, padLeft, OH, OW] */
type Window = [number, number, number, number, number, number, number, number, number, number, number];
const WINDOWS: Window[] = [
  [2, 6, 6, 2, 2, 2, 2, 0, 0, 3, 3], // 2×2 stride 2, valid
  [1, 5, 7, 3, 3, 2, 2, 1, 1, 3, 4], // 3×3 stride 2, 'same' (padding on both sides)
  [2, 5, 4, 2, 3, 1, 1, 0, 1, 5, 4], // 2×3 stride 1, 'same' (padding after rows, around columns)
  [1, 7, 5, 3, 2, 3, 1, 0, 0, 2, 4], // overlapping windows, strides 3 × 1, valid
  [3, 4, 3, 4, 3, 1, 1, 0, 0, 1, 1], // global
];

function naivePool(x: ArrayLike<number>, C: number, [batch, H, W, PH, PW, SH, SW, pt, pl, OH, OW]: Window, max: boolean) {
  const y = new Float64Array(batch * OH * OW * C), arg = new Int32Array(y.length);
  for (let b = 0; b < batch; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let c = 0; c < C; c++) {
    let best = -Infinity, at = -1, sum = 0, count = 0;
    for (let ky = 0; ky < PH; ky++) for (let kx = 0; kx < PW; kx++) {
      const iy = oy * SH - pt + ky, ix = ox * SW - pl + kx;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      const i = ((b * H + iy) * W + ix) * C + c;
      if (x[i] > best) { best = x[i]; at = i - b * H * W * C; } // counted within the image
      sum += x[i]; count++;
    }
    const o = ((b * OH + oy) * OW + ox) * C + c;
    y[o] = max ? best : sum / count;
    arg[o] = at;
  }
  return { y, arg };
}

/** Run maxPoolForward and read the int32 argmax back. */
function maxPool(be: Backend, x: ArrayLike<number>, C: number, w: Window) {
  const [batch, H, W, PH, PW, SH, SW, pt, pl, OH, OW] = w;
  const n = batch * OH * OW * C;
  const X = be.alloc(x.length * 4), Y = be.alloc(n * 4), Arg = be.alloc(n * 4);
  be.write(X, x);
  be.maxPoolForward(Y, Arg, X, batch, H, W, C, OH, OW, PH, PW, SH, SW, pt, pl);
  const y = be.read(Y, n);
  // The argmax are int32: reinterpret the bits of the float copy (indices are exact denormals).
  const arg = be.name === 'wasm' ? new Int32Array(be.read(Arg, n).buffer) : Int32Array.from({ length: n }, (_, i) => (be as unknown as { heap: { i: Int32Array } }).heap.i[(Arg >> 2) + i]);
  for (const p of [X, Y, Arg]) be.free(p);
  return { y, arg };
}

const CASES = WINDOWS.flatMap((w, k) => AWKWARD_SIZES.map((C) => [k, C] as const));

describe('pooling parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  // Comparisons and copies only: bit for bit, and the same argmax.
  it.each(CASES)('maxPoolForward window %i, C=%i', (k, C) => {
    const [batch, H, W] = WINDOWS[k];
    const x = randomArray(batch * H * W * C, 5 * C + k);
    const a = maxPool(wasm, x, C, WINDOWS[k]), b = maxPool(jsBackend, x, C, WINDOWS[k]);
    expectCloseNamed('Y', a.y, b.y, { atol: 0, rtol: 0 });
    expect(Array.from(a.arg)).toEqual(Array.from(b.arg));
    const ref = naivePool(x, C, WINDOWS[k], true);
    expectCloseNamed('Y vs naive', a.y, ref.y, { atol: 0, rtol: 0 });
    expect(Array.from(a.arg)).toEqual(Array.from(ref.arg));
  });

  it('maxPoolBackward: each image scatters into its own part of dX', () => {
    for (const be of [wasm, jsBackend]) {
      const { out } = runKernel(be, { dX: new Float32Array(6), dY: Float32Array.of(1, 2, 3, 4), Arg: Int32Array.of(0, 2, 1, 1) },
        (b, p) => b.maxPoolBackward(p.dX, p.dY, p.Arg, 2, 3, 2));
      expect(Array.from(out.dX), be.name).toEqual([1, 0, 2, 0, 7, 0]);
    }
  });

  it.each(AWKWARD_SIZES)('maxPoolBackward, 3 images of %i outputs (scatter into each image, duplicates accumulate)', (n) => {
    const batch = 3, nx = 7;
    const arg = Int32Array.from({ length: batch * n }, (_, i) => (i * 5) % nx);
    expectParity(wasm, jsBackend, { dX: randomArray(batch * nx, n), dY: randomArray(batch * n, n + 1), Arg: arg },
      (be, p) => be.maxPoolBackward(p.dX, p.dY, p.Arg, batch, nx, n), { atol: 0, rtol: 0 });
  });

  // Sums in the same order, one rounding per add; then an exactly rounded division on both cores.
  it.each(CASES)('avgPoolForward window %i, C=%i', (k, C) => {
    const [batch, H, W, PH, PW, SH, SW, pt, pl, OH, OW] = WINDOWS[k];
    const { a } = expectParity(wasm, jsBackend,
      { Y: new Float32Array(batch * OH * OW * C).fill(NaN), X: randomArray(batch * H * W * C, 9 * C + k) },
      (be, p) => be.avgPoolForward(p.Y, p.X, batch, H, W, C, OH, OW, PH, PW, SH, SW, pt, pl), { atol: 0, rtol: 0 });
    expectCloseNamed('Y vs naive', a.out.Y, naivePool(a.out.X, C, WINDOWS[k], false).y, { atol: 1e-6, rtol: 1e-6 });
  });

  // wasm rounds dy/count to float32 before adding, js adds the exact quotient: ≤ 1 ulp of |dy| ≤ 1 per add.
  it.each(CASES)('avgPoolBackward window %i, C=%i', (k, C) => {
    const [batch, H, W, PH, PW, SH, SW, pt, pl, OH, OW] = WINDOWS[k];
    expectParity(wasm, jsBackend,
      { dX: randomArray(batch * H * W * C, 4 * C + k), dY: randomArray(batch * OH * OW * C, 6 * C + k) },
      (be, p) => be.avgPoolBackward(p.dX, p.dY, batch, H, W, C, OH, OW, PH, PW, SH, SW, pt, pl),
      { atol: 4 * PH * PW * F32_EPS, rtol: 0 });
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('pooling values on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });

  // One 3×3 channel: 1 2 3 / 4 5 6 / 7 8 9.
  const X = [1, 2, 3, 4, 5, 6, 7, 8, 9];

  it("2×2 'same' stride 2 average divides by the taps inside the image", () => {
    // OH = OW = 2, total padding 1 → 0 before, 1 after: windows {1,2,4,5}, {3,6}, {7,8}, {9}.
    const { out } = runKernel(be, { Y: new Float32Array(4), X }, (b, p) => b.avgPoolForward(p.Y, p.X, 1, 3, 3, 1, 2, 2, 2, 2, 2, 2, 0, 0));
    expect(Array.from(out.Y)).toEqual([3, 4.5, 7.5, 9]);
    const back = runKernel(be, { dX: new Float32Array(9), dY: [4, 2, 2, 1] }, (b, p) => b.avgPoolBackward(p.dX, p.dY, 1, 3, 3, 1, 2, 2, 2, 2, 2, 2, 0, 0));
    expect(Array.from(back.out.dX)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('max pooling: the first of tied maxima gets the gradient', () => {
    const x = [2, 2, 1, 2], w: Window = [1, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1];
    const { y, arg } = maxPool(be, x, 1, w);
    expect(Array.from(y)).toEqual([2]);
    expect(Array.from(arg)).toEqual([0]);
  });
});
