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
