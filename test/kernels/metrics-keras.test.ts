// The metric kernels added for Keras 3's metrics (top-k, mae/mse sums, the confusion counts of
// precision/recall, the threshold histogram of auc): wasm against js on awkward sizes, and
// values worked out by hand.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray, rng } from '../helpers/close.js';
import { expectParity, runKernel } from '../helpers/kernel-run.js';

const SHAPES = AWKWARD_SIZES.flatMap((rows) => [1, 3, 17].map((cols) => [rows, cols] as const)).concat([[3, 127]]);
const EXACT = { atol: 0, rtol: 0 };

/** Values on a grid of tenths in [0, 1], and some outside it: ties, values on thresholds, clipped values. */
function gridValues(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, (_, i) => (i % 11 === 5 ? -0.5 : i % 13 === 7 ? 1.5 : Math.round(r() * 10) / 10));
}
const labels = (rows: number, cols: number, seed: number) => { const r = rng(seed); return Int32Array.from({ length: rows }, () => Math.floor(r() * cols)); };
const binary = (n: number, seed: number) => { const r = rng(seed); return Float32Array.from({ length: n }, () => (r() < 0.4 ? 1 : r() < 0.1 ? 0.5 : 0)); };

describe('Keras metric kernel parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  it.each(SHAPES.flatMap(([r, c]) => [1, 2, 5].map((k) => [r, c, k] as const)))('topKCategoricalAccuracy rows=%i cols=%i k=%i', (rows, cols, k) => {
    expectParity(wasm, jsBackend, { P: gridValues(rows * cols, rows + cols), T: gridValues(rows * cols, 3 * rows) },
      (be, p) => be.topKCategoricalAccuracy(p.P, p.T, rows, cols, k), EXACT);
    expectParity(wasm, jsBackend, { P: gridValues(rows * cols, rows + cols), labels: labels(rows, cols, rows) },
      (be, p) => be.sparseTopKCategoricalAccuracy(p.P, p.labels, rows, cols, k), EXACT);
  });

  it.each(SHAPES)('meanAbsoluteErrorSum and meanSquaredErrorSum rows=%i cols=%i', (rows, cols) => {
    const b = { P: randomArray(rows * cols, rows, -2, 2), T: randomArray(rows * cols, cols + 7, -2, 2) };
    const tol = { atol: 1e-6, rtol: 1e-6 };
    expectParity(wasm, jsBackend, b, (be, p) => be.meanAbsoluteErrorSum(p.P, p.T, rows, cols), tol);
    expectParity(wasm, jsBackend, b, (be, p) => be.meanSquaredErrorSum(p.P, p.T, rows, cols), tol);
  });

  it.each(SHAPES.flatMap(([r, c]) => [0.3, 0.5].map((th) => [r, c, th] as const)))('confusionCounts rows=%i cols=%i threshold=%f', (rows, cols, th) => {
    expectParity(wasm, jsBackend, { counts: new Float32Array(4).fill(NaN), P: gridValues(rows * cols, rows * cols), T: binary(rows * cols, rows) },
      (be, p) => be.confusionCounts(p.counts, p.P, p.T, rows * cols, th), EXACT);
  });

  it.each(SHAPES.flatMap(([r, c]) => [2, 7, 200].map((b) => [r, c, b] as const)))('thresholdHistogram rows=%i cols=%i buckets=%i', (rows, cols, buckets) => {
    // Random values plus the bucket edges i/(buckets − 1) themselves, where float32 rounding of p·(buckets − 1) decides.
    const P = randomArray(rows * cols, rows + 3 * cols, -0.2, 1.2);
    for (let i = 0; i < P.length; i += 3) P[i] = Math.fround((i % buckets) / (buckets - 1));
    expectParity(wasm, jsBackend, { counts: new Float32Array(2 * buckets).fill(NaN), P, T: binary(rows * cols, cols) },
      (be, p) => be.thresholdHistogram(p.counts, p.P, p.T, rows * cols, buckets), EXACT);
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('Keras metric kernels by hand on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });

  it('top-k: a label tied with the k-th largest counts as a hit (rank = 1 + entries strictly above)', () => {
    // Row 0: P = [0.1, 0.5, 0.5, 0.2], label 2 ties entry 1 and none is above → rank 1 (a hit even at k = 1,
    // where a first-index argmax would say entry 1). Row 1: label 0 at 0.1, three above → rank 4.
    const P = [0.1, 0.5, 0.5, 0.2, 0.1, 0.5, 0.5, 0.2];
    const hits = (k: number) => runKernel(be, { P, labels: Int32Array.of(2, 0) }, (be, p) => be.sparseTopKCategoricalAccuracy(p.P, p.labels, 2, 4, k)).value;
    expect([1, 2, 3, 4].map(hits)).toEqual([1, 1, 1, 2]);
    const T = [0, 0, 1, 0, 1, 0, 0, 0];
    expect(runKernel(be, { P, T }, (be, p) => be.topKCategoricalAccuracy(p.P, p.T, 2, 4, 2)).value).toBe(1);
  });

  it('mae and mse sums: the per-row means, summed', () => {
    const b = { P: [1, 2, 3, 0], T: [0, 0, 3, 2] };
    expect(runKernel(be, b, (be, p) => be.meanAbsoluteErrorSum(p.P, p.T, 2, 2)).value).toBeCloseTo(1.5 + 1, 12);
    expect(runKernel(be, b, (be, p) => be.meanSquaredErrorSum(p.P, p.T, 2, 2)).value).toBeCloseTo(2.5 + 2, 12);
  });

  it('confusionCounts: P > threshold against T ≠ 0 (a label 0.5 is positive, as Keras casts to bool)', () => {
    const r = runKernel(be, { counts: new Float32Array(4), P: [0.9, 0.5, 0.2, 0.7, 0.1, 0.6], T: [1, 1, 0.5, 0, 0, 0] },
      (be, p) => be.confusionCounts(p.counts, p.P, p.T, 6, 0.5));
    expect(Array.from(r.out.counts)).toEqual([1, 2, 2, 1]); // TP: 0.9; FP: 0.7, 0.6; FN: 0.5, 0.2; TN: 0.1
  });

  it('thresholdHistogram: bucket max(ceil(clip(p)·(n − 1)) − 1, 0) for positives, then negatives', () => {
    // n = 3 thresholds (−ε, 0.5, 1 + ε): p ≤ 0.5 → bucket 0, p > 0.5 → bucket 1; −1 and 2 clip to 0 and 1.
    const r = runKernel(be, { counts: new Float32Array(6), P: [0, 0.5, 0.51, 1, -1, 2], T: [1, 1, 1, 0, 0, 0] },
      (be, p) => be.thresholdHistogram(p.counts, p.P, p.T, 6, 3));
    expect(Array.from(r.out.counts)).toEqual([2, 1, 0, 1, 2, 0]);
  });
});
