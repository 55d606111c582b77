// Metrics as counts, reference twins of assembly/kernels/metrics.ts.
import type { Heap } from './heap.js';

function argmax(f: Heap['f'], p: number, cols: number): number {
  let best = 0;
  for (let c = 1; c < cols; c++) if (f[p + c] > f[p + best]) best = c;
  return best;
}

export function sparseCategoricalAccuracy(h: Heap, P: number, labels: number, rows: number, cols: number): number {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmax(h.f, (P >> 2) + r * cols, cols) === h.i[(labels >> 2) + r]) hits++;
  return hits;
}

export function categoricalAccuracy(h: Heap, P: number, T: number, rows: number, cols: number): number {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmax(h.f, (P >> 2) + r * cols, cols) === argmax(h.f, (T >> 2) + r * cols, cols)) hits++;
  return hits;
}

export function binaryAccuracy(h: Heap, P: number, T: number, rows: number, cols: number, threshold: number): number {
  let hits = 0;
  const f = h.f;
  // Compare with the float32 threshold, as wasm and Keras do: a prediction equal to fround(0.3)
  // is not above it, though it is above the float64 0.3.
  const th = Math.fround(threshold);
  for (let i = 0; i < rows * cols; i++) if ((f[(P >> 2) + i] > th) === (f[(T >> 2) + i] > 0.5)) hits++;
  return hits / cols;
}

/** 1 + how many entries of the row are strictly above entry `label` (ties count for the label, as in_top_k). */
function rankOf(f: Heap['f'], p: number, cols: number, label: number): number {
  let rank = 1;
  for (let c = 0; c < cols; c++) if (f[p + c] > f[p + label]) rank++;
  return rank;
}

export function topKCategoricalAccuracy(h: Heap, P: number, T: number, rows: number, cols: number, k: number): number {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (rankOf(h.f, (P >> 2) + r * cols, cols, argmax(h.f, (T >> 2) + r * cols, cols)) <= k) hits++;
  return hits;
}

export function sparseTopKCategoricalAccuracy(h: Heap, P: number, labels: number, rows: number, cols: number, k: number): number {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (rankOf(h.f, (P >> 2) + r * cols, cols, h.i[(labels >> 2) + r]) <= k) hits++;
  return hits;
}

export function meanAbsoluteErrorSum(h: Heap, P: number, T: number, rows: number, cols: number): number {
  let s = 0;
  for (let i = 0; i < rows * cols; i++) s += Math.abs(h.f[(P >> 2) + i] - h.f[(T >> 2) + i]);
  return s / cols;
}

export function meanSquaredErrorSum(h: Heap, P: number, T: number, rows: number, cols: number): number {
  let s = 0;
  for (let i = 0; i < rows * cols; i++) { const e = h.f[(P >> 2) + i] - h.f[(T >> 2) + i]; s += e * e; }
  return s / cols;
}

export function confusionCounts(h: Heap, counts: number, P: number, T: number, n: number, threshold: number): void {
  const f = h.f, th = Math.fround(threshold), c = counts >> 2;
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < n; i++) {
    const pos = f[(P >> 2) + i] > th, label = f[(T >> 2) + i] !== 0;
    if (pos) { if (label) tp++; else fp++; } else if (label) fn++; else tn++;
  }
  f[c] = tp; f[c + 1] = fp; f[c + 2] = fn; f[c + 3] = tn;
}

export function thresholdHistogram(h: Heap, counts: number, P: number, T: number, n: number, buckets: number): void {
  const f = h.f, c = counts >> 2;
  f.fill(0, c, c + 2 * buckets);
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(f[(P >> 2) + i], 0), 1);
    // The product rounded to float32 before ceil, as wasm and Keras (float32) compute it.
    const b = Math.max(Math.ceil(Math.fround(p * (buckets - 1))) - 1, 0);
    f[c + (f[(T >> 2) + i] !== 0 ? b : buckets + b)]++;
  }
}
