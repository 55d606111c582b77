// Norms and clipping, reference twins of assembly/kernels/norms.ts.
import type { Heap } from './heap.js';

export function sumSquares(h: Heap, X: number, n: number): number {
  const f = h.f, x = X >> 2;
  let s = 0;
  for (let i = 0; i < n; i++) s += f[x + i] * f[x + i];
  return s;
}

export function maxAbs(h: Heap, X: number, n: number): number {
  const f = h.f, x = X >> 2;
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(f[x + i]));
  return m;
}

export function clipByValue(h: Heap, X: number, n: number, v: number): void {
  const f = h.f, x = X >> 2;
  for (let i = 0; i < n; i++) f[x + i] = Math.min(Math.max(f[x + i], -v), v);
}
