// Batch and layer normalization, reference twins of assembly/kernels/normalization.ts: the same
// formulas in the same order (two-pass biased variance, statistics recomputed in backward), with
// sums in float64. gamma/beta = 0 mean absent; dX, dGamma, dBeta = 0 mean not needed.
import type { Heap } from './heap.js';

/** Mean and biased variance of column c of the (rows, cols) matrix at element index x. */
function columnStats(f: Heap['f'], x: number, c: number, rows: number, cols: number): [number, number] {
  let s = 0;
  for (let r = 0; r < rows; r++) s += f[x + r * cols + c];
  const mean = s / rows;
  let q = 0;
  for (let r = 0; r < rows; r++) { const d = f[x + r * cols + c] - mean; q += d * d; }
  return [mean, q / rows];
}

/** Mean and biased variance of the `cols` elements from element index x. */
function rowStats(f: Heap['f'], x: number, cols: number): [number, number] {
  let s = 0;
  for (let c = 0; c < cols; c++) s += f[x + c];
  const mean = s / cols;
  let q = 0;
  for (let c = 0; c < cols; c++) { const d = f[x + c] - mean; q += d * d; }
  return [mean, q / cols];
}

export function batchNormForward(h: Heap, Y: number, movingMean: number, movingVar: number, X: number, gamma: number, beta: number,
  rows: number, cols: number, momentum: number, epsilon: number, training: number): void {
  const f = h.f, y = Y >> 2, x = X >> 2, mm = movingMean >> 2, mv = movingVar >> 2;
  for (let c = 0; c < cols; c++) {
    let mean: number, variance: number;
    if (training) {
      [mean, variance] = columnStats(f, x, c, rows, cols);
      f[mm + c] = f[mm + c] * momentum + mean * (1 - momentum);
      f[mv + c] = f[mv + c] * momentum + variance * (1 - momentum);
    } else {
      mean = f[mm + c];
      variance = f[mv + c];
    }
    const inv = 1 / Math.sqrt(variance + epsilon);
    const a = gamma ? f[(gamma >> 2) + c] * inv : inv;
    const b = beta ? f[(beta >> 2) + c] : 0;
    for (let r = 0; r < rows; r++) f[y + r * cols + c] = (f[x + r * cols + c] - mean) * a + b;
  }
}

export function batchNormBackward(h: Heap, dX: number, dGamma: number, dBeta: number, dY: number, X: number, gamma: number,
  movingMean: number, movingVar: number, rows: number, cols: number, epsilon: number, training: number): void {
  const f = h.f, dx = dX >> 2, dy = dY >> 2, x = X >> 2;
  for (let c = 0; c < cols; c++) {
    const [mean, variance] = training ? columnStats(f, x, c, rows, cols) : [f[(movingMean >> 2) + c], f[(movingVar >> 2) + c]];
    const inv = 1 / Math.sqrt(variance + epsilon);
    let sdy = 0, sdyx = 0;
    for (let r = 0; r < rows; r++) {
      const i = r * cols + c;
      sdy += f[dy + i];
      sdyx += f[dy + i] * ((f[x + i] - mean) * inv);
    }
    if (dGamma) f[(dGamma >> 2) + c] += sdyx;
    if (dBeta) f[(dBeta >> 2) + c] += sdy;
    if (!dX) continue;
    const a = gamma ? f[(gamma >> 2) + c] * inv : inv;
    const k1 = training ? sdy / rows : 0, k2 = training ? sdyx / rows : 0;
    for (let r = 0; r < rows; r++) {
      const i = r * cols + c;
      const xh = (f[x + i] - mean) * inv;
      f[dx + i] += a * (f[dy + i] - k1 - xh * k2);
    }
  }
}

export function layerNormForward(h: Heap, Y: number, X: number, gamma: number, beta: number,
  rows: number, cols: number, epsilon: number): void {
  const f = h.f, g = gamma >> 2, b = beta >> 2;
  for (let r = 0; r < rows; r++) {
    const x = (X >> 2) + r * cols, y = (Y >> 2) + r * cols;
    const [mean, variance] = rowStats(f, x, cols);
    const inv = 1 / Math.sqrt(variance + epsilon);
    for (let c = 0; c < cols; c++) {
      const xh = (f[x + c] - mean) * inv;
      f[y + c] = xh * (gamma ? f[g + c] : 1) + (beta ? f[b + c] : 0);
    }
  }
}

export function layerNormBackward(h: Heap, dX: number, dGamma: number, dBeta: number, dY: number, X: number, gamma: number,
  rows: number, cols: number, epsilon: number): void {
  const f = h.f, g = gamma >> 2, dg = dGamma >> 2, db = dBeta >> 2;
  for (let r = 0; r < rows; r++) {
    const x = (X >> 2) + r * cols, dy = (dY >> 2) + r * cols, dx = (dX >> 2) + r * cols;
    const [mean, variance] = rowStats(f, x, cols);
    const inv = 1 / Math.sqrt(variance + epsilon);
    let s1 = 0, s2 = 0;
    for (let c = 0; c < cols; c++) {
      const d = f[dy + c], xh = (f[x + c] - mean) * inv;
      if (dGamma) f[dg + c] += d * xh;
      if (dBeta) f[db + c] += d;
      const gd = d * (gamma ? f[g + c] : 1);
      s1 += gd;
      s2 += gd * xh;
    }
    if (!dX) continue;
    const k1 = s1 / cols, k2 = s2 / cols;
    for (let c = 0; c < cols; c++) {
      const xh = (f[x + c] - mean) * inv;
      const gd = f[dy + c] * (gamma ? f[g + c] : 1);
      f[dx + c] += inv * (gd - k1 - xh * k2);
    }
  }
}
