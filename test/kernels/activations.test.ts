// Activations and softmax: wasm against js for every Act id on awkward sizes, finite-difference
// gradient checks on the float64 js core, aliasing, NaN propagation and softmax at ±100.
import { beforeAll, describe, expect, it } from 'vitest';
import { Act, type Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, jsBackend64, wasmBackend } from '../helpers/backends.js';
import { randomArray, rng } from '../helpers/close.js';
import { f64, numericGradient } from '../helpers/gradcheck.js';
import { expectCloseNamed, expectFinite, expectParity, runKernel, type Tolerance } from '../helpers/kernel-run.js';

const ACTS = Object.entries(Act) as [keyof typeof Act, Act][];
/** leakyRelu's slope and elu's alpha; the other activations ignore it. */
const ALPHA: Partial<Record<keyof typeof Act, number>> = { leakyRelu: 0.3, elu: 0.7 };
const alphaOf = (name: keyof typeof Act) => ALPHA[name] ?? 0;

// Parity tolerances (float32, ulp(1) = 1.2e-7). Piecewise-linear activations round once (leakyRelu:
// js multiplies by the float64 alpha), except hardSigmoid's z/6 + 0.5, which rounds twice in wasm
// (≤ ulp(0.5) = 6e-8 absolute); the transcendental ones differ by a few ulps of
// the float32 libm against float64 Math rounded once, plus cancellation near zeros of f or f'
// (gelu at z ≪ 0, swish' near z = −1.28), which the atol of two ulps at 1 covers.
const PIECEWISE: Tolerance = { atol: 6e-8, rtol: 1.2e-7 };
const TRANSCENDENTAL: Tolerance = { atol: 2.4e-7, rtol: 1.2e-6 };
const PIECEWISE_ACTS = new Set<Act>([Act.linear, Act.relu, Act.relu6, Act.leakyRelu, Act.hardSigmoid]);
const tolOf = (act: Act): Tolerance => (PIECEWISE_ACTS.has(act) ? PIECEWISE : TRANSCENDENTAL);

/** n values over [−8, 8] with the kinks themselves (0, ±3, 6) and −0 planted at the front. */
function activationInputs(n: number, seed: number): Float32Array {
  const z = randomArray(n, seed, -8, 8);
  const special = [0, -3, 3, 6, -0, 1e-3, -1e-3];
  for (let i = 0; i < Math.min(n, special.length); i++) z[(i * 5) % n] = special[i];
  return z;
}

describe('activation parity (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  describe.each(ACTS)('%s', (name, act) => {
    const alpha = alphaOf(name);

    it.each(AWKWARD_SIZES)('forward n=%i', (n) => {
      expectParity(wasm, jsBackend, { Y: new Float32Array(n).fill(NaN), Z: activationInputs(n, n) },
        (be, p) => be.activationForward(p.Y, p.Z, n, act, alpha), tolOf(act));
    });

    // Both cores get the same Y (js's forward), so the comparison sees only the backward kernel.
    it.each(AWKWARD_SIZES)('backward n=%i', (n) => {
      const Z = activationInputs(n, n);
      const Y = runKernel(jsBackend, { Y: new Float32Array(n), Z }, (be, p) => be.activationForward(p.Y, p.Z, n, act, alpha)).out.Y;
      expectParity(wasm, jsBackend, { dZ: new Float32Array(n).fill(NaN), dY: randomArray(n, 100 + n, -2, 2), Z, Y },
        (be, p) => be.activationBackward(p.dZ, p.dY, p.Z, p.Y, n, act, alpha), tolOf(act));
    });
  });

  it.each(AWKWARD_SIZES.map((n) => [n, n === 1 ? 1 : n - 1] as const))('softmaxForward rows=%i cols=%i', (rows, cols) => {
    expectParity(wasm, jsBackend, { Y: new Float32Array(rows * cols).fill(NaN), Z: randomArray(rows * cols, rows, -6, 6) },
      (be, p) => be.softmaxForward(p.Y, p.Z, rows, cols), { atol: 1e-9, rtol: 1e-6 });
  });

  // Logits at ±100: the max subtraction keeps exp in range; probabilities far below 1e-38 are
  // float32 subnormals or 0 in one core and not the other, hence the absolute floor.
  it.each([[3, 5], [17, 33], [5, 127]] as const)('softmaxForward at ±100, rows=%i cols=%i', (rows, cols) => {
    const Z = randomArray(rows * cols, 7 * rows, -100, 100);
    for (let r = 0; r < rows; r++) Z[r * cols + (r % cols)] = r % 2 ? 100 : -100;
    const { a, b } = expectParity(wasm, jsBackend, { Y: new Float32Array(rows * cols), Z },
      (be, p) => be.softmaxForward(p.Y, p.Z, rows, cols), { atol: 1e-30, rtol: 1e-6 });
    for (const out of [a.out.Y, b.out.Y]) {
      expectFinite('Y', out);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let c = 0; c < cols; c++) s += out[r * cols + c];
        expect(Math.abs(s - 1)).toBeLessThan(1e-6);
      }
    }
  });

  it.each(AWKWARD_SIZES.map((n) => [n, n === 1 ? 1 : n - 1] as const))('softmaxBackward rows=%i cols=%i', (rows, cols) => {
    const Z = randomArray(rows * cols, rows, -6, 6);
    const Y = runKernel(jsBackend, { Y: new Float32Array(rows * cols), Z }, (be, p) => be.softmaxForward(p.Y, p.Z, rows, cols)).out.Y;
    // The row dot product Σ dY·Y is float32 in wasm: atol = a few ulps of the row's Σ|dY|·Y ≤ 2.
    expectParity(wasm, jsBackend, { dZ: new Float32Array(rows * cols).fill(NaN), dY: randomArray(rows * cols, 50 + rows, -2, 2), Y },
      (be, p) => be.softmaxBackward(p.dZ, p.dY, p.Y, rows, cols), { atol: 5e-7, rtol: 1e-6 });
  });
});

describe('activation gradients against central differences (float64 js core)', () => {
  const be = jsBackend64;
  const n = 41;

  /** Inputs over [−7, 7] kept 0.05 away from every kink: 0, ±3 (hardSigmoid), 6 (relu6). */
  function smoothInputs(seed: number): Float64Array {
    const r = rng(seed);
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let v = -7 + 14 * r();
      for (const k of [0, -3, 3, 6]) if (Math.abs(v - k) < 0.05) v = k + (v < k ? -0.05 : 0.05);
      z[i] = v;
    }
    return z;
  }

  const GRAD_TOL: Tolerance = { atol: 1e-9, rtol: 1e-6 };

  it.each(ACTS)('%s', (name, act) => {
    const alpha = alphaOf(name);
    const z = smoothInputs(act + 1);
    const dY = f64(randomArray(n, 200 + act, -2, 2));
    // f(z) = Σ dY ⊙ act(z), so ∂f/∂z = activationBackward(dY).
    const f = (zz: Float64Array) => {
      const y = runKernel(be, { Y: new Float64Array(n), Z: zz }, (be, p) => be.activationForward(p.Y, p.Z, n, act, alpha)).out.Y;
      return y.reduce((s, yi, i) => s + dY[i] * yi, 0);
    };
    const y = runKernel(be, { Y: new Float64Array(n), Z: z }, (be, p) => be.activationForward(p.Y, p.Z, n, act, alpha)).out.Y;
    const dZ = runKernel(be, { dZ: new Float64Array(n), dY, Z: z, Y: y },
      (be, p) => be.activationBackward(p.dZ, p.dY, p.Z, p.Y, n, act, alpha)).out.dZ;
    expectCloseNamed(name, dZ, numericGradient(f, z), GRAD_TOL);
  });

  it.each([[1, 3], [3, 5], [5, 17], [2, 1]] as const)('softmax rows=%i cols=%i', (rows, cols) => {
    const z = f64(randomArray(rows * cols, rows * 10 + cols, -3, 3));
    const w = f64(randomArray(rows * cols, 99, -2, 2));
    const softmax = (zz: Float64Array) =>
      runKernel(be, { Y: new Float64Array(rows * cols), Z: zz }, (be, p) => be.softmaxForward(p.Y, p.Z, rows, cols)).out.Y;
    const f = (zz: Float64Array) => softmax(zz).reduce((s, yi, i) => s + w[i] * yi, 0);
    const dZ = runKernel(be, { dZ: new Float64Array(rows * cols), dY: w, Y: softmax(z) },
      (be, p) => be.softmaxBackward(p.dZ, p.dY, p.Y, rows, cols)).out.dZ;
    expectCloseNamed('dZ', dZ, numericGradient(f, z), GRAD_TOL);
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('activation values on %s', (beName) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(beName); });

  // f(z) at z = −4, −1, 0, 0.5, 2, 7 from the definitions (Keras 3: hard_sigmoid = relu6(z + 3)/6,
  // leaky slope 0.3 here, elu alpha 0.7, gelu = z·Φ(z) with the exact erf).
  const Z = [-4, -1, 0, 0.5, 2, 7];
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  const softplus = (z: number) => Math.log1p(Math.exp(z));
  const SELU_SCALE = 1.0507009873554805, SELU_ALPHA = 1.6732632423543772;
  // The standard normal CDF Φ at the points of Z, from tables.
  const PHI = [3.167124183311998e-5, 0.15865525393145707, 0.5, 0.6914624612740131, 0.9772498680518208, 1 - 1.279812543885835e-12];
  const expected: Record<keyof typeof Act, number[]> = {
    linear: Z,
    relu: [0, 0, 0, 0.5, 2, 7],
    relu6: [0, 0, 0, 0.5, 2, 6],
    leakyRelu: [-1.2, -0.3, 0, 0.5, 2, 7],
    elu: Z.map((z) => (z > 0 ? z : 0.7 * Math.expm1(z))),
    selu: Z.map((z) => (z > 0 ? SELU_SCALE * z : SELU_SCALE * SELU_ALPHA * Math.expm1(z))),
    sigmoid: Z.map(sig),
    hardSigmoid: [0, 1 / 3, 0.5, 7 / 12, 5 / 6, 1],
    tanh: Z.map(Math.tanh),
    softplus: Z.map(softplus),
    softsign: Z.map((z) => z / (1 + Math.abs(z))),
    swish: Z.map((z) => z * sig(z)),
    gelu: Z.map((z, i) => z * PHI[i]),
  };

  it.each(ACTS)('%s forward', (name, act) => {
    const r = runKernel(be, { Y: new Float32Array(Z.length), Z }, (be, p) => be.activationForward(p.Y, p.Z, Z.length, act, alphaOf(name)));
    expectCloseNamed(name, r.out.Y, expected[name], { atol: 1e-7, rtol: 3e-7 });
  });

  // elu/selu on z < 0 is α·(eᶻ − 1): near 0 it needs expm1, and its slope α·eᶻ must come from z,
  // not from y + α, which for z ≪ 0 keeps only the rounding of y ≈ −α (float32: 2e-3 relative at z = −10).
  it('elu and selu keep relative precision at z = −1e-4 and z = −10', () => {
    const z = [-1e-4, -10];
    for (const [name, act, a] of [['elu', Act.elu, 0.7], ['selu', Act.selu, 1.0507009873554805 * 1.6732632423543772]] as const) {
      const alpha = name === 'elu' ? 0.7 : 0;
      const r = runKernel(be, { Y: new Float32Array(2), Z: z, dZ: new Float32Array(2), dY: [1, 1] }, (be, p) => {
        be.activationForward(p.Y, p.Z, 2, act, alpha);
        be.activationBackward(p.dZ, p.dY, p.Z, p.Y, 2, act, alpha);
      });
      expectCloseNamed(`${name} Y`, r.out.Y, z.map((v) => a * Math.expm1(v)), { atol: 0, rtol: 1e-6 });
      expectCloseNamed(`${name} dZ`, r.out.dZ, z.map((v) => a * Math.exp(v)), { atol: 0, rtol: 1e-6 });
    }
  });

  it('forward and backward allow Y = Z and dZ = dY (in place)', () => {
    const n = 9;
    const z = randomArray(n, 3, -4, 4);
    for (const [name, act] of ACTS) {
      const alpha = alphaOf(name);
      const apart = runKernel(be, { Y: new Float32Array(n), Z: z, dZ: new Float32Array(n), dY: randomArray(n, 4) }, (be, p) => {
        be.activationForward(p.Y, p.Z, n, act, alpha);
        be.activationBackward(p.dZ, p.dY, p.Z, p.Y, n, act, alpha);
      }).out;
      const inPlace = runKernel(be, { Z: z, ZY: z, dYZ: randomArray(n, 4) }, (be, p) => {
        be.activationForward(p.ZY, p.ZY, n, act, alpha);
        be.activationBackward(p.dYZ, p.dYZ, p.Z, p.ZY, n, act, alpha);
      }).out;
      expectCloseNamed(`${name} Y`, inPlace.ZY, apart.Y, { atol: 0, rtol: 0 });
      expectCloseNamed(`${name} dZ`, inPlace.dYZ, apart.dZ, { atol: 0, rtol: 0 });
    }
  });

  it('softmax forward and backward allow Y = Z and dZ = dY', () => {
    const rows = 3, cols = 7;
    const z = randomArray(rows * cols, 5, -3, 3), dy = randomArray(rows * cols, 6);
    const apart = runKernel(be, { Y: new Float32Array(rows * cols), Z: z, dZ: new Float32Array(rows * cols), dY: dy }, (be, p) => {
      be.softmaxForward(p.Y, p.Z, rows, cols);
      be.softmaxBackward(p.dZ, p.dY, p.Y, rows, cols);
    }).out;
    const inPlace = runKernel(be, { ZY: z, dYZ: dy }, (be, p) => {
      be.softmaxForward(p.ZY, p.ZY, rows, cols);
      be.softmaxBackward(p.dYZ, p.dYZ, p.ZY, rows, cols);
    }).out;
    expectCloseNamed('Y', inPlace.ZY, apart.Y, { atol: 0, rtol: 0 });
    expectCloseNamed('dZ', inPlace.dYZ, apart.dZ, { atol: 0, rtol: 0 });
  });

  // NaN at positions 1 (in the first f32x4) and 5 (in the scalar tail of n = 6).
  it('relu, sigmoid and tanh propagate NaN in the SIMD body and the tail', () => {
    for (const act of [Act.relu, Act.sigmoid, Act.tanh]) {
      const r = runKernel(be, { Y: new Float32Array(6), Z: [1, NaN, -1, 2, -2, NaN] }, (be, p) => be.activationForward(p.Y, p.Z, 6, act, 0));
      expect(Number.isNaN(r.out.Y[1]) && Number.isNaN(r.out.Y[5]), `act ${act}`).toBe(true);
      expectFinite(`act ${act}`, [r.out.Y[0], r.out.Y[2], r.out.Y[3], r.out.Y[4]]);
    }
  });

  it('softmax at ±100 by hand: [100, −100, 100, 0] and [−100, −100, −100]', () => {
    const r = runKernel(be, { Y: new Float32Array(4), Z: [100, -100, 100, 0], Y2: new Float32Array(3), Z2: [-100, -100, -100] }, (be, p) => {
      be.softmaxForward(p.Y, p.Z, 1, 4);
      be.softmaxForward(p.Y2, p.Z2, 1, 3);
    });
    // e⁻¹⁰⁰/2 = 1.9e-44 is a float32 subnormal: the absolute floor lets it be 0 or a few ulps off.
    expectCloseNamed('Y', r.out.Y, [0.5, Math.exp(-200) / 2, 0.5, Math.exp(-100) / 2], { atol: 1e-44, rtol: 2e-7 });
    expectCloseNamed('Y2', r.out.Y2, [1 / 3, 1 / 3, 1 / 3], { atol: 0, rtol: 2e-7 });
  });

  it('softmaxBackward by hand: Y = [0.2, 0.3, 0.5], dY = [1, 0, −1]', () => {
    // Σ dY·Y = 0.2 − 0.5 = −0.3; dZ = Y ⊙ (dY + 0.3) = [0.26, 0.09, −0.35].
    const r = runKernel(be, { dZ: [NaN, NaN, NaN], dY: [1, 0, -1], Y: [0.2, 0.3, 0.5] }, (be, p) => be.softmaxBackward(p.dZ, p.dY, p.Y, 1, 3));
    expectCloseNamed('dZ', r.out.dZ, [0.26, 0.09, -0.35], { atol: 0, rtol: 3e-7 });
  });
});
