// Inverted dropout, reference twin of assembly/kernels/dropout.ts: the same counter-based hash in
// 32-bit integer arithmetic (Math.imul, >>>), so both cores draw bit-identical masks.
import type { Heap } from './heap.js';

const GOLDEN = 0x9e3779b9;
const M1 = 0x7feb352d;
const M2 = 0x846ca68b;

/** lowbias32(seed + i·GOLDEN) as a uint32, exactly as the wasm core computes it. */
function dropoutHash(seed: number, i: number): number {
  let x = (seed + Math.imul(i, GOLDEN)) | 0;
  x ^= x >>> 16;
  x = Math.imul(x, M1);
  x ^= x >>> 15;
  x = Math.imul(x, M2);
  x ^= x >>> 16;
  return x >>> 0;
}

export function dropoutForward(h: Heap, Y: number, Mask: number, X: number, n: number, seed: number, threshold: number, scale: number): void {
  const f = h.f, y = Y >> 2, m = Mask >> 2, x = X >> 2;
  // The wasm core takes both as u32 (ToInt32 of the argument, read unsigned): do the same.
  const s = seed >>> 0, t = threshold >>> 0;
  // scale reaches the wasm core as an f32: round it the same way, so that Y = X·Mask matches bit for bit.
  const k = h.f instanceof Float32Array ? Math.fround(scale) : scale;
  for (let i = 0; i < n; i++) {
    const keep = dropoutHash(s, i) >= t ? k : 0;
    f[m + i] = keep;
    f[y + i] = f[x + i] * keep;
  }
}

export function dropoutBackward(h: Heap, dX: number, dY: number, Mask: number, n: number): void {
  const f = h.f, dx = dX >> 2, dy = dY >> 2, m = Mask >> 2;
  for (let i = 0; i < n; i++) f[dx + i] += f[dy + i] * f[m + i];
}

export function dropoutMask(h: Heap, Mask: number, n: number, seed: number, threshold: number, scale: number): void {
  const f = h.f, m = Mask >> 2, s = seed >>> 0, t = threshold >>> 0;
  const k = f instanceof Float32Array ? Math.fround(scale) : scale;
  for (let i = 0; i < n; i++) f[m + i] = dropoutHash(s, i) >= t ? k : 0;
}

export function channelScale(h: Heap, Y: number, X: number, Mask: number, batch: number, positions: number, C: number, accumulate: number): void {
  const f = h.f, y = Y >> 2, x = X >> 2, m = Mask >> 2;
  for (let b = 0; b < batch; b++) for (let p = 0; p < positions; p++) {
    const row = (b * positions + p) * C;
    for (let c = 0; c < C; c++) {
      const prod = f[x + row + c] * f[m + b * C + c];
      // On the float32 core the product is rounded before the sum, as in wasm.
      f[y + row + c] = accumulate ? f[y + row + c] + (f instanceof Float32Array ? Math.fround(prod) : prod) : prod;
    }
  }
}

const LN2 = 0.6931471805599453;
const SQRT2 = 1.4142135623730951;
const HALF_PI = 1.5707963267948966;

/** ln(h + 0.5) with the wasm core's operations, in its order (see assembly/kernels/dropout.ts). */
function lnHalfUp(hash: number): number {
  const v = hash + 0.5;
  if (hash === 0) return -LN2;
  let e = 31 - Math.clz32(hash);
  let m = v / 2 ** e;
  if (m > SQRT2) { m = m / 2; e += 1; }
  const s = (m - 1) / (m + 1), s2 = s * s;
  let p = 1.0 / 17;
  for (let k = 7; k >= 0; k--) p = p * s2 + 1.0 / (2 * k + 1);
  return 2 * s * p + e * LN2;
}

/** The wasm core's Box–Muller draw for element i (float64 throughout, the same operations). */
function gaussianAt(seed: number, i: number): number {
  const h1 = dropoutHash(seed, (i << 1) >>> 0), h2 = dropoutHash(seed, ((i << 1) | 1) >>> 0);
  const r = Math.sqrt(-2 * (lnHalfUp(h1) - 32 * LN2));
  const t = HALF_PI * (((h2 & 0x3fffffff) + 0.5) / 1073741824.0), t2 = t * t;
  let c = 1, s = 1;
  for (let k = 10; k >= 1; k--) {
    c = 1 - t2 * c / ((2 * k - 1) * (2 * k));
    s = 1 - t2 * s / ((2 * k) * (2 * k + 1));
  }
  s *= t;
  const q = h2 >>> 30;
  return r * (q === 0 ? c : q === 1 ? -s : q === 2 ? -c : s);
}

export function gaussianFill(h: Heap, Y: number, n: number, seed: number, mean: number, stddev: number): void {
  const f = h.f, y = Y >> 2, s = seed >>> 0;
  for (let i = 0; i < n; i++) f[y + i] = mean + stddev * gaussianAt(s, i);
}
