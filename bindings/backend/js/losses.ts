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

// ---- Keras 3's other losses: twins of the wasm kernels, same clips (ε = 1e-7 as float32) ----

/** Keras's convert_binary_labels_to_hinge: {0, 1} labels become {−1, 1} when every label is 0 or 1. */
function hingeLabel(h: Heap, T: number, n: number): (t: number) => number {
  for (let i = 0; i < n; i++) { const t = h.f[(T >> 2) + i]; if (t !== 0 && t !== 1) return (v) => v; }
  return (v) => 2 * v - 1;
}

export function hinge(h: Heap, dP: number, P: number, T: number, rows: number, cols: number): number {
  const label = hingeLabel(h, T, rows * cols);
  return elementwise(h, dP, P, T, rows, cols, (p, t0) => {
    const t = label(t0), m = 1 - t * p;
    return [Math.max(m, 0), m > 0 ? -t : 0];
  });
}

export function squaredHinge(h: Heap, dP: number, P: number, T: number, rows: number, cols: number): number {
  const label = hingeLabel(h, T, rows * cols);
  return elementwise(h, dP, P, T, rows, cols, (p, t0) => {
    const t = label(t0), m = Math.max(1 - t * p, 0);
    return [m * m, -2 * t * m];
  });
}

export function categoricalHinge(h: Heap, dP: number, P: number, T: number, rows: number, cols: number): number {
  const f = h.f;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const p = (P >> 2) + r * cols, t = (T >> 2) + r * cols, dp = (dP >> 2) + r * cols;
    let pos = 0, neg = -Infinity, k = 0;
    for (let c = 0; c < cols; c++) {
      pos += f[t + c] * f[p + c];
      const v = (1 - f[t + c]) * f[p + c];
      if (v > neg) { neg = v; k = c; }
    }
    const l = neg - pos + 1;
    loss += Math.max(l, 0);
    for (let c = 0; c < cols; c++) f[dp + c] = l > 0 ? ((c === k ? 1 - f[t + c] : 0) - f[t + c]) / rows : 0;
  }
  return loss;
}

export function logcosh(h: Heap, dP: number, P: number, T: number, rows: number, cols: number): number {
  return elementwise(h, dP, P, T, rows, cols, (p, t) => {
    const x = p - t, a = Math.abs(x);
    return [a + Math.log1p(Math.exp(-2 * a)) - Math.LN2, Math.tanh(x)];
  });
}

export function poisson(h: Heap, dP: number, P: number, T: number, rows: number, cols: number): number {
  return elementwise(h, dP, P, T, rows, cols, (p, t) => [p - t * Math.log(p + EPS), 1 - t / (p + EPS)]);
}

export function kullbackLeiblerDivergence(h: Heap, dP: number, P: number, T: number, rows: number, cols: number): number {
  // Σ over the last axis, not a mean: elementwise's ÷ cols is undone, its gradient is ÷ (rows·cols).
  return cols * elementwise(h, dP, P, T, rows, cols, (p, t0) => {
    const t = Math.min(Math.max(t0, EPS), 1), pc = Math.min(Math.max(p, EPS), 1);
    return [t * Math.log(t / pc), pc === p ? -t / p * cols : 0];
  });
}

export function cosineSimilarity(h: Heap, dP: number, P: number, T: number, rows: number, cols: number): number {
  const f = h.f, maxInv = 1 / EPS;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const p = (P >> 2) + r * cols, t = (T >> 2) + r * cols, dp = (dP >> 2) + r * cols;
    let pp = 0, tt = 0, tp = 0;
    for (let c = 0; c < cols; c++) { pp += f[p + c] * f[p + c]; tt += f[t + c] * f[t + c]; tp += f[t + c] * f[p + c]; }
    const it = Math.min(1 / Math.sqrt(tt), maxInv), ipRaw = 1 / Math.sqrt(pp), ip = Math.min(ipRaw, maxInv);
    loss -= tp * it * ip;
    const w = ipRaw < maxInv ? tp * ip * ip : 0;
    for (let c = 0; c < cols; c++) f[dp + c] = -it * ip * (f[t + c] - w * f[p + c]) / rows;
  }
  return loss;
}

export function meanAbsolutePercentageError(h: Heap, dP: number, P: number, T: number, rows: number, cols: number): number {
  return elementwise(h, dP, P, T, rows, cols, (p, t) => {
    const d = Math.max(Math.abs(t), EPS);
    return [100 * Math.abs(p - t) / d, 100 * Math.sign(p - t) / d];
  });
}

export function meanSquaredLogarithmicError(h: Heap, dP: number, P: number, T: number, rows: number, cols: number): number {
  return elementwise(h, dP, P, T, rows, cols, (p, t) => {
    const e = Math.log1p(Math.max(p, EPS)) - Math.log1p(Math.max(t, EPS));
    return [e * e, p >= EPS ? 2 * e / (1 + p) : 0];
  });
}
