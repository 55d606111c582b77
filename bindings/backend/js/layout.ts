// Layout kernels, reference twin of assembly/kernels/layout.ts.
import type { Heap } from './heap.js';

export function copyStrided(h: Heap, Y: number, X: number, d0: number, d1: number, d2: number, d3: number,
  ys0: number, ys1: number, ys2: number, ys3: number, xs0: number, xs1: number, xs2: number, xs3: number, accumulate: number): void {
  const f = h.f, y = Y >> 2, x = X >> 2;
  for (let i0 = 0; i0 < d0; i0++) for (let i1 = 0; i1 < d1; i1++) for (let i2 = 0; i2 < d2; i2++) {
    const yb = y + i0 * ys0 + i1 * ys1 + i2 * ys2, xb = x + i0 * xs0 + i1 * xs1 + i2 * xs2;
    for (let i3 = 0; i3 < d3; i3++) {
      const yi = yb + i3 * ys3, xi = xb + i3 * xs3;
      f[yi] = accumulate ? f[yi] + f[xi] : f[xi];
    }
  }
}
