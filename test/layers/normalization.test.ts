/**
 * Behaviour of BatchNormalization, LayerNormalization and Dropout on every backend: training
 * against inference outputs, the moving averages after fit steps, output statistics, dropout's
 * mask (fraction, scaling, determinism, the same on wasm and js), and argument errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Sequential, layers, ready, setBackend, setSeed, tensor, BatchNormalization, LayerNormalization,
} from '../../bindings/index.js';
import { random } from '../../bindings/random.js';
import { expectClose, randomArray } from '../helpers/close.js';
import { harness } from '../helpers/layer-harness.js';

beforeAll(async () => { await ready(); });


/** (rows, cols) data whose column c has mean ≈ c − 2 and spread ≈ 1 + c/2: normalization has work to do. */
function offsetData(rows: number, cols: number, seed: number): Float32Array {
  const u = randomArray(rows * cols, seed);
  return u.map((v, i) => (i % cols) - 2 + (1 + (i % cols) / 2) * v);
}

/** Mean and biased variance of a vector, in float64. */
function stats(x: ArrayLike<number>) {
  const { mean, variance } = columnStats(x, x.length, 1);
  return { mean: mean[0], variance: variance[0] };
}

/** Per-column mean and biased variance (stride = cols), in float64. */
function columnStats(x: ArrayLike<number>, rows: number, cols: number) {
  const mean = new Float64Array(cols), variance = new Float64Array(cols);
  for (let i = 0; i < rows * cols; i++) mean[i % cols] += x[i] / rows;
  for (let i = 0; i < rows * cols; i++) variance[i % cols] += (x[i] - mean[i % cols]) ** 2 / rows;
  return { mean, variance };
}

describe.each(['wasm', 'js'] as const)('BatchNormalization on %s', (name) => {
  beforeAll(() => setBackend(name));

  it('training normalizes each feature with the batch statistics; inference uses the moving ones', () => {
    const rows = 64, cols = 5, eps = 1e-3;
    const x = offsetData(rows, cols, 1);
    const h = harness(layers.batchNormalization({}), [cols], rows);
    const { mean, variance } = columnStats(x, rows, cols);
    // Inference with the initial moving statistics (mean 0, variance 1): y = x/√(1 + ε).
    const yInfer = h.forward(x, false);
    expectClose(yInfer, Float64Array.from(x, (v) => v / Math.sqrt(1 + eps)), { atol: 1e-6, rtol: 1e-6 });
    const yTrain = h.forward(x, true);
    const s = columnStats(yTrain, rows, cols);
    // Biased variance: the normalized output has variance v/(v + ε), just under 1.
    expectClose(s.mean, new Float64Array(cols), { atol: 1e-6, rtol: 0 });
    expectClose(s.variance, variance.map((v) => v / (v + eps)), { atol: 0, rtol: 1e-5 });
    // The training pass moved the moving statistics 1% of the way to the batch's (momentum 0.99).
    expectClose(h.weight('moving_mean'), mean.map((m) => m * 0.01), { atol: 1e-7, rtol: 1e-5 });
    expectClose(h.weight('moving_variance'), variance.map((v) => 0.99 + v * 0.01), { atol: 1e-7, rtol: 1e-5 });
    expect(mean.some((m) => Math.abs(m) > 0.5)).toBe(true);
    h.dispose();
  });

  it('moving statistics after one and two fit steps: moving·momentum + batch·(1 − momentum); predict uses them', async () => {
    const rows = 20, cols = 3, momentum = 0.9;
    const x = offsetData(rows, cols, 2);
    setSeed(1);
    const model = new Sequential([layers.batchNormalization({ inputShape: [cols], momentum })]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const { mean, variance } = columnStats(x, rows, cols);
    const xt = tensor(x, [rows, cols]), yt = tensor(new Float32Array(rows * cols), [rows, cols]);
    // One batch of all samples per step, so each step's batch statistics are those of x.
    await model.fit(xt, yt, { epochs: 1, batchSize: rows, shuffle: false, verbose: 0 });
    let [gamma, beta, mm, mv] = model.getWeights().map((t) => t.dataSync());
    expectClose(mm, mean.map((m) => 0 * momentum + m * (1 - momentum)), { atol: 1e-6, rtol: 1e-5 });
    expectClose(mv, variance.map((v) => 1 * momentum + v * (1 - momentum)), { atol: 1e-6, rtol: 1e-5 });
    await model.fit(xt, yt, { epochs: 1, batchSize: rows, shuffle: false, verbose: 0 });
    const prev = [mm, mv];
    [gamma, beta, mm, mv] = model.getWeights().map((t) => t.dataSync());
    expectClose(mm, mean.map((m, c) => prev[0][c] * momentum + m * (1 - momentum)), { atol: 1e-6, rtol: 1e-5 });
    expectClose(mv, variance.map((v, c) => prev[1][c] * momentum + v * (1 - momentum)), { atol: 1e-6, rtol: 1e-5 });
    // γ and β were trained (the loss pulls y toward 0); the moving statistics are not the optimizer's.
    expect(Array.from(gamma).every((g) => g < 1)).toBe(true);
    const p = model.predict(xt).dataSync();
    expectClose(p, Float64Array.from(x, (v, i) => {
      const c = i % cols;
      return gamma[c] * (v - mm[c]) / Math.sqrt(mv[c] + 1e-3) + beta[c];
    }), { atol: 1e-5, rtol: 1e-5 });
    // predict and evaluate run in inference mode: the moving statistics stay put.
    await model.evaluate(xt, yt);
    expect(Array.from(model.getWeights()[2].dataSync())).toEqual(Array.from(mm));
    model.dispose();
  });

  it('frozen (trainable: false): fit changes neither γ, β nor the moving statistics, and runs in inference mode', async () => {
    setSeed(2);
    const bn = layers.batchNormalization({ inputShape: [4], trainable: false });
    const model = new Sequential([bn, layers.dense({ units: 1 })]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = model.getWeights().slice(0, 4).map((t) => Array.from(t.dataSync()));
    const x = tensor(offsetData(16, 4, 3), [16, 4]);
    await model.fit(x, tensor(randomArray(16, 4), [16, 1]), { epochs: 2, batchSize: 8, verbose: 0 });
    expect(model.getWeights().slice(0, 4).map((t) => Array.from(t.dataSync()))).toEqual(before);
    expect(model.summary(null)).toMatch(/Non-trainable params: 16/);
    model.dispose();
  });

  it('3-D inputs: statistics over samples × positions, per feature of the last axis', () => {
    const batch = 8, positions = 3, cols = 4;
    const x = offsetData(batch * positions, cols, 4);
    const h = harness(layers.batchNormalization({ center: false, scale: false }), [positions, cols], batch);
    const { variance } = columnStats(x, batch * positions, cols);
    const s = columnStats(h.forward(x, true), batch * positions, cols);
    expectClose(s.mean, new Float64Array(cols), { atol: 1e-6, rtol: 0 });
    expectClose(s.variance, variance.map((v) => v / (v + 1e-3)), { atol: 0, rtol: 1e-5 });
    expect(h.weight('moving_mean')).toHaveLength(cols);
    h.dispose();
  });

  it('a bias right before it gets a zero gradient (the batch mean removes it)', () => {
    setSeed(3);
    const model = new Sequential([
      layers.dense({ units: 4, inputShape: [3], biasInitializer: 'randomNormal' }),
      layers.batchNormalization({}),
      layers.dense({ units: 1 }),
    ]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const { grads } = model.computeGradients(tensor(randomArray(10 * 3, 5), [10, 3]), tensor(randomArray(10, 6), [10, 1]));
    const [kernel, bias] = grads.map((g) => Array.from(g.dataSync()));
    expect(Math.max(...bias.map(Math.abs))).toBeLessThan(1e-6);
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('weights in Keras order, the moving statistics non-trainable; getConfig rebuilds the layer', () => {
    const bn = new BatchNormalization({ name: 'bn_cfg', momentum: 0.8, epsilon: 1e-4, center: false });
    bn.build([6]);
    expect(bn.weights.map((w) => [w.name, w.trainable])).toEqual([['gamma', true], ['moving_mean', false], ['moving_variance', false]]);
    expect(bn.countParams()).toBe(18);
    expect(new BatchNormalization(bn.getConfig() as never).getConfig()).toEqual(bn.getConfig());
    expect(bn.getConfig()).toMatchObject({ axis: -1, momentum: 0.8, epsilon: 1e-4, center: false, scale: true });
  });
});

describe.each(['wasm', 'js'] as const)('LayerNormalization on %s', (name) => {
  beforeAll(() => setBackend(name));

  it('each row gets mean 0 and variance v/(v + ε); training and inference agree bit for bit', () => {
    const rows = 9, cols = 33, eps = 1e-3;
    const x = offsetData(rows, cols, 7);
    const h = harness(layers.layerNormalization({}), [cols], rows);
    const y = h.forward(x, true);
    for (let r = 0; r < rows; r++) {
      const v = stats(x.subarray(r * cols, (r + 1) * cols)).variance;
      const out = stats(y.subarray(r * cols, (r + 1) * cols));
      expect(Math.abs(out.mean), `row ${r} mean`).toBeLessThan(1e-6);
      expect(Math.abs(out.variance / (v / (v + eps)) - 1), `row ${r} variance`).toBeLessThan(1e-5);
    }
    expect(Array.from(h.forward(x, false))).toEqual(Array.from(y));
    h.dispose();
  });

  it('predict gives the same as a training forward; weights [gamma, beta]', () => {
    setSeed(4);
    const model = new Sequential([layers.layerNormalization({ inputShape: [2, 5], gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal' })]);
    const x = tensor(offsetData(6, 5, 8), [3, 2, 5]);
    const p = model.predict(x).dataSync();
    const [gamma, beta] = model.getWeights().map((t) => t.dataSync());
    expect(model.layers[0].weights.map((w) => w.name)).toEqual(['gamma', 'beta']);
    const xv = x.dataSync();
    const expected = new Float64Array(30);
    for (let r = 0; r < 6; r++) {
      const row = xv.subarray(r * 5, r * 5 + 5), { mean, variance } = stats(row);
      row.forEach((value, c) => { expected[r * 5 + c] = gamma[c] * (value - mean) / Math.sqrt(variance + 1e-3) + beta[c]; });
    }
    expectClose(p, expected, { atol: 1e-5, rtol: 1e-5 });
    model.dispose();
  });
});

describe.each(['wasm', 'js'] as const)('Dropout on %s', (name) => {
  beforeAll(() => setBackend(name));

  it('drops a fraction ≈ rate of a large input and scales the kept values by 1/(1 − rate)', () => {
    const batch = 100, cols = 1000, rate = 0.3;
    const x = randomArray(batch * cols, 9, 0.5, 2); // no zeros of its own
    const h = harness(layers.dropout({ rate }), [cols], batch);
    const y = h.forward(x, true);
    let zeros = 0, wrong = -1;
    const scale = Math.fround(1 / (1 - rate));
    for (let i = 0; i < y.length; i++) {
      if (y[i] === 0) zeros++;
      else if (y[i] !== Math.fround(x[i] * scale) && wrong < 0) wrong = i;
    }
    expect(wrong, `first kept value not x·${scale}`).toBe(-1);
    // σ = √(0.3·0.7/10⁵) ≈ 0.0015: a 5σ bound.
    expect(Math.abs(zeros / y.length - rate)).toBeLessThan(0.0075);
    h.dispose();
  });

  it('is the identity in predict and evaluate', async () => {
    const model = new Sequential([layers.dropout({ rate: 0.5, inputShape: [7] })]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = tensor(randomArray(5 * 7, 10), [5, 7]);
    expect(Array.from(model.predict(x).dataSync())).toEqual(Array.from(x.dataSync()));
    expect((await model.evaluate(x, x)).loss).toBe(0);
    model.dispose();
  });

  it('is deterministic under setSeed, with a new mask on every training forward', () => {
    const x = randomArray(4 * 17, 11, 0.5, 2);
    const h = harness(layers.dropout({ rate: 0.5 }), [17], 4);
    setSeed(5);
    const a1 = h.forward(x, true), a2 = h.forward(x, true);
    setSeed(5);
    const b1 = h.forward(x, true), b2 = h.forward(x, true);
    expect(Array.from(b1)).toEqual(Array.from(a1));
    expect(Array.from(b2)).toEqual(Array.from(a2));
    expect(Array.from(a2)).not.toEqual(Array.from(a1));
    h.dispose();
  });

  it('with its own seed: a repeatable mask sequence that leaves the global stream alone', () => {
    const x = randomArray(3 * 11, 12, 0.5, 2);
    const run = (globalSeed: number) => {
      setSeed(globalSeed);
      const h = harness(layers.dropout({ rate: 0.4, seed: 11 }), [11], 3);
      const out = [h.forward(x, true), h.forward(x, true)].map((y) => Array.from(y));
      h.dispose();
      return { out, next: random().nextUint32() };
    };
    const a = run(1), b = run(2);
    expect(b.out).toEqual(a.out);
    setSeed(1);
    expect(a.next).toBe(random().nextUint32());
  });

  it('a fixed mask seed on the node (gradCheck\'s mode) freezes the mask; without it every pass draws anew', () => {
    const d = layers.dropout({ rate: 0.5, name: 'drop_frozen' });
    const x = randomArray(2 * 9, 13, 0.5, 2);
    const h = harness(d, [9], 2);
    expect(Array.from(h.forward(x, true))).not.toEqual(Array.from(h.forward(x, true)));
    h.fixMasks();
    expect(Array.from(h.forward(x, true))).toEqual(Array.from(h.forward(x, true)));
    h.dispose();
    expect(d.getConfig()).toEqual({ name: 'drop_frozen', trainable: true, rate: 0.5, seed: null });
  });

  it('fit with dropout is repeatable under setSeed', async () => {
    const x = tensor(randomArray(24 * 4, 14), [24, 4]), y = tensor(randomArray(24 * 2, 15), [24, 2]);
    const train = async () => {
      setSeed(6);
      const model = new Sequential([
        layers.dense({ units: 8, activation: 'relu', inputShape: [4] }), layers.dropout({ rate: 0.5 }), layers.dense({ units: 2 }),
      ]);
      model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      await model.fit(x, y, { epochs: 2, batchSize: 5, verbose: 0 });
      const w = model.getWeights().map((t) => Array.from(t.dataSync()));
      model.dispose();
      return w;
    };
    expect(await train()).toEqual(await train());
  });
});

it('Dropout draws the same mask on wasm and js from the same seed', () => {
  const x = randomArray(7 * 127, 16, 0.5, 2);
  const masks = (['wasm', 'js'] as const).map((name) => {
    setBackend(name);
    setSeed(8);
    const h = harness(layers.dropout({ rate: 0.35 }), [127], 7);
    const y = [h.forward(x, true), h.forward(x, true)].map((v) => Array.from(v));
    h.dispose();
    return y;
  });
  expect(masks[1]).toEqual(masks[0]);
  setBackend('wasm');
});

describe('argument errors name the layer', () => {
  it.each([1, 1.5, -0.1, NaN, undefined, '0.5'])('dropout rate %s', (rate) => {
    expect(() => layers.dropout({ rate: rate as number, name: 'drop_bad' })).toThrow(/^drop_bad: rate must be a number in \[0, 1\), got /);
  });

  it('dropout seed must be an integer', () => {
    expect(() => layers.dropout({ rate: 0.5, seed: 1.5, name: 'drop_seed' })).toThrow(/^drop_seed: seed must be an integer, got 1.5/);
  });

  it.each([1, 0, -2, [1], [-1]])('axis %s', (axis) => {
    expect(() => layers.batchNormalization({ axis: axis as number, name: 'bn_axis' })).toThrow(/^bn_axis: axis must be -1 \(the last axis; other axes are not supported\), got /);
    expect(() => layers.layerNormalization({ axis: axis as number, name: 'ln_axis' })).toThrow(/^ln_axis: axis must be -1/);
  });

  it.each([-0.1, 1.01, NaN, '0.9'])('batchNormalization momentum %s', (momentum) => {
    expect(() => layers.batchNormalization({ momentum: momentum as number, name: 'bn_mom' })).toThrow(/^bn_mom: momentum must be a number in \[0, 1\], got /);
  });

  it('momentum 0 and 1 are allowed (the moving statistics follow the last batch, or never move)', () => {
    expect(new BatchNormalization({ momentum: 0 }).momentum).toBe(0);
    expect(new BatchNormalization({ momentum: 1 }).momentum).toBe(1);
  });

  it.each([0, -1e-3, Infinity])('epsilon %s', (epsilon) => {
    expect(() => layers.batchNormalization({ epsilon, name: 'bn_eps' })).toThrow(/^bn_eps: epsilon must be a positive finite number/);
    expect(() => layers.layerNormalization({ epsilon, name: 'ln_eps' })).toThrow(/^ln_eps: epsilon must be a positive finite number/);
  });

  it('an unknown initializer name fails in the constructor', () => {
    expect(() => layers.batchNormalization({ gammaInitializer: 'nope', name: 'bn_init' })).toThrow(/^bn_init: unknown gammaInitializer 'nope'/);
    expect(() => new LayerNormalization({ betaInitializer: 'nope', name: 'ln_init' })).toThrow(/^ln_init: unknown betaInitializer 'nope'/);
  });
});
