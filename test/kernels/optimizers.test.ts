// Optimizer updates: wasm against js over three steps for every option, and two steps against
// the Keras 3 update rules worked out here in plain float64 arithmetic.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { AWKWARD_SIZES, backendByName, jsBackend, wasmBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/close.js';
import { expectCloseNamed, expectParity, runKernel, type Buffers, type KernelCall, type Tolerance } from '../helpers/kernel-run.js';

/** Keras 3's bias-corrected Adam step size for step t (the caller's job). */
const adamAlpha = (lr: number, b1: number, b2: number, t: number) => (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);

interface OptimizerCase {
  name: string;
  /** State buffers (besides W and the gradients G1..G3) with their initial values for n floats. */
  state(n: number): Buffers;
  /** One step with gradient buffer G at step t (1-based). */
  step(n: number, t: number): KernelCall;
}

const nanBuffer = (n: number) => new Float32Array(n).fill(NaN);

// Unused state buffers hold NaN: a kernel that read one would spread NaN into W, and parity
// (NaN matches NaN) checks they come back untouched.
const CASES: OptimizerCase[] = [
  ...[[0, 0], [0.9, 0], [0.9, 1]].map(([momentum, nesterov]): OptimizerCase => ({
    name: `sgd momentum=${momentum} nesterov=${nesterov}`,
    state: (n) => ({ V: momentum ? randomArray(n, 1, -0.1, 0.1) : nanBuffer(n) }),
    step: (n, t) => (be, p) => be.sgdUpdate(p.W, p.V, p[`G${t}`], n, 0.05, momentum, nesterov),
  })),
  ...[0, 1].map((amsgrad): OptimizerCase => ({
    name: `adam amsgrad=${amsgrad}`,
    state: (n) => ({ M: randomArray(n, 2, -0.1, 0.1), V: randomArray(n, 3, 0, 0.02), Vhat: amsgrad ? randomArray(n, 4, 0, 0.03) : nanBuffer(n) }),
    step: (n, t) => (be, p) => be.adamUpdate(p.W, p.M, p.V, p.Vhat, p[`G${t}`], n, adamAlpha(0.001, 0.9, 0.999, t + 10), 0.9, 0.999, 1e-7, amsgrad),
  })),
  ...[[0, 0], [0, 1], [0.9, 0], [0.9, 1]].map(([momentum, centered]): OptimizerCase => ({
    name: `rmsprop momentum=${momentum} centered=${centered}`,
    state: (n) => ({
      V: randomArray(n, 5, 0.01, 0.05),
      A: centered ? randomArray(n, 6, -0.05, 0.05) : nanBuffer(n),
      Mo: momentum ? randomArray(n, 7, -0.01, 0.01) : nanBuffer(n),
    }),
    step: (n, t) => (be, p) => be.rmspropUpdate(p.W, p.V, p.A, p.Mo, p[`G${t}`], n, 0.001, 0.9, momentum, 1e-7, centered),
  })),
  {
    name: 'adagrad',
    state: (n) => ({ Acc: randomArray(n, 8, 0.1, 0.5) }),
    step: (n, t) => (be, p) => be.adagradUpdate(p.W, p.Acc, p[`G${t}`], n, 0.01, 1e-7),
  },
];

describe('optimizer parity over three steps (wasm vs js)', () => {
  let wasm: Backend;
  beforeAll(async () => { wasm = await wasmBackend(); });

  // Each step is a handful of float32 operations; wasm rounds after each, js once at the store.
  // Updates subtract terms of similar size (momentum·v − lr·g, m + (g − m)(1 − β1), w − step), so
  // an element near 0 carries the rounding of its larger terms: compare normwise, within 1e-6
  // (8 ulps) of the buffer's largest |value|, plus 1e-6 relative.
  const TOL: Tolerance = { atol: 0, rtol: 1e-6, normwise: 1e-6 };

  describe.each(CASES)('$name', (opt) => {
    it.each(AWKWARD_SIZES)('n=%i', (n) => {
      const buffers = { W: randomArray(n, 100 + n), ...opt.state(n), G1: randomArray(n, 200 + n), G2: randomArray(n, 300 + n, -2, 2), G3: randomArray(n, 400 + n, -0.1, 0.1) };
      const { a } = expectParity(wasm, jsBackend, buffers, (be, p) => { for (const t of [1, 2, 3]) opt.step(n, t)(be, p); }, TOL);
      for (const v of a.out.W) expect(Number.isFinite(v)).toBe(true);
    });
  });
});

describe.each(['wasm', 'js', 'js64'] as const)('optimizer steps against Keras 3 rules by hand on %s', (name) => {
  let be: Backend;
  beforeAll(async () => { be = await backendByName(name); });
  // The float32 cores round inputs, hyperparameters and every intermediate to float32.
  const tol = (): Tolerance => (name === 'js64' ? { atol: 1e-15, rtol: 1e-12 } : { atol: 1e-9, rtol: 1e-6 });

  const W0 = [0.5, -1, 2];
  const G1 = [0.1, -0.2, 0.3];
  // G2[0] is tiny so that v decreases at index 0 and amsgrad's max(vhat, v) keeps the old v.
  const G2 = [0.001, 0.4, 0.3];

  it.each([0, 1])('adam, two steps, amsgrad=%i', (amsgrad) => {
    const lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7;
    // By hand, Keras 3 Adam.update_step with m, v (and vhat) starting at 0.
    const w = [...W0], m = [0, 0, 0], v = [0, 0, 0], vhat = [0, 0, 0];
    for (const [t, g] of [[1, G1], [2, G2]] as const) {
      const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (let i = 0; i < 3; i++) {
        m[i] += (g[i] - m[i]) * (1 - b1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
        vhat[i] = Math.max(vhat[i], v[i]);
        w[i] -= (m[i] * alpha) / (Math.sqrt(amsgrad ? vhat[i] : v[i]) + eps);
      }
    }
    if (amsgrad) expect(vhat[0]).toBeGreaterThan(v[0]);
    const r = runKernel(be, { W: W0, M: [0, 0, 0], V: [0, 0, 0], Vhat: amsgrad ? [0, 0, 0] : [NaN, NaN, NaN], G1, G2 }, (be, p) => {
      be.adamUpdate(p.W, p.M, p.V, p.Vhat, p.G1, 3, adamAlpha(lr, b1, b2, 1), b1, b2, eps, amsgrad);
      be.adamUpdate(p.W, p.M, p.V, p.Vhat, p.G2, 3, adamAlpha(lr, b1, b2, 2), b1, b2, eps, amsgrad);
    });
    expectCloseNamed('W', r.out.W, w, tol());
    expectCloseNamed('M', r.out.M, m, tol());
    expectCloseNamed('V', r.out.V, v, tol());
    expectCloseNamed('Vhat', r.out.Vhat, amsgrad ? vhat : [NaN, NaN, NaN], tol());
  });

  it('adam with β2 = 0.9999 keeps 1 − β2 exact (not 1 − float32(β2))', () => {
    // One step from v = 0: v = g²·(1 − β2). float32(0.9999) = 0.99989998, so 1 − float32(β2)
    // would be 1.0002e-4, 2.4e-4 relative off.
    const r = runKernel(be, { W: [0], M: [0], V: [0], Vhat: [NaN], G: [3] }, (be, p) =>
      be.adamUpdate(p.W, p.M, p.V, p.Vhat, p.G, 1, 0.001, 0.9, 0.9999, 1e-7, 0));
    expectCloseNamed('V', r.out.V, [9 * (1 - 0.9999)], tol());
  });

  it.each([[0, 0], [0.9, 0], [0.9, 1]])('sgd, two steps, momentum=%f nesterov=%i', (momentum, nesterov) => {
    const lr = 0.1;
    // Keras 3 SGD.update_step: m = m·momentum − lr·g; w += nesterov ? m·momentum − lr·g : m.
    const w = [...W0], mo = [0, 0, 0];
    for (const g of [G1, G2]) {
      for (let i = 0; i < 3; i++) {
        if (momentum === 0) { w[i] -= lr * g[i]; continue; }
        mo[i] = mo[i] * momentum - lr * g[i];
        w[i] += nesterov ? mo[i] * momentum - lr * g[i] : mo[i];
      }
    }
    const r = runKernel(be, { W: W0, V: momentum ? [0, 0, 0] : [NaN, NaN, NaN], G1, G2 }, (be, p) => {
      be.sgdUpdate(p.W, p.V, p.G1, 3, lr, momentum, nesterov);
      be.sgdUpdate(p.W, p.V, p.G2, 3, lr, momentum, nesterov);
    });
    expectCloseNamed('W', r.out.W, w, tol());
    expectCloseNamed('V', r.out.V, momentum ? mo : [NaN, NaN, NaN], tol());
  });

  it.each([[0, 0], [0, 1], [0.5, 0], [0.5, 1]])('rmsprop, two steps, momentum=%f centered=%i', (momentum, centered) => {
    const lr = 0.01, rho = 0.9, eps = 1e-7;
    // Keras 3 RMSprop.update_step: v = ρv + (1−ρ)g²; centered: a = ρa + (1−ρ)g, d = v − a² + ε,
    // else d = v + ε; inc = lr·g/√d; momentum > 0: mo = momentum·mo + inc, w −= mo; else w −= inc.
    const w = [...W0], v = [0, 0, 0], a = [0, 0, 0], mo = [0, 0, 0];
    for (const g of [G1, G2]) {
      for (let i = 0; i < 3; i++) {
        v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
        a[i] = rho * a[i] + (1 - rho) * g[i];
        const d = centered ? v[i] - a[i] * a[i] + eps : v[i] + eps;
        const inc = (lr * g[i]) / Math.sqrt(d);
        if (momentum > 0) { mo[i] = momentum * mo[i] + inc; w[i] -= mo[i]; } else w[i] -= inc;
      }
    }
    const r = runKernel(be, { W: W0, V: [0, 0, 0], A: centered ? [0, 0, 0] : [NaN, NaN, NaN], Mo: momentum ? [0, 0, 0] : [NaN, NaN, NaN], G1, G2 }, (be, p) => {
      be.rmspropUpdate(p.W, p.V, p.A, p.Mo, p.G1, 3, lr, rho, momentum, eps, centered);
      be.rmspropUpdate(p.W, p.V, p.A, p.Mo, p.G2, 3, lr, rho, momentum, eps, centered);
    });
    const t = tol();
    expectCloseNamed('W', r.out.W, w, t);
    expectCloseNamed('V', r.out.V, v, t);
    expectCloseNamed('A', r.out.A, centered ? a : [NaN, NaN, NaN], t);
    expectCloseNamed('Mo', r.out.Mo, momentum ? mo : [NaN, NaN, NaN], t);
  });

  it('rmsprop with ρ = 0.999 keeps 1 − ρ exact', () => {
    const r = runKernel(be, { W: [0], V: [0], A: [NaN], Mo: [NaN], G: [3] }, (be, p) =>
      be.rmspropUpdate(p.W, p.V, p.A, p.Mo, p.G, 1, 0.001, 0.999, 0, 1e-7, 0));
    expectCloseNamed('V', r.out.V, [9 * (1 - 0.999)], tol());
  });

  it('adagrad, two steps from Keras\'s initial accumulator 0.1', () => {
    const lr = 0.01, eps = 1e-7;
    // Keras 3 Adagrad.update_step: acc += g²; w −= lr·g/√(acc + ε).
    const w = [...W0], acc = [0.1, 0.1, 0.1];
    for (const g of [G1, G2]) {
      for (let i = 0; i < 3; i++) {
        acc[i] += g[i] * g[i];
        w[i] -= (lr * g[i]) / Math.sqrt(acc[i] + eps);
      }
    }
    const r = runKernel(be, { W: W0, Acc: [0.1, 0.1, 0.1], G1, G2 }, (be, p) => {
      be.adagradUpdate(p.W, p.Acc, p.G1, 3, lr, eps);
      be.adagradUpdate(p.W, p.Acc, p.G2, 3, lr, eps);
    });
    expectCloseNamed('W', r.out.W, w, tol());
    expectCloseNamed('Acc', r.out.Acc, acc, tol());
  });
});
