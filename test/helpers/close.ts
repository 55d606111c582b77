import { expect } from 'vitest';

/**
 * Assert |actual − expected| ≤ atol + rtol·|expected| elementwise; the failure message names the
 * max difference and the first bad index. NaN matches NaN, ±Infinity match themselves.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>,
  { atol = 1e-5, rtol = 1e-4 }: { atol?: number; rtol?: number } = {}): void {
  expect(actual.length, 'length').toBe(expected.length);
  let maxDiff = 0;
  let firstBad = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    if (a === e) continue;
    const d = Math.abs(a - e);
    if (Number.isNaN(d) || d > atol + rtol * Math.abs(e)) { if (firstBad < 0) firstBad = i; }
    if (!(d <= maxDiff)) maxDiff = d;
  }
  if (firstBad >= 0) {
    expect.fail(`not close: first bad index ${firstBad} (actual ${actual[firstBad]}, expected ${expected[firstBad]}), max |diff| ${maxDiff}, atol ${atol}, rtol ${rtol}`);
  }
}

/** A small seeded PRNG for test data (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform floats in [lo, hi), rounded to float32. */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}
