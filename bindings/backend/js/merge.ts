// Merge-layer kernels, reference twins of assembly/kernels/merge.ts. The l2 normalization sums in
// float64 (the wasm core: float32), in l order.
import type { Heap } from './heap.js';
import { gemm } from './gemm.js';

export function mulInto(h: Heap, Y: number, X: number, n: number): void {
  const f = h.f, y = Y >> 2, x = X >> 2;
  for (let i = 0; i < n; i++) f[y + i] *= f[x + i];
}

export function mulAdd(h: Heap, Y: number, A: number, B: number, n: number): void {
  const f = h.f, y = Y >> 2, a = A >> 2, b = B >> 2;
  for (let i = 0; i < n; i++) f[y + i] += f[a + i] * f[b + i];
}

/** The same strict test as the wasm core (sign·X > sign·Y, NaN false), so Y and Arg agree bitwise. */
export function extremumStep(h: Heap, Y: number, Arg: number, X: number, n: number, k: number, sign: number): void {
  const f = h.f, ints = h.i, y = Y >> 2, arg = Arg >> 2, x = X >> 2;
  if (k === 0) {
    for (let i = 0; i < n; i++) { f[y + i] = f[x + i]; ints[arg + i] = 0; }
    return;
  }
  for (let i = 0; i < n; i++) {
    if (sign * f[x + i] > sign * f[y + i]) { f[y + i] = f[x + i]; ints[arg + i] = k; }
  }
}

export function extremumBackward(h: Heap, dX: number, dY: number, Arg: number, n: number, k: number): void {
  const f = h.f, ints = h.i, dx = dX >> 2, dy = dY >> 2, arg = Arg >> 2;
  for (let i = 0; i < n; i++) if (ints[arg + i] === k) f[dx + i] += f[dy + i];
}

export function copyColumns(h: Heap, Y: number, X: number, rows: number, cols: number, yStride: number, yOffset: number): void {
  const f = h.f;
  for (let r = 0; r < rows; r++) {
    const y = (Y >> 2) + r * yStride + yOffset, x = (X >> 2) + r * cols;
    for (let c = 0; c < cols; c++) f[y + c] = f[x + c];
  }
}

export function addColumnsFrom(h: Heap, dX: number, dY: number, rows: number, cols: number, yStride: number, yOffset: number): void {
  const f = h.f;
  for (let r = 0; r < rows; r++) {
    const dx = (dX >> 2) + r * cols, dy = (dY >> 2) + r * yStride + yOffset;
    for (let c = 0; c < cols; c++) f[dx + c] += f[dy + c];
  }
}

export function gemmBatched(h: Heap, C: number, A: number, B: number, batch: number, M: number, N: number, K: number,
  transA: number, transB: number, alpha: number, beta: number): void {
  for (let b = 0; b < batch; b++) {
    gemm(h, C + 4 * b * M * N, A + 4 * b * M * K, B + 4 * b * K * N, M, N, K, transA, transB, alpha, beta);
  }
}

/** Σ_l X[o, l, i]² from element index x0 = (o, 0, i), positions `inner` elements apart. */
function sumSquaresAlong(f: Heap['f'], x0: number, len: number, inner: number): number {
  let s = 0;
  for (let l = 0; l < len; l++) s += f[x0 + l * inner] * f[x0 + l * inner];
  return s;
}

/** epsilon as the core compares it: the wasm core receives an f32, so the float32 core rounds it alike. */
const epsilonOf = (h: Heap, epsilon: number) => (h.f instanceof Float32Array ? Math.fround(epsilon) : epsilon);

export function l2NormalizeForward(h: Heap, Y: number, InvNorm: number, X: number, outer: number, len: number, inner: number,
  epsilon: number): void {
  const f = h.f, eps = epsilonOf(h, epsilon);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const x0 = (X >> 2) + o * len * inner + i, y0 = (Y >> 2) + o * len * inner + i;
      const r = 1 / Math.sqrt(Math.max(sumSquaresAlong(f, x0, len, inner), eps));
      f[(InvNorm >> 2) + o * inner + i] = r;
      // The stored (float32 core: rounded) InvNorm, as the wasm core multiplies by its f32.
      const rs = f[(InvNorm >> 2) + o * inner + i];
      for (let l = 0; l < len; l++) f[y0 + l * inner] = f[x0 + l * inner] * rs;
    }
  }
}

export function l2NormalizeBackward(h: Heap, dX: number, dY: number, Y: number, InvNorm: number, X: number,
  outer: number, len: number, inner: number, epsilon: number): void {
  const f = h.f, eps = epsilonOf(h, epsilon);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const e0 = o * len * inner + i;
      const x0 = (X >> 2) + e0, y0 = (Y >> 2) + e0, dx0 = (dX >> 2) + e0, dy0 = (dY >> 2) + e0;
      const r = f[(InvNorm >> 2) + o * inner + i];
      if (!(sumSquaresAlong(f, x0, len, inner) > eps)) {
        for (let l = 0; l < len; l++) f[dx0 + l * inner] += r * f[dy0 + l * inner];
        continue;
      }
      let dot = 0;
      for (let l = 0; l < len; l++) dot += f[dy0 + l * inner] * f[y0 + l * inner];
      for (let l = 0; l < len; l++) f[dx0 + l * inner] += r * (f[dy0 + l * inner] - f[y0 + l * inner] * dot);
    }
  }
}
