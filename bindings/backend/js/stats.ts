// Diagnostic statistics, reference twins of assembly/kernels/stats.ts.
import type { Heap } from './heap.js';

export function sum(h: Heap, X: number, n: number): number {
  const f = h.f, x = X >> 2;
  let s = 0;
  for (let i = 0; i < n; i++) s += f[x + i];
  return s;
}

export function sumSquaredDiff(h: Heap, A: number, B: number, n: number): number {
  const f = h.f, a = A >> 2, b = B >> 2;
  let s = 0;
  for (let i = 0; i < n; i++) { const d = f[a + i] - f[b + i]; s += d * d; }
  return s;
}

export function countOutside(h: Heap, X: number, n: number, lo: number, hi: number): number {
  const f = h.f, x = X >> 2;
  let c = 0;
  for (let i = 0; i < n; i++) if (f[x + i] < lo || f[x + i] > hi) c++;
  return c;
}

export function deadColumns(h: Heap, Y: number, rows: number, cols: number): number {
  const f = h.f, y = Y >> 2;
  let dead = 0;
  for (let c = 0; c < cols; c++) {
    let alive = false;
    for (let r = 0; r < rows && !alive; r++) alive = f[y + r * cols + c] > 0;
    if (!alive) dead++;
  }
  return dead;
}

export function countNonFinite(h: Heap, X: number, n: number): number {
  const f = h.f, x = X >> 2;
  let c = 0;
  for (let i = 0; i < n; i++) if (!Number.isFinite(f[x + i])) c++;
  return c;
}
