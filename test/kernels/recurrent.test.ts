// Recurrent kernels: wasm against the js reference on awkward sizes (SIMD tails in units, odd
// batches), every gate activation; the fused steps against plain formulas; the transposes and
// embedding gather/scatter exactly.
import { beforeAll, describe, expect, it } from 'vitest';
import { Act, type Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectParity, runKernel } from '../helpers/kernel-run.js';

/** The wasm core's exp is a ~1 ulp polynomial and its sums round per operation: a few ulps of O(1) values. */
const TOL = { atol: 2e-6, rtol: 1e-5 };
const GATE_ACTS = [Act.linear, Act.relu, Act.sigmoid, Act.hardSigmoid, Act.tanh, Act.softsign] as const;
const actName = (a: number) => Object.entries(Act).find(([, v]) => v === a)![0];

/** Gate values as activations produce them: in (0, 1) for sigmoid-like, (−1, 1) for tanh. */
const gates = (n: number, seed: number) => randomArray(n, seed, 0.02, 0.98);

let wasm: Backend;
beforeAll(async () => { wasm = await wasmBackend(); });

describe('recurrent kernel parity (wasm vs js)', () => {
  it.each(AWKWARD_SIZES.flatMap((n) => GATE_ACTS.map((a) => [n, a] as const)))('rnnStep n=%i act=%i', (n, act) => {
    expectParity(wasm, jsBackend, { H: new Float32Array(n), Z: randomArray(n, n, -6, 6) },
      (be, p) => be.rnnStepForward(p.H, p.Z, n, act), TOL);
    const H = act === Act.tanh || act === Act.softsign ? randomArray(n, n + 1, -0.99, 0.99) : act === Act.linear || act === Act.relu ? randomArray(n, n + 1, -2, 2) : gates(n, n + 1);
    expectParity(wasm, jsBackend, { dZ: new Float32Array(n), dH: randomArray(n, n + 2, -2, 2), H },
      (be, p) => be.rnnStepBackward(p.dZ, p.dH, p.H, n, act), TOL);
  });

  const shapes = [[1, 1], [3, 5], [2, 17], [5, 4], [1, 33], [4, 127]] as const;
  const pairs = [[Act.tanh, Act.sigmoid], [Act.relu, Act.hardSigmoid], [Act.softsign, Act.linear], [Act.linear, Act.tanh]] as const;
  const cases = shapes.flatMap(([b, u], k) => [pairs[k % pairs.length], pairs[(k + 1) % pairs.length]].map(([a, r]) => [b, u, a, r] as const));

  it.each(cases)('lstmStepForward batch=%i units=%i act=%i recAct=%i', (batch, units, act, recAct) => {
    const n = batch * units;
    expectParity(wasm, jsBackend, {
      G: new Float32Array(4 * n), C: new Float32Array(n), H: new Float32Array(n),
      Z: randomArray(4 * n, units, -4, 4), Cprev: randomArray(n, units + 1, -2, 2),
    }, (be, p) => be.lstmStepForward(p.G, p.C, p.H, p.Z, p.Cprev, batch, units, act, recAct), TOL);
  });

  it.each(cases)('lstmStepBackward batch=%i units=%i act=%i recAct=%i', (batch, units, act, recAct) => {
    const n = batch * units;
    expectParity(wasm, jsBackend, {
      dZ: new Float32Array(4 * n), dC: randomArray(n, 3, -1, 1), G: gates(4 * n, units), C: randomArray(n, 5, -2, 2),
      Cprev: randomArray(n, 6, -2, 2), dH: randomArray(n, 7, -1, 1),
    }, (be, p) => be.lstmStepBackward(p.dZ, p.dC, p.G, p.C, p.Cprev, p.dH, batch, units, act, recAct), TOL);
  });

  it.each(cases)('gruStepForward batch=%i units=%i act=%i recAct=%i', (batch, units, act, recAct) => {
    const n = batch * units;
    for (const bias of [true, false]) {
      expectParity(wasm, jsBackend, {
        G: new Float32Array(3 * n), RH: new Float32Array(n), H: new Float32Array(n), Z: randomArray(3 * n, units, -3, 3),
        RZ: randomArray(3 * n, units + 1, -3, 3), Hprev: randomArray(n, 2, -1, 1), b: randomArray(3 * units, 4, -1, 1),
      }, (be, p) => be.gruStepForward(p.G, p.RH, p.H, p.Z, p.RZ, p.Hprev, bias ? p.b : 0, batch, units, act, recAct), TOL);
    }
  });

  it.each(cases)('gruStepBackward batch=%i units=%i act=%i recAct=%i', (batch, units, act, recAct) => {
    const n = batch * units;
    expectParity(wasm, jsBackend, {
      dZ: new Float32Array(3 * n), dRZ: new Float32Array(3 * n), dHprev: randomArray(n, 1, -1, 1), G: gates(3 * n, units),
      RH: randomArray(n, 2, -2, 2), Hprev: randomArray(n, 3, -1, 1), dH: randomArray(n, 4, -1, 1),
    }, (be, p) => be.gruStepBackward(p.dZ, p.dRZ, p.dHprev, p.G, p.RH, p.Hprev, p.dH, batch, units, act, recAct), TOL);
  });

  it.each([[1, 1, 1], [3, 5, 2], [2, 7, 5], [5, 3, 17], [4, 9, 33]])('seqToTimeMajor/seqFromTimeMajor batch=%i time=%i n=%i: exact', (batch, time, n) => {
    const size = batch * time * n;
    for (const reverse of [0, 1]) {
      expectParity(wasm, jsBackend, { Y: new Float32Array(size), X: randomArray(size, n) },
        (be, p) => be.seqToTimeMajor(p.Y, p.X, batch, time, n, reverse), { atol: 0, rtol: 0 });
      for (const acc of [0, 1]) {
        expectParity(wasm, jsBackend, { Y: randomArray(size, 1), X: randomArray(size, 2) },
          (be, p) => be.seqFromTimeMajor(p.Y, p.X, batch, time, n, reverse, acc), { atol: 0, rtol: 0 });
      }
    }
  });

  it.each(AWKWARD_SIZES)('broadcastMul cols=%i: exact', (cols) => {
    expectParity(wasm, jsBackend, { Y: randomArray(3 * cols, 1), M: randomArray(cols, 2) },
      (be, p) => be.broadcastMul(p.Y, p.M, 3, cols), { atol: 0, rtol: 0 });
  });

  it.each(AWKWARD_SIZES)('embedding dim=%i: exact gather, scatter-add, first bad id', (dim) => {
    const ids = Float32Array.from([3, 0, 4, 3, 1, 3, 2]);
    const E = randomArray(5 * dim, dim);
    const r = expectParity(wasm, jsBackend, { Y: new Float32Array(ids.length * dim), E, ids },
      (be, p) => be.embeddingForward(p.Y, p.E, p.ids, ids.length, dim, 5), { atol: 0, rtol: 0 });
    expect(r.a.value).toBe(-1);
    expect(Array.from(r.a.out.Y.subarray(0, dim))).toEqual(Array.from(E.subarray(3 * dim, 4 * dim)));
    expectParity(wasm, jsBackend, { dE: randomArray(5 * dim, 1), dY: randomArray(ids.length * dim, 2), ids },
      (be, p) => be.embeddingBackward(p.dE, p.dY, p.ids, ids.length, dim), { atol: 1e-6, rtol: 0 });
    for (const [bad, at] of [[[1, 5, 2], 1], [[0, 1, -1], 2], [[2.5, 1], 0], [[1, NaN], 1]] as const) {
      const b = Float32Array.from(bad);
      const rb = expectParity(wasm, jsBackend, { Y: new Float32Array(b.length * dim), E, ids: b },
        (be, p) => be.embeddingForward(p.Y, p.E, p.ids, b.length, dim, 5), { atol: 0, rtol: 0 });
      expect(rb.a.value).toBe(at);
    }
  });
});

describe('recurrent kernels against their formulas (wasm)', () => {
  const sig = (x: number) => 1 / (1 + Math.exp(-x));

  it('lstmStepForward: i, f, g, o, c = f·c_prev + i·g, h = o·tanh(c)', () => {
    const batch = 2, units = 5, n = batch * units;
    const Z = randomArray(4 * n, 11, -4, 4), Cp = randomArray(n, 12, -2, 2);
    const { out } = runKernel(wasm, { G: new Float32Array(4 * n), C: new Float32Array(n), H: new Float32Array(n), Z, Cprev: Cp },
      (be, p) => be.lstmStepForward(p.G, p.C, p.H, p.Z, p.Cprev, batch, units, Act.tanh, Act.sigmoid));
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < units; j++) {
        const z = (k: number) => Z[b * 4 * units + k * units + j];
        const c = sig(z(1)) * Cp[b * units + j] + sig(z(0)) * Math.tanh(z(2));
        expect(out.C[b * units + j]).toBeCloseTo(c, 5);
        expect(out.H[b * units + j]).toBeCloseTo(sig(z(3)) * Math.tanh(c), 5);
      }
    }
  });

  it('exp-based sigmoid and tanh keep their relative precision near 0 and saturate cleanly', () => {
    const xs = Float32Array.from([-100, -20, -1e-3, -1e-7, 0, 1e-7, 1e-3, 0.6, 0.7, 20, 100]);
    for (const act of [Act.sigmoid, Act.tanh]) {
      const { out } = runKernel(wasm, { H: new Float32Array(xs.length), Z: xs }, (be, p) => be.rnnStepForward(p.H, p.Z, xs.length, act));
      xs.forEach((x, i) => {
        const want = act === Act.tanh ? Math.tanh(x) : sig(x);
        expect(Math.abs(out.H[i] - want), `${actName(act)}(${x})`).toBeLessThanOrEqual(3e-7 * Math.abs(want) + 1e-30);
      });
    }
  });
});
