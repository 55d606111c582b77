// gaussianFill, dropoutMask, channelScale: bitwise wasm = js on awkward sizes and extreme seeds;
// gaussianFill against Box–Muller written with Math.log/Math.cos/Math.sin (the series are exact
// to float32), and its statistics; dropoutMask equal to dropoutForward's mask; channelScale
// against its definition.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectParity, runKernel } from '../helpers/kernel-run.js';

const SEEDS = [0, 1, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff];

/** lowbias32(seed + i·0x9e3779b9) mod 2³² in BigInt (the dropout hash's definition). */
function hash(seed: number, i: number): number {
  const M = (1n << 32n) - 1n;
  let x = (BigInt(seed) + BigInt(i) * 0x9e3779b9n) & M;
  x ^= x >> 16n; x = (x * 0x7feb352dn) & M; x ^= x >> 15n; x = (x * 0x846ca68bn) & M; x ^= x >> 16n;
  return Number(x);
}

/** Box–Muller with the platform's libm: the draw gaussianFill approximates with its own series. */
function boxMuller(seed: number, i: number): number {
  const h1 = hash(seed, 2 * i), h2 = hash(seed, 2 * i + 1);
  const u1 = (h1 + 0.5) / 2 ** 32;
  const angle = Math.floor(h2 / 2 ** 30) * Math.PI / 2 + Math.PI / 2 * (((h2 % 2 ** 30) + 0.5) / 2 ** 30);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(angle);
}

describe('noise kernels, wasm vs js', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  const cases = [...AWKWARD_SIZES, 1000].flatMap((n) => SEEDS.map((seed) => [n, seed] as const));
  it.each(cases)('gaussianFill n=%i seed=%i: bitwise equal, and Box–Muller within float32 rounding', (n, seed) => {
    const { a } = expectParity(wasm, jsBackend, { Y: new Float32Array(n) }, (be, p) => be.gaussianFill(p.Y, n, seed, 0.25, 1.5), { atol: 0, rtol: 0 });
    for (let i = 0; i < n; i++) {
      const want = 0.25 + 1.5 * boxMuller(seed, i);
      expect(Math.abs(a.out.Y[i] - want), `element ${i}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(want)));
    }
  });

  it.each(cases)('dropoutMask n=%i seed=%i: bitwise equal, and dropoutForward\'s mask', (n, seed) => {
    const thr = Math.floor(0.3 * 2 ** 32), scale = Math.fround(1 / 0.7);
    const { a } = expectParity(wasm, jsBackend, { Mask: new Float32Array(n) }, (be, p) => be.dropoutMask(p.Mask, n, seed, thr, scale), { atol: 0, rtol: 0 });
    const ref = runKernel(wasm, { Y: new Float32Array(n), Mask: new Float32Array(n), X: new Float32Array(n).fill(1) },
      (be, p) => be.dropoutForward(p.Y, p.Mask, p.X, n, seed, thr, scale));
    expect(Array.from(a.out.Mask)).toEqual(Array.from(ref.out.Mask));
    for (let i = 0; i < Math.min(n, 40); i++) expect(a.out.Mask[i]).toBe(hash(seed, i) >= thr ? scale : 0);
  });

  it.each(AWKWARD_SIZES.flatMap((C) => [0, 1].map((acc) => [C, acc] as const)))('channelScale C=%i accumulate=%i', (C, acc) => {
    const batch = 2, positions = 3, n = batch * positions * C;
    const Y = randomArray(n, C + 1), X = randomArray(n, C + 2, -2, 2), Mask = randomArray(batch * C, C + 3, 0, 2);
    const { a } = expectParity(wasm, jsBackend, { Y, X, Mask }, (be, p) => be.channelScale(p.Y, p.X, p.Mask, batch, positions, C, acc), { atol: 0, rtol: 0 });
    for (let b = 0; b < batch; b++) for (let p = 0; p < positions; p++) for (let c = 0; c < C; c++) {
      const i = (b * positions + p) * C + c, prod = Math.fround(X[i] * Mask[b * C + c]);
      expect(a.out.Y[i]).toBe(acc ? Math.fround(Y[i] + prod) : prod);
    }
  });
});

describe('gaussianFill statistics', () => {
  it('200,000 draws: mean 0, variance 1, kurtosis 3, symmetric quadrants, seeds independent', async () => {
    const n = 200_000, wasm = await wasmBackend();
    const draw = (seed: number) => runKernel(wasm, { Y: new Float32Array(n) }, (be, p) => be.gaussianFill(p.Y, n, seed, 0, 1)).out.Y;
    const z = draw(12345);
    let m1 = 0, m2 = 0, m4 = 0, within1 = 0;
    for (const v of z) { m1 += v; m2 += v * v; m4 += v ** 4; if (Math.abs(v) < 1) within1++; }
    m1 /= n; m2 /= n; m4 /= n;
    // Standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032, kurtosis √(96/n) ≈ 0.022.
    expect(Math.abs(m1)).toBeLessThan(0.01);
    expect(Math.abs(m2 - 1)).toBeLessThan(0.015);
    expect(Math.abs(m4 / (m2 * m2) - 3)).toBeLessThan(0.1);
    expect(Math.abs(within1 / n - 0.6827)).toBeLessThan(0.005);
    // Two seeds: uncorrelated.
    const w = draw(12346);
    let cross = 0;
    for (let i = 0; i < n; i++) cross += z[i] * w[i];
    expect(Math.abs(cross / n)).toBeLessThan(0.01);
    // Neighbours: uncorrelated.
    let lag = 0;
    for (let i = 1; i < n; i++) lag += z[i] * z[i - 1];
    expect(Math.abs(lag / n)).toBeLessThan(0.01);
  });
});
