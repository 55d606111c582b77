// Depthwise convolution over im2col columns, reference twin of assembly/kernels/depthwise.ts.
import type { Heap } from './heap.js';

export function depthwiseForward(h: Heap, Y: number, col: number, K: number, rows: number, taps: number, C: number, M: number): void {
  const f = h.f, y = Y >> 2, x = col >> 2, k = K >> 2, CM = C * M;
  for (let r = 0; r < rows; r++) {
    const yr = y + r * CM, xr = x + r * taps * C;
    for (let j = 0; j < CM; j++) f[yr + j] = 0;
    for (let t = 0; t < taps; t++) for (let c = 0; c < C; c++) {
      const v = f[xr + t * C + c];
      for (let m = 0; m < M; m++) f[yr + c * M + m] += v * f[k + t * CM + c * M + m];
    }
  }
}

export function depthwiseKernelGrad(h: Heap, dK: number, col: number, dY: number, rows: number, taps: number, C: number, M: number): void {
  const f = h.f, dk = dK >> 2, x = col >> 2, dy = dY >> 2, CM = C * M;
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < taps; t++) for (let c = 0; c < C; c++) {
      const v = f[x + r * taps * C + t * C + c];
      for (let m = 0; m < M; m++) f[dk + t * CM + c * M + m] += v * f[dy + r * CM + c * M + m];
    }
  }
}

export function depthwiseInputGrad(h: Heap, dcol: number, dY: number, K: number, rows: number, taps: number, C: number, M: number): void {
  const f = h.f, d = dcol >> 2, dy = dY >> 2, k = K >> 2, CM = C * M;
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < taps; t++) for (let c = 0; c < C; c++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += f[dy + r * CM + c * M + m] * f[k + t * CM + c * M + m];
      f[d + r * taps * C + t * C + c] = s;
    }
  }
}
