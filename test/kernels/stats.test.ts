/** wasm-vs-js parity of the penalty and diagnostic kernels on awkward sizes. */
import { describe, expect, it } from 'vitest';
import { wasmBackend, jsBackend } from '../helpers/backends.js';
import { expectParity } from '../helpers/kernel-run.js';
import { randomArray } from '../helpers/close.js';

const sizes = [1, 3, 5, 17, 33, 127];

describe.each(sizes)('n = %i', (n) => {
  const x = randomArray(n, n, -2, 2), w = randomArray(n, n + 1, -1, 1);
  w[0] = 0;
  it('sumAbs, sum, sumSquaredDiff, countOutside, countNonFinite', async () => {
    const wasm = await wasmBackend();
    const tol = { atol: 1e-6, rtol: 1e-6 };
    const r = expectParity(wasm, jsBackend, { x }, (be, p) => be.sumAbs(p.x, n), tol);
    expect(r.b.value).toBeCloseTo(x.reduce((s, v) => s + Math.abs(v), 0), 5);
    expectParity(wasm, jsBackend, { x }, (be, p) => be.sum(p.x, n), tol);
    expectParity(wasm, jsBackend, { x, w }, (be, p) => be.sumSquaredDiff(p.x, p.w, n), tol);
    const c = expectParity(wasm, jsBackend, { x }, (be, p) => be.countOutside(p.x, n, -0.99, 0.99), { atol: 0 });
    expect(c.a.value).toBe(x.filter((v) => v < -0.99 || v > 0.99).length);
    const bad = x.slice(); bad[n - 1] = NaN; if (n > 2) bad[1] = -Infinity;
    const nf = expectParity(wasm, jsBackend, { bad }, (be, p) => be.countNonFinite(p.bad, n), { atol: 0 });
    expect(nf.a.value).toBe(n > 2 ? 2 : 1);
  });

  it('addScaledSign and axpy', async () => {
    const wasm = await wasmBackend();
    const g = randomArray(n, 99, -1, 1);
    const r = expectParity(wasm, jsBackend, { g, w }, (be, p) => be.addScaledSign(p.g, p.w, n, 0.25), { atol: 1e-7, rtol: 1e-6 });
    expect(r.a.out.g[0]).toBeCloseTo(g[0], 6); // sign(0) = 0
    expectParity(wasm, jsBackend, { g, w }, (be, p) => be.axpy(p.g, p.w, n, -0.5), { atol: 1e-7, rtol: 1e-6 });
  });

  it('deadColumns', async () => {
    const wasm = await wasmBackend();
    const rows = 4, y = randomArray(rows * n, 5, -1, 1).map((v) => Math.max(v, 0));
    for (let r = 0; r < rows; r++) y[r * n] = 0; // column 0 dead
    const d = expectParity(wasm, jsBackend, { y }, (be, p) => be.deadColumns(p.y, rows, n), { atol: 0 });
    let expected = 0;
    for (let c = 0; c < n; c++) { let alive = false; for (let r = 0; r < rows; r++) alive ||= y[r * n + c] > 0; if (!alive) expected++; }
    expect(d.a.value).toBe(expected);
    expect(expected).toBeGreaterThanOrEqual(1);
  });
});
