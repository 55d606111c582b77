// copyStrided: wasm against js (bitwise: copies and one add per element) on awkward sizes, with
// contiguous inner axes (the SIMD path), strided and 0-stride axes, accumulate on and off; and
// against an index-by-index definition written here.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectParity, runKernel } from '../helpers/kernel-run.js';

type Args = { d: number[]; ys: number[]; xs: number[] };
const extent = (d: number[], s: number[]) => 1 + d.reduce((a, dk, k) => a + (dk - 1) * s[k], 0);

/** The definition: every (i0..i3) in row-major order, Y[Σ i·ys] (+)= X[Σ i·xs]. */
function reference(y: Float32Array, x: Float32Array, { d, ys, xs }: Args, accumulate: number): Float64Array {
  const out = Float64Array.from(y);
  for (let a = 0; a < d[0]; a++) for (let b = 0; b < d[1]; b++) for (let c = 0; c < d[2]; c++) for (let e = 0; e < d[3]; e++) {
    const yi = a * ys[0] + b * ys[1] + c * ys[2] + e * ys[3], xi = a * xs[0] + b * xs[1] + c * xs[2] + e * xs[3];
    out[yi] = Math.fround(accumulate ? out[yi] + x[xi] : x[xi]);
  }
  return out;
}

/** Layouts that each layer uses, with the inner size n. */
const layouts = (n: number): [string, Args][] => [
  ['contiguous rows (crop)', { d: [2, 3, 1, n], ys: [3 * n, n, 0, 1], xs: [5 * n + 2, n + 1, 0, 1] }],
  ['transpose (permute [2, 1])', { d: [1, 2, n, 3], ys: [0, 3 * n, 3, 1], xs: [0, 3 * n, 1, n] }],
  ['repeat (x stride 0)', { d: [1, 2, 3, n], ys: [0, 3 * n, n, 1], xs: [0, n, 0, 1] }],
  ['sum of repeats (y stride 0)', { d: [1, 2, 3, n], ys: [0, n, 0, 1], xs: [0, 3 * n, n, 1] }],
  ['every other column (upsampling)', { d: [2, 2, n, 3], ys: [4 * n * 3 * 2, 2 * n * 3 * 2, 6, 1], xs: [2 * n * 3, n * 3, 3, 1] }],
];

describe('copyStrided', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  const cases = AWKWARD_SIZES.flatMap((n) => layouts(n).flatMap(([name, a]) => [0, 1].map((acc) => [name, n, acc, a] as const)));
  it.each(cases)('%s, n=%i, accumulate=%i: wasm = js = the definition', (_, n, acc, a) => {
    const Y = randomArray(extent(a.d, a.ys), n + 1), X = randomArray(extent(a.d, a.xs), n + 2);
    const call = (be: Backend, p: Record<string, number>) => be.copyStrided(p.Y, p.X, a.d[0], a.d[1], a.d[2], a.d[3],
      a.ys[0], a.ys[1], a.ys[2], a.ys[3], a.xs[0], a.xs[1], a.xs[2], a.xs[3], acc);
    const { a: w } = expectParity(wasm, jsBackend, { Y, X }, call, { atol: 0, rtol: 0 });
    expect(Array.from(w.out.Y)).toEqual(Array.from(reference(Y, X, a, acc)));
    // It wrote something: the definition differs from the untouched Y.
    expect(Array.from(w.out.Y)).not.toEqual(Array.from(Y, Number));
  });

  it('leaves elements outside the view untouched', () => {
    const n = 5, Y = randomArray(4 * n, 3), X = randomArray(n, 4);
    const { out } = runKernel(jsBackend, { Y, X }, (be, p) => be.copyStrided(p.Y, p.X, 1, 1, 1, n, 0, 0, 0, 2, 0, 0, 0, 1, 0));
    for (let i = 0; i < 4 * n; i++) expect(out.Y[i]).toBe(i % 2 === 0 && i < 2 * n ? X[i / 2] : Y[i]);
  });
});
