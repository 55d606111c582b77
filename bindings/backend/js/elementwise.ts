// Memory helpers, reference twins of assembly/kernels/elementwise.ts.
import type { Heap } from './heap.js';

export function fill(h: Heap, X: number, value: number, n: number): void {
  h.f.fill(value, X >> 2, (X >> 2) + n);
}

export function copy(h: Heap, Y: number, X: number, n: number): void {
  h.f.copyWithin(Y >> 2, X >> 2, (X >> 2) + n);
}

export function addInto(h: Heap, Y: number, X: number, n: number): void {
  const f = h.f, y = Y >> 2, x = X >> 2;
  for (let i = 0; i < n; i++) f[y + i] += f[x + i];
}

export function scale(h: Heap, X: number, s: number, n: number): void {
  const f = h.f, x = X >> 2;
  for (let i = 0; i < n; i++) f[x + i] *= s;
}

export function axpy(h: Heap, Y: number, X: number, n: number, a: number): void {
  const f = h.f, y = Y >> 2, x = X >> 2;
  for (let i = 0; i < n; i++) f[y + i] += a * f[x + i];
}
