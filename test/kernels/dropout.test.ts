// dropoutForward/Backward: the mask bit-identical on wasm and js over awkward sizes and extreme
// seeds and thresholds, the mask against an independent BigInt implementation of the hash, and
// its statistics (drop fraction, independence of neighbours, seeds).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectParity, runKernel } from '../helpers/kernel-run.js';

const F32_EPS = 2 ** -23;
const threshold = (rate: number) => Math.floor(rate * 2 ** 32);
const scaleOf = (rate: number) => Math.fround(1 / (1 - rate));

/** lowbias32(seed + i·0x9e3779b9) in exact BigInt arithmetic mod 2³²: the mask's definition. */
function oracleHash(seed: number, i: number): number {
  const M = (1n << 32n) - 1n;
  let x = (BigInt(seed) + BigInt(i) * 0x9e3779b9n) & M;
  x ^= x >> 16n;
  x = (x * 0x7feb352dn) & M;
  x ^= x >> 15n;
  x = (x * 0x846ca68bn) & M;
  x ^= x >> 16n;
  return Number(x);
}

const forward = (n: number, seed: number, rate: number) => (be: Backend, p: Record<string, number>) =>
  be.dropoutForward(p.Y, p.Mask, p.X, n, seed, threshold(rate), scaleOf(rate));

const SEEDS = [0, 1, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff];
const RATES = [0, 0.1, 0.5, 0.9];

describe('dropout parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  // The mask is integer arithmetic and a comparison; Y = X·Mask is one float32 product: bit-identical.
  const cases = [...AWKWARD_SIZES, 1000].flatMap((n) => SEEDS.map((seed, k) => [n, seed, RATES[k % RATES.length]] as const));
  it.each(cases)('dropoutForward n=%i seed=%i rate=%f', (n, seed, rate) => {
    expectParity(wasm, jsBackend, { Y: new Float32Array(n), Mask: new Float32Array(n), X: randomArray(n, n + seed % 1000, -3, 3) },
      forward(n, seed, rate), { atol: 0, rtol: 0 });
  });

  // wasm rounds dY·Mask, then the sum; js rounds once: one rounding of |dY·Mask| ≤ 3·1.12 apart.
  it.each([...AWKWARD_SIZES, 1000])('dropoutBackward n=%i', (n) => {
    const mask = Float32Array.from(randomArray(n, n), (u) => (u > 0 ? scaleOf(0.1) : 0));
    expectParity(wasm, jsBackend, { dX: randomArray(n, n + 1, -3, 3), dY: randomArray(n, n + 2, -3, 3), Mask: mask },
      (be, p) => be.dropoutBackward(p.dX, p.dY, p.Mask, n), { atol: 4 * F32_EPS, rtol: 0 });
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('dropout values on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });
  /** A float32 core rounds X·Mask once; the float64 core keeps the exact product. */
  const round = name === 'js64' ? (v: number) => v : Math.fround;

  function run(n: number, seed: number, rate: number, X: ArrayLike<number> = randomArray(n, 5, -3, 3)) {
    return runKernel(be, { Y: new Float32Array(n), Mask: new Float32Array(n), X }, forward(n, seed, rate)).out;
  }

  it.each(SEEDS)('the mask is hash(seed, i) ≥ ⌊rate·2³²⌋ (seed %i), and Y = X·Mask', (seed) => {
    const n = 37, rate = 0.3, X = randomArray(n, 9, -3, 3);
    const out = run(n, seed, rate, X);
    const k = scaleOf(rate);
    const expected = Array.from({ length: n }, (_, i) => (oracleHash(seed, i) >= threshold(rate) ? k : 0));
    expect(Array.from(out.Mask)).toEqual(expected);
    expect(Array.from(out.Y)).toEqual(expected.map((m, i) => round(X[i] * m)));
  });

  it.each([0.1, 0.5, 0.9])('drops a fraction ≈ rate = %f, and pairs of neighbours independently', (rate) => {
    const n = 200_000;
    const m = run(n, 12345, rate, new Float32Array(n).fill(1)).Mask;
    let zeros = 0, bothZero = 0;
    for (let i = 0; i < n; i++) {
      if (m[i] === 0) zeros++;
      if (i > 0 && m[i] === 0 && m[i - 1] === 0) bothZero++;
    }
    // Binomial standard deviations √(p(1−p)/n) ≤ 0.0012: 5σ bounds.
    expect(Math.abs(zeros / n - rate)).toBeLessThan(0.006);
    expect(Math.abs(bothZero / (n - 1) - rate * rate)).toBeLessThan(0.006);
  });

  it('kept elements are X times the float32-rounded 1/(1 − rate)', () => {
    const n = 101, rate = 0.25, X = randomArray(n, 3, -3, 3);
    const out = run(n, 7, rate, X);
    for (let i = 0; i < n; i++) {
      expect(out.Mask[i] === 0 || out.Mask[i] === scaleOf(rate), `Mask[${i}] = ${out.Mask[i]}`).toBe(true);
      if (out.Mask[i] !== 0) expect(out.Y[i]).toBe(round(X[i] * scaleOf(rate)));
    }
  });

  it('rate 0 keeps everything unchanged', () => {
    const X = randomArray(33, 4, -3, 3);
    const out = run(33, 99, 0, X);
    expect(Array.from(out.Mask)).toEqual(new Array(33).fill(1));
    expect(Array.from(out.Y)).toEqual(Array.from(X));
  });

  it('the mask of element i depends only on (seed, i): a shorter call is a prefix; another seed differs', () => {
    const long = run(127, 42, 0.5).Mask, short = run(5, 42, 0.5).Mask;
    expect(Array.from(short)).toEqual(Array.from(long.subarray(0, 5)));
    const other = run(127, 43, 0.5).Mask;
    let same = 0;
    for (let i = 0; i < 127; i++) if (other[i] === long[i]) same++;
    expect(same).toBeLessThan(100); // ≈ 63 expected for independent masks
  });

  it('dropoutBackward accumulates dY·Mask into dX', () => {
    const r = runKernel(be, { dX: [1, 1, 1, 1, 1, 1], dY: [2, -4, 8, 0.5, 3, -1], Mask: [0, 2, 2, 0, 2, 2] },
      (be, p) => be.dropoutBackward(p.dX, p.dY, p.Mask, 6));
    expect(Array.from(r.out.dX)).toEqual([1, -7, 17, 1, 7, -1]);
  });
});
