// Metrics (counts the caller divides): wasm against js, ties, thresholds, hand-worked values.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, wasmBackend } from '../helpers/backends.js';
import { rng } from '../helpers/close.js';
import { expectParity, runKernel } from '../helpers/kernel-run.js';

const SHAPES = AWKWARD_SIZES.flatMap((rows) => [1, 3, 17].map((cols) => [rows, cols] as const));
const EXACT = { atol: 0, rtol: 0 };

/** Values on a grid of tenths in [0, 1]: plenty of ties for argmax and of values equal to thresholds. */
function gridValues(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => Math.round(r() * 10) / 10);
}

function randomLabels(rows: number, cols: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: rows }, () => Math.floor(r() * cols));
}

describe('metric parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  it.each(SHAPES)('sparseCategoricalAccuracy rows=%i cols=%i', (rows, cols) => {
    expectParity(wasm, jsBackend, { P: gridValues(rows * cols, rows + cols), labels: randomLabels(rows, cols, rows) },
      (be, p) => be.sparseCategoricalAccuracy(p.P, p.labels, rows, cols), EXACT);
  });

  it.each(SHAPES)('categoricalAccuracy rows=%i cols=%i', (rows, cols) => {
    expectParity(wasm, jsBackend, { P: gridValues(rows * cols, rows + cols), T: gridValues(rows * cols, 3 * rows) },
      (be, p) => be.categoricalAccuracy(p.P, p.T, rows, cols), EXACT);
  });

  // Thresholds 0.3 and 0.7 sit on the grid: P equal to the float32 threshold is not above it.
  it.each(SHAPES.flatMap(([rows, cols]) => [0.3, 0.5, 0.7].map((th) => [rows, cols, th] as const)))(
    'binaryAccuracy rows=%i cols=%i threshold=%f', (rows, cols, th) => {
      expectParity(wasm, jsBackend, { P: gridValues(rows * cols, rows * cols), T: gridValues(rows * cols, 5 + rows) },
        (be, p) => be.binaryAccuracy(p.P, p.T, rows, cols, th), { atol: 0, rtol: 1e-15 });
    });
});

describe.each(['wasm', 'js', 'js64'] as const)('metric values by hand on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });

  // Rows: a clear argmax 1; a tie between 0 and 1 (the first wins, as argmax does); argmax 2.
  const P = [0.1, 0.7, 0.2, 0.5, 0.5, 0, 0.3, 0.3, 0.4];

  it('sparseCategoricalAccuracy counts rows whose argmax is the label; ties go to the first', () => {
    const hits = (labels: number[]) =>
      runKernel(be, { P, labels: Int32Array.from(labels) }, (be, p) => be.sparseCategoricalAccuracy(p.P, p.labels, 3, 3)).value;
    expect(hits([1, 0, 2])).toBe(3);
    expect(hits([1, 1, 2])).toBe(2);
    expect(hits([0, 2, 1])).toBe(0);
  });

  it('categoricalAccuracy compares the argmax of P with the argmax of T', () => {
    const T = [0, 1, 0, 0, 0, 1, 0.2, 0.1, 0.7];
    expect(runKernel(be, { P, T }, (be, p) => be.categoricalAccuracy(p.P, p.T, 3, 3)).value).toBe(2);
  });

  it('binaryAccuracy: per-row mean of (P > threshold) == (T > 0.5), summed over rows', () => {
    // Row 0: 0.9>0.5 vs 1 ✓, 0.2 vs 0 ✓, 0.5 (not above) vs 1 ✗ → 2/3. Row 1: 0.6 vs 0 ✗, 0.1 vs 0 ✓, 1 vs 0.7 ✓ → 2/3.
    const r = runKernel(be, { P: [0.9, 0.2, 0.5, 0.6, 0.1, 1], T: [1, 0, 1, 0, 0, 0.7] }, (be, p) => be.binaryAccuracy(p.P, p.T, 2, 3, 0.5));
    expect(r.value).toBeCloseTo(4 / 3, 12);
    const r2 = runKernel(be, { P: [0.9, 0.2, 0.5, 0.6, 0.1, 1], T: [1, 0, 1, 0, 0, 0.7] }, (be, p) => be.binaryAccuracy(p.P, p.T, 2, 3, 0.7));
    // threshold 0.7: row 0 ✓ ✓ ✗, row 1 ✓ ✓ ✓.
    expect(r2.value).toBeCloseTo(5 / 3, 12);
  });

  it('binaryAccuracy: a prediction equal to the threshold (as float32) is not above it', () => {
    const r = runKernel(be, { P: [0.3, 0.3], T: [0, 1] }, (be, p) => be.binaryAccuracy(p.P, p.T, 1, 2, 0.3));
    expect(r.value).toBe(0.5);
  });
});
