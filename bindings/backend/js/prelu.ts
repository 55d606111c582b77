// PReLU, reference twins of assembly/kernels/prelu.ts. X, Y, dX, dY: (rows, cols); alpha, dAlpha: (cols).
import type { Heap } from './heap.js';

export function preluForward(h: Heap, Y: number, X: number, alpha: number, rows: number, cols: number): void {
  const f = h.f, y = Y >> 2, x = X >> 2, a = alpha >> 2;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c, v = f[x + i];
      f[y + i] = v > 0 ? v : f[a + c] * v;
    }
  }
}

export function preluBackward(h: Heap, dX: number, dAlpha: number, dY: number, X: number, alpha: number, rows: number, cols: number): void {
  const f = h.f, dx = dX >> 2, da = dAlpha >> 2, dy = dY >> 2, x = X >> 2, a = alpha >> 2;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c, v = f[x + i], g = f[dy + i];
      if (dX !== 0) f[dx + i] += v > 0 ? g : f[a + c] * g;
      if (dAlpha !== 0) f[da + c] += v > 0 ? 0 : g * v;
    }
  }
}
