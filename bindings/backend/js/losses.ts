// Losses, reference twins of assembly/kernels/losses.ts. Each returns the loss summed over rows
// and overwrites dP with d(mean over rows)/dP.
import type { Heap } from './heap.js';
import { sigmoid } from './scalar.js';

// The clip bounds as the float32 constants the wasm core (and Keras in float32) clips with:
// 1 − 1e-7 rounds to 1 − 2⁻²³, so an exact 1 clips to a loss of −log 2⁻²³ ≈ 15.94, not 16.12.
const EPS = Math.fround(1e-7);
const ONE_MINUS_EPS = Math.fround(1 - 1e-7);

function crossentropyRow(f: Heap['f'], dp: number, p: number, t0: number, label: number, cols: number, fromLogits: number, inv: number): number {
  const target = (c: number) => (label >= 0 ? (c === label ? 1 : 0) : f[t0 + c]);
  let loss = 0;
  if (fromLogits) {
    // −log softmax_c = (m − z_c) + log s, s = Σ exp(z − m); m and log s kept apart as in wasm.
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, f[p + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(f[p + c] - m);
    const logS = Math.log(s);
    let tsum = 0;
    for (let c = 0; c < cols; c++) { const t = target(c); tsum += t; loss += t * ((m - f[p + c]) + logS); }
    for (let c = 0; c < cols; c++) f[dp + c] = (Math.exp(f[p + c] - m) * tsum / s - target(c)) * inv;
  } else {
    let s = 0;
    for (let c = 0; c < cols; c++) s += f[p + c];
    let tu = 0;
    for (let c = 0; c < cols; c++) {
      const t = target(c), q = f[p + c] / s;
      const qc = Math.min(Math.max(q, EPS), ONE_MINUS_EPS);
      loss -= t * Math.log(qc);
      if (q === qc) tu += t;
    }
    for (let c = 0; c < cols; c++) {
      const t = target(c), pc = f[p + c], q = pc / s;
      const clipped = q < EPS || q > ONE_MINUS_EPS;
      f[dp + c] = ((clipped || t === 0 ? 0 : -t / pc) + tu / s) * inv;
    }
  }
  return loss;
}

export function sparseCategoricalCrossentropy(h: Heap, dP: number, P: number, labels: number, rows: number, cols: number, fromLogits: number): number {
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    loss += crossentropyRow(h.f, (dP >> 2) + o, (P >> 2) + o, 0, h.i[(labels >> 2) + r], cols, fromLogits, 1 / rows);
  }
  return loss;
}

export function categoricalCrossentropy(h: Heap, dP: number, P: number, T: number, rows: number, cols: number, fromLogits: number): number {
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    loss += crossentropyRow(h.f, (dP >> 2) + o, (P >> 2) + o, (T >> 2) + o, -1, cols, fromLogits, 1 / rows);
  }
  return loss;
}

/** Shared walk of the elementwise losses: `term(p, t)` returns [loss, dLoss/dp]. */
function elementwise(h: Heap, dP: number, P: number, T: number, rows: number, cols: number, term: (p: number, t: number) => [number, number]): number {
  const f = h.f, n = rows * cols, inv = 1 / n;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const [l, g] = term(f[(P >> 2) + i], f[(T >> 2) + i]);
    loss += l;
    f[(dP >> 2) + i] = g * inv;
  }
  return loss / cols;
}

export function binaryCrossentropy(h: Heap, dP: number, P: number, T: number, rows: number, cols: number, fromLogits: number): number {
  return elementwise(h, dP, P, T, rows, cols, (p, t) => {
    if (fromLogits) return [Math.max(p, 0) - p * t + Math.log1p(Math.exp(-Math.abs(p))), sigmoid(p) - t];
    const pc = Math.min(Math.max(p, EPS), ONE_MINUS_EPS);
    return [-(t * Math.log(pc) + (1 - t) * Math.log(1 - pc)), pc === p ? -t / p + (1 - t) / (1 - p) : 0];
  });
}

export function meanSquaredError(h: Heap, dP: number, P: number, T: number, rows: number, cols: number): number {
  return elementwise(h, dP, P, T, rows, cols, (p, t) => [(p - t) * (p - t), 2 * (p - t)]);
}

export function meanAbsoluteError(h: Heap, dP: number, P: number, T: number, rows: number, cols: number): number {
  return elementwise(h, dP, P, T, rows, cols, (p, t) => [Math.abs(p - t), Math.sign(p - t)]);
}

export function huber(h: Heap, dP: number, P: number, T: number, rows: number, cols: number, delta: number): number {
  return elementwise(h, dP, P, T, rows, cols, (p, t) => {
    const e = p - t, a = Math.abs(e);
    return a <= delta ? [0.5 * e * e, e] : [delta * (a - 0.5 * delta), e > 0 ? delta : -delta];
  });
}
