/**
 * gemmBias, the GEMM with a fused epilogue (C = op(A)·op(B) + bias, then ReLU): on each core it
 * must be bitwise what gemm, biasAdd and activationForward(relu) give one after another (the same
 * operations in the same order), on every transposition, awkward sizes, the few-rows path (M < 8),
 * shapes across the cache blocks (several K blocks: only the last adds the epilogue) and K = 0;
 * and the wasm kernel must match the js twin within gemm's rounding bound.
 */
import { describe, expect, it } from 'vitest';
import { Act, type Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, freeAll, jsBackend, upload, wasmBackend } from '../helpers/backends.js';
import { expectClose, randomArray } from '../helpers/close.js';

interface Case { M: number; N: number; K: number; tA: number; tB: number; bias: boolean; relu: boolean }

function operands({ M, N, K }: Case, seed: number) {
  // C starts as garbage (NaN): gemmBias overwrites it without reading it.
  return { A: randomArray(M * K, seed), B: randomArray(K * N, seed + 1), b: randomArray(N, seed + 2), C0: new Float32Array(M * N).fill(NaN) };
}

function fused(be: Backend, c: Case, A: Float32Array, B: Float32Array, b: Float32Array, C0: Float32Array): Float32Array {
  const [C, pa, pb, pbias] = upload(be, C0, A, B, b);
  be.gemmBias(C, pa, pb, c.M, c.N, c.K, c.tA, c.tB, c.bias ? pbias : 0, c.relu ? 1 : 0);
  const out = be.read(C, c.M * c.N);
  freeAll(be, [C, pa, pb, pbias]);
  return out;
}

function unfused(be: Backend, c: Case, A: Float32Array, B: Float32Array, b: Float32Array, C0: Float32Array): Float32Array {
  const [C, pa, pb, pbias] = upload(be, C0, A, B, b);
  be.gemm(C, pa, pb, c.M, c.N, c.K, c.tA, c.tB, 1, 0);
  if (c.bias) be.biasAdd(C, pbias, c.M, c.N);
  if (c.relu) be.activationForward(C, C, c.M * c.N, Act.relu, 0);
  const out = be.read(C, c.M * c.N);
  freeAll(be, [C, pa, pb, pbias]);
  return out;
}

const firstDifference = (a: Float32Array, b: Float32Array) => a.findIndex((x, i) => !Object.is(x, b[i]));
const TRANS = [[0, 0], [1, 0], [0, 1], [1, 1]];
const EPILOGUES = [[true, true], [true, false], [false, true], [false, false]];

function cases(): Case[] {
  const out: Case[] = [];
  let n = 0;
  for (const [tA, tB] of TRANS) {
    for (const M of AWKWARD_SIZES) for (const N of AWKWARD_SIZES) {
      const K = AWKWARD_SIZES[n % AWKWARD_SIZES.length];
      const [bias, relu] = EPILOGUES[n++ % 4];
      out.push({ M, N, K, tA, tB, bias, relu });
    }
    // Across the cache blocks (K = 530: five K blocks), K = 0, and the MLP's forward product.
    for (const [bias, relu] of EPILOGUES) {
      out.push({ M: 300, N: 260, K: 530, tA, tB, bias, relu }, { M: 6, N: 37, K: 0, tA, tB, bias, relu });
      if (!tA && !tB) out.push({ M: 100, N: 500, K: 784, tA, tB, bias, relu });
    }
  }
  return out;
}

describe('gemmBias', () => {
  it('equals gemm + biasAdd + relu bitwise, on the wasm core and on the js core', async () => {
    const w = await wasmBackend();
    for (const be of [w, jsBackend]) {
      cases().forEach((c, i) => {
        const { A, B, b, C0 } = operands(c, 7 * i);
        const at = firstDifference(fused(be, c, A, B, b, C0), unfused(be, c, A, B, b, C0));
        expect(at, `${be.name} ${JSON.stringify(c)}: first index that differs`).toBe(-1);
      });
    }
  });

  it('wasm matches the js twin (different summation orders: within gemm\'s rounding bound)', async () => {
    const w = await wasmBackend();
    cases().forEach((c, i) => {
      const { A, B, b, C0 } = operands(c, 11 * i);
      // |error| ≤ γ·Σ|a·b| with γ = 2(K + 4)·2⁻²⁴ and |a|, |b| < 1; bias and relu add no error of their own.
      expectClose(fused(w, c, A, B, b, C0), fused(jsBackend, c, A, B, b, C0), { atol: 2 * (c.K + 4) * 2 ** -24 * c.K + 1e-30, rtol: 0 });
    });
  });

  it('propagates NaN through the ReLU, as the relu activation does', async () => {
    const w = await wasmBackend();
    for (const M of [3, 40]) { // the few-rows path and the packed one
      const c: Case = { M, N: 19, K: 21, tA: 0, tB: 0, bias: true, relu: true };
      const { A, B, b, C0 } = operands(c, 5);
      A[2 * c.K + 4] = NaN; // row 2
      for (const be of [w, jsBackend]) {
        const out = fused(be, c, A, B, b, C0);
        expect(out.slice(2 * c.N, 3 * c.N).every(Number.isNaN), `${be.name} M=${M}: row 2 is NaN`).toBe(true);
        expect(out.slice(0, 2 * c.N).every((v) => v >= 0), `${be.name} M=${M}: other rows are ReLU outputs`).toBe(true);
      }
    }
  });
});
