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
