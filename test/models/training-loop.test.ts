/** The custom training loop, standalone clipping (PyTorch semantics), Keras optimizer clipping, regularizers, AdamW. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, optimizers, ready, setSeed, tensor, clipGradNorm, clipGradValue, gradCheck, regularizers, type Tensor } from '../../bindings/index.js';
import { blobs, smallMlp } from '../helpers/models.js';
import { expectClose, randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); });

const flat = (ts: Tensor[]) => ts.flatMap((t) => Array.from(t.dataSync()));
const norm2 = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

function compiled(opt: Parameters<Sequential['compile']>[0]['optimizer'] = optimizers.sgd({ learningRate: 1 })) {
  const m = smallMlp(5);
  m.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('custom training loop', () => {
  const { x, y } = blobs(24, 1);

  it('computeGradients leaves weights alone and matches evaluate and getGradients', async () => {
    const m = compiled();
    const before = flat(m.getWeights());
    const { loss, grads } = m.computeGradients(x, y);
    expect(flat(m.getWeights())).toEqual(before);
    expect(grads.map((g) => g.shape)).toEqual(m.getWeights().map((w) => w.shape));
    expect(loss).toBeCloseTo((await m.evaluate(x, y, { batchSize: 24 })).loss, 6);
    expect(flat(m.getGradients())).toEqual(flat(grads));
    expect(norm2(flat(grads))).toBeGreaterThan(0);
  });

  it('a step zeroes only the gradients its layers add to: Dense and Conv2D kernels are written whole, so NaN left in the buffer leaves no trace', () => {
    const model = (seed: number) => {
      setSeed(seed);
      const m = new Sequential([
        layers.reshape({ targetShape: [2, 2, 1], inputShape: [4] }),
        layers.conv2d({ filters: 3, kernelSize: 2, activation: 'relu' }),
        layers.flatten(),
        layers.dense({ units: 8, activation: 'relu' }),
        layers.batchNormalization(),
        layers.dense({ units: 3, activation: 'softmax' }),
      ]);
      m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      return m;
    };
    const clean = model(9), dirty = model(9);
    const want = flat(clean.computeGradients(x, y).grads);
    dirty.computeGradients(x, y); // builds it
    const { be, params } = dirty.engine, n = params.trainableFloats;
    be.fill(params.grads, NaN, n);
    expect(flat(dirty.computeGradients(x, y).grads)).toEqual(want);
    expect(want.every(Number.isFinite) && norm2(want) > 0).toBe(true);
    // What is zeroed each step: every trainable weight but the kernels (biases, gamma, beta).
    const weights = dirty.layers.flatMap((l) => l.weights).filter((w) => w.trainable);
    const { zeroed } = dirty.engine.params;
    const zeroedFloats = zeroed.filter((_: number, i: number) => i % 2).reduce((a: number, b: number) => a + b, 0);
    expect(zeroedFloats).toBe(weights.filter((w) => w.name !== 'kernel').reduce((a, w) => a + w.size, 0));
    expect(zeroedFloats).toBeLessThan(n);
  });

  it('applyGradients runs the optimizer on the buffer: SGD lr 1 gives w − g, like trainOnBatch', () => {
    const a = compiled(), b = compiled();
    const w0 = flat(a.getWeights());
    const { grads } = a.computeGradients(x, y);
    a.applyGradients();
    const g = flat(grads);
    expectClose(flat(a.getWeights()), w0.map((w, i) => w - g[i]), { atol: 1e-6 });
    const logs = b.trainOnBatch(x, y);
    expect(Object.keys(logs)).toEqual(['loss', 'accuracy']);
    expect(flat(b.getWeights())).toEqual(flat(a.getWeights()));
  });

  it('clipGradNorm returns the pre-clip norm and scales by maxNorm/(total+1e-6) only when < 1', () => {
    const m = compiled();
    const g = flat(m.computeGradients(x, y).grads);
    const total = norm2(g);
    expect(clipGradNorm(m, 1e6)).toBeCloseTo(total, 5);
    expect(flat(m.getGradients())).toEqual(g); // not scaled
    const max = total / 4;
    expect(clipGradNorm(m, max)).toBeCloseTo(total, 5);
    expectClose(flat(m.getGradients()), g.map((v) => v * (max / (total + 1e-6))), { atol: 1e-7, rtol: 1e-5 });
    expect(norm2(flat(m.getGradients()))).toBeCloseTo(max, 5);
  });

  it('clipGradNorm with normType Infinity, and errorIfNonfinite', () => {
    const m = compiled();
    const g = flat(m.computeGradients(x, y).grads);
    const maxAbs = Math.max(...g.map(Math.abs));
    expect(clipGradNorm(m, maxAbs / 2, { normType: Infinity })).toBeCloseTo(maxAbs, 6);
    expect(Math.max(...flat(m.getGradients()).map(Math.abs))).toBeCloseTo(maxAbs / 2, 5);
    // Gradients that overflow float32 give an infinite norm.
    const huge = tensor(new Float32Array(24 * 4).fill(1e30), [24, 4]);
    const mse = new Sequential([layers.dense({ units: 3, inputShape: [4] })]);
    mse.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    mse.computeGradients(huge, tensor(new Float32Array(72), [24, 3]));
    const before = flat(mse.getGradients());
    expect(() => clipGradNorm(mse, 1, { errorIfNonfinite: true })).toThrow(/total norm of order 2 .* is (Infinity|NaN)/);
    expect(flat(mse.getGradients())).toEqual(before);
    expect(Number.isFinite(clipGradNorm(mse, 1))).toBe(false);
  });

  it('clipGradValue clamps in place; bad arguments are clear errors', () => {
    const m = compiled();
    const g = flat(m.computeGradients(x, y).grads);
    clipGradValue(m, 0.01);
    expect(flat(m.getGradients())).toEqual(g.map((v) => Math.fround(Math.min(Math.max(v, -0.01), 0.01))));
    expect(() => clipGradNorm(m, 0)).toThrow(/maxNorm must be a positive number, got 0/);
    expect(() => clipGradNorm(m, 1, { normType: 1 as never })).toThrow(/normType must be 2 or Infinity/);
    expect(() => clipGradValue(m, -1)).toThrow(/clipValue must be a non-negative number, got -1/);
    expect(() => clipGradNorm(smallMlp(), 1)).toThrow(/clipGradNorm: sequential\w* is not built; call computeGradients\(x, y\) first/);
  });
});

describe('Keras 3 optimizer clipping (SGD lr 1: w_new = w − clip(g))', () => {
  const { x, y } = blobs(24, 2);
  const step = (opt: ReturnType<typeof optimizers.sgd>) => {
    const ref = compiled();
    const { grads } = ref.computeGradients(x, y);
    const m = compiled(opt);
    const w0 = m.getWeights().map((t) => Array.from(t.dataSync()));
    m.trainOnBatch(x, y);
    return { grads: grads.map((t) => Array.from(t.dataSync())), w0, w1: m.getWeights().map((t) => Array.from(t.dataSync())) };
  };

  it('clipnorm clips each variable to that L2 norm', () => {
    const { grads, w0, w1 } = step(optimizers.sgd({ learningRate: 1, clipnorm: 0.05 }));
    grads.forEach((g, k) => {
      const n = norm2(g), s = 0.05 / Math.max(n, 0.05);
      expectClose(w1[k], w0[k].map((w, i) => w - g[i] * s), { atol: 1e-6 });
    });
  });

  it('globalClipnorm scales all gradients by one factor', () => {
    const { grads, w0, w1 } = step(optimizers.sgd({ learningRate: 1, globalClipnorm: 0.05 }));
    const n = norm2(grads.flat()), s = 0.05 / Math.max(n, 0.05);
    expect(s).toBeLessThan(1);
    grads.forEach((g, k) => expectClose(w1[k], w0[k].map((w, i) => w - g[i] * s), { atol: 1e-6 }));
  });

  it('clipvalue clamps elementwise', () => {
    const { grads, w0, w1 } = step(optimizers.sgd({ learningRate: 1, clipvalue: 0.001 }));
    grads.forEach((g, k) => expectClose(w1[k], w0[k].map((w, i) => w - Math.min(Math.max(g[i], -0.001), 0.001)), { atol: 1e-6 }));
  });

  it('only one clipping option; positive values only', () => {
    expect(() => optimizers.adam({ clipnorm: 1, globalClipnorm: 1 })).toThrow(/only one of clipnorm, clipvalue, globalClipnorm may be set, got clipnorm and globalClipnorm/);
    expect(() => optimizers.sgd({ clipnorm: -1 })).toThrow(/clipnorm must be a positive number, got -1/);
    expect(() => optimizers.sgd({ learningRate: -0.1 })).toThrow(/learningRate must be a non-negative number, got -0.1/);
  });
});

describe('regularizers and AdamW', () => {
  const x = tensor(randomArray(40, 3, -1, 1), [10, 4]);
  const y = tensor(randomArray(20, 4, -1, 1), [10, 2]);

  it('the penalty joins the loss and its gradient passes the finite-difference check', async () => {
    setSeed(3);
    const plain = new Sequential([layers.dense({ units: 5, activation: 'tanh', inputShape: [4] }), layers.dense({ units: 2 })]);
    setSeed(3);
    const reg = new Sequential([
      layers.dense({ units: 5, activation: 'tanh', inputShape: [4], kernelRegularizer: regularizers.l1l2({ l1: 0.01, l2: 0.02 }), biasRegularizer: 'l2', activityRegularizer: regularizers.l2({ l2: 0.003 }) }),
      layers.dense({ units: 2, kernelRegularizer: 'l1' }),
    ]);
    for (const m of [plain, reg]) m.compile({ optimizer: 'sgd', loss: 'mse' });
    const w = reg.getWeights().map((t) => Array.from(t.dataSync()));
    const hidden = setSeed(3) ?? new Sequential([layers.dense({ units: 5, activation: 'tanh', inputShape: [4] })]);
    const h = Array.from(hidden.predict(x).dataSync());
    const abs = (v: number[]) => v.reduce((s, a) => s + Math.abs(a), 0), sq = (v: number[]) => v.reduce((s, a) => s + a * a, 0);
    const penalty = 0.01 * abs(w[0]) + 0.02 * sq(w[0]) + 0.01 * sq(w[1]) + 0.003 * sq(h) + 0.01 * abs(w[2]);
    const lp = (await plain.evaluate(x, y)).loss, lr = (await reg.evaluate(x, y)).loss;
    expect(lr - lp).toBeCloseTo(penalty, 5);
    expect(gradCheck(reg, x, y, { epsilon: 1e-6 }).maxRelError).toBeLessThan(1e-5);
    expect(() => regularizers.l2({ l2: -1 })).toThrow(/l2 must be a non-negative number, got -1/);
    expect(() => layers.dense({ units: 2, kernelRegularizer: 'l3' })).toThrow(/dense\w*: unknown kernelRegularizer 'l3'; valid names: l1, l2, l1l2/);
  });

  it('AdamW decays every weight by lr·wd before the Adam step', () => {
    const { x: bx, y: by } = blobs(12, 4);
    const a = compiled(optimizers.adam({ learningRate: 0.01 }));
    const b = compiled(optimizers.adamw({ learningRate: 0.01, weightDecay: 0.5 }));
    const w0 = flat(a.getWeights());
    a.trainOnBatch(bx, by); b.trainOnBatch(bx, by);
    const wa = flat(a.getWeights()), wb = flat(b.getWeights());
    // Same Adam update; AdamW also subtracts lr·wd·w0.
    expectClose(wb, wa.map((v, i) => v - 0.01 * 0.5 * w0[i]), { atol: 1e-6 });
    expect(optimizers.adamw().weightDecay).toBe(0.004);
  });
});
