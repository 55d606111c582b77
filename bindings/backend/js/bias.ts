// Bias add and its gradient, reference twins of assembly/kernels/bias.ts.
import type { Heap } from './heap.js';

export function biasAdd(h: Heap, Y: number, b: number, rows: number, cols: number): void {
  const f = h.f, y = Y >> 2, bb = b >> 2;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) f[y + r * cols + c] += f[bb + c];
}

export function biasGrad(h: Heap, dB: number, dY: number, rows: number, cols: number): void {
  const f = h.f, db = dB >> 2, dy = dY >> 2;
  for (let c = 0; c < cols; c++) {
    let s = f[db + c];
    for (let r = 0; r < rows; r++) s += f[dy + r * cols + c];
    f[db + c] = s;
  }
}
