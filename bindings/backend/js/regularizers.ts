// Penalty kernels, reference twins of assembly/kernels/regularizers.ts.
import type { Heap } from './heap.js';

export function sumAbs(h: Heap, X: number, n: number): number {
  const f = h.f, x = X >> 2;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(f[x + i]);
  return s;
}

export function addScaledSign(h: Heap, G: number, W: number, n: number, a: number): void {
  const f = h.f, g = G >> 2, w = W >> 2;
  for (let i = 0; i < n; i++) f[g + i] += a * Math.sign(f[w + i]);
}
