/**
 * The standalone activation layers — Activation, LeakyReLU, ELU, PReLU — against finite
 * differences (float64 reference core), against hand-computed values on every backend, wasm
 * against js for the gradients they feed a model, and their defaults, names, configs and errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Activation, ELU, LeakyReLU, PReLU, Sequential, gradCheck, initializers, layers, ready, regularizers, setBackend, setSeed, tensor,
  type Layer,
} from '../../bindings/index.js';
import { expectClose, randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); });

function data(shape: number[], seed: number, scale = 1.5) {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(randomArray(n, seed, -scale, scale), shape);
}

/** dense → layer → dense on samples of `inShape`, MSE: the layer sees mixed-sign inputs and feeds dx back. */
function sandwich(layer: Layer, inShape: number[], seed = 7): Sequential {
  setSeed(seed);
  const model = new Sequential([
    layers.dense({ units: 4, inputShape: inShape, biasInitializer: 'randomNormal' }),
    layer,
    layers.dense({ units: 2 }),
  ]);
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return model;
}

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'leakyRelu', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh',
  'softplus', 'softsign', 'swish', 'gelu', 'softmax'];

describe('gradient check (float64 reference core), maxRelError < 1e-5', () => {
  const cases: [string, () => Layer, number[]][] = [
    ...ACTIVATIONS.map((a) => [`activation ${a}`, () => layers.activation({ activation: a }), [5]] as [string, () => Layer, number[]]),
    // softmax over the last axis of (3, 4) samples: three independent rows per sample.
    ['activation softmax, rank-2 samples', () => layers.activation({ activation: 'softmax' }), [3, 5]],
    ['leakyReLU default', () => layers.leakyReLU(), [5]],
    ['leakyReLU alpha 0.05', () => layers.leakyReLU({ alpha: 0.05 }), [5]],
    ['elu default', () => layers.elu(), [5]],
    ['elu alpha 0.4', () => layers.elu({ alpha: 0.4 }), [5]],
    ['prelu, slopes per position', () => layers.prelu({ alphaInitializer: initializers.randomUniform({ minval: -0.5, maxval: 0.8 }) }), [5]],
    ['prelu, rank-2, no sharing', () => layers.prelu({ alphaInitializer: 'randomNormal' }), [3, 5]],
    ['prelu, sharedAxes [1] on (3, 4)', () => layers.prelu({ alphaInitializer: initializers.constant({ value: 0.25 }), sharedAxes: [1] }), [3, 5]],
    ['prelu, sharedAxes [1, 2] on (2, 3, 4)', () => layers.prelu({ alphaInitializer: 'randomUniform', sharedAxes: [1, 2] }), [2, 3, 5]],
    ['prelu, every axis shared', () => layers.prelu({ alphaInitializer: initializers.constant({ value: 0.3 }), sharedAxes: [1, 2, 3] }), [2, 3, 5]],
    ['prelu, zeros (the default: a ReLU whose slope still gets a gradient)', () => layers.prelu(), [5]],
    ['prelu, alphaRegularizer l2 (its gradient joins dAlpha)', () => layers.prelu({ alphaInitializer: 'randomNormal', alphaRegularizer: regularizers.l2({ l2: 0.3 }) }), [5]],
  ];

  it.each(cases)('%s', (_name, make, inShape) => {
    const layer = make();
    const model = sandwich(layer, inShape);
    const x = data([4, ...inShape], 1), y = data([4, ...model.outputShape], 2);
    const r = gradCheck(model, x, y, { epsilon: 1e-6 });
    const expected = [`${model.layers[0].name}/kernel`, `${model.layers[0].name}/bias`,
      ...(layer instanceof PReLU ? [`${layer.name}/alpha`] : []),
      `${model.layers[2].name}/kernel`, `${model.layers[2].name}/bias`, 'input'];
    expect(r.entries.map((e) => e.name)).toEqual(expected);
    expect(r.maxRelError, JSON.stringify(r.entries)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('as the first layer, the layers give dL/dx directly (no dense before them)', () => {
    for (const layer of [layers.activation({ activation: 'tanh', inputShape: [5] }), layers.leakyReLU({ inputShape: [5] }),
      layers.elu({ inputShape: [5] }), layers.prelu({ inputShape: [5], alphaInitializer: 'randomNormal' })]) {
      setSeed(3);
      const model = new Sequential([layer, layers.dense({ units: 2 })]);
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const r = gradCheck(model, data([6, 5], 4), data([6, 2], 5), { epsilon: 1e-6 });
      expect(r.entries.at(-1)!.name).toBe('input');
      expect(r.maxRelError, `${layer.name}: ${JSON.stringify(r.entries)}`).toBeLessThan(1e-5);
      model.dispose();
    }
  });

  it('a frozen PReLU has no alpha gradient and still passes dx back', () => {
    const layer = layers.prelu({ alphaInitializer: initializers.constant({ value: 0.2 }), trainable: false });
    const model = sandwich(layer, [5]);
    const r = gradCheck(model, data([4, 5], 1), data([4, 2], 2), { epsilon: 1e-6 });
    expect(r.entries.map((e) => e.name)).not.toContain(`${layer.name}/alpha`);
    expect(r.entries.find((e) => e.name === 'input')!.maxRelError).toBeLessThan(1e-5);
    expect(r.maxRelError).toBeLessThan(1e-5);
    model.dispose();
  });
});

describe.each(['wasm', 'js'] as const)('forward values on %s', (name) => {
  beforeAll(() => setBackend(name));

  const x = [-2, -0.5, 0, 0.5, 3];
  function run(layer: Layer, input: number[], shape: number[], weights?: number[][]): Float32Array {
    const model = new Sequential([layer]);
    model.build(shape);
    if (weights) model.setWeights(weights.map((w, i) => tensor(w, [...model.getWeights()[i].shape])));
    const out = model.predict(tensor(input, [input.length / shape.reduce((a, b) => a * b, 1), ...shape])).dataSync() as Float32Array;
    model.dispose();
    return out;
  }
  const TOL = { atol: 1e-7, rtol: 1e-6 };

  it('activation relu and tanh', () => {
    expectClose(run(layers.activation({ activation: 'relu' }), x, [5]), [0, 0, 0, 0.5, 3], TOL);
    expectClose(run(layers.activation({ activation: 'tanh' }), x, [5]), x.map(Math.tanh), TOL);
  });

  it('activation softmax normalizes over the last axis only', () => {
    const e = [1, 2, 3].map(Math.exp), s = e[0] + e[1] + e[2];
    expectClose(run(layers.activation({ activation: 'softmax' }), [1, 2, 3, 0, 0, Math.LN2], [2, 3]),
      [e[0] / s, e[1] / s, e[2] / s, 0.25, 0.25, 0.5], TOL);
  });

  it('leakyReLU: default slope 0.3 (Keras 3 layer), alpha and negativeSlope', () => {
    expectClose(run(layers.leakyReLU(), x, [5]), [-0.6, -0.15, 0, 0.5, 3], TOL);
    expectClose(run(layers.leakyReLU({ alpha: 0.1 }), x, [5]), [-0.2, -0.05, 0, 0.5, 3], TOL);
    expectClose(run(layers.leakyReLU({ negativeSlope: 0.1 }), x, [5]), [-0.2, -0.05, 0, 0.5, 3], TOL);
  });

  it('elu: default alpha 1, and alpha 0.5', () => {
    expectClose(run(layers.elu(), x, [5]), [Math.expm1(-2), Math.expm1(-0.5), 0, 0.5, 3], TOL);
    expectClose(run(layers.elu({ alpha: 0.5 }), x, [5]), [0.5 * Math.expm1(-2), 0.5 * Math.expm1(-0.5), 0, 0.5, 3], TOL);
  });

  it('prelu: zeros by default (a ReLU), then learned slopes per position', () => {
    expectClose(run(layers.prelu(), x, [5]), [0, 0, 0, 0.5, 3], TOL);
    expectClose(run(layers.prelu(), x, [5], [[0.1, 0.2, 0.3, 0.4, 0.5]]), [-0.2, -0.1, 0, 0.5, 3], TOL);
  });

  it('prelu with sharedAxes [1] on (2, 3): one slope per last-axis position, alpha shape [1, 3]', () => {
    const layer = layers.prelu({ sharedAxes: [1] });
    expectClose(run(layer, [-1, -1, -1, 2, -2, -4], [2, 3], [[0.5, 1, 2]]), [-0.5, -1, -2, 2, -2, -8], TOL);
    expect(layer.alpha.shape).toEqual([1, 3]);
  });

  it('activation layer after a linear dense equals the dense with that activation', () => {
    for (const a of ['tanh', 'softmax', 'gelu']) {
      setSeed(5);
      const fused = new Sequential([layers.dense({ units: 6, activation: a, inputShape: [4] })]);
      setSeed(5);
      const split = new Sequential([layers.dense({ units: 6, inputShape: [4] }), layers.activation({ activation: a })]);
      const xs = data([3, 4], 9);
      expectClose(split.predict(xs).dataSync(), fused.predict(xs).dataSync(), { atol: 0, rtol: 0 });
      fused.dispose(); split.dispose();
    }
  });
});

describe('wasm and js give the same gradients through every layer', () => {
  const makers: [string, () => Layer][] = [
    ['activation softmax', () => layers.activation({ activation: 'softmax' })],
    ['leakyReLU', () => layers.leakyReLU()],
    ['elu', () => layers.elu({ alpha: 0.7 })],
    ['prelu', () => layers.prelu({ alphaInitializer: 'randomNormal' })],
    ['prelu sharedAxes [1]', () => layers.prelu({ alphaInitializer: 'randomNormal', sharedAxes: [1] })],
  ];
  it.each(makers)('%s', (_name, make) => {
    const inShape = [3, 5];
    const grads = (['wasm', 'js'] as const).map((be) => {
      setBackend(be);
      const model = sandwich(make(), inShape, 13);
      const g = model.computeGradients(data([9, ...inShape], 1), data([9, 3, 2], 2));
      model.dispose();
      return g;
    });
    expect(grads[0].loss).toBeCloseTo(grads[1].loss, 5);
    grads[0].grads.forEach((g, i) => expectClose(g.dataSync(), grads[1].grads[i].dataSync(), { atol: 1e-6, rtol: 1e-5 }));
  });
});

describe('defaults, names and configs', () => {
  it('class names and Keras 3 auto-names: activation, leaky_re_lu, elu, p_re_lu', () => {
    const made = [layers.activation({ activation: 'relu' }), layers.leakyReLU(), layers.elu(), layers.prelu()];
    expect(made.map((l) => l.className)).toEqual(['Activation', 'LeakyReLU', 'ELU', 'PReLU']);
    const bases = made.map((l) => l.name.replace(/_\d+$/, ''));
    expect(bases).toEqual(['activation', 'leaky_re_lu', 'elu', 'p_re_lu']);
    expect(made[0]).toBeInstanceOf(Activation);
    expect(made[1]).toBeInstanceOf(LeakyReLU);
    expect(made[2]).toBeInstanceOf(ELU);
    expect(made[3]).toBeInstanceOf(PReLU);
  });

  it('defaults: leakyReLU 0.3, elu 1, prelu zeros with no shared axes and a weight named alpha of the sample shape', () => {
    expect(layers.leakyReLU().alpha).toBe(0.3);
    expect(layers.leakyReLU({ negativeSlope: 0.2 }).alpha).toBe(0.2);
    expect(layers.elu().alpha).toBe(1);
    const p = layers.prelu({ inputShape: [2, 3] });
    const model = new Sequential([p]);
    model.build();
    expect(p.getConfig()).toMatchObject({ alphaInitializer: 'zeros', sharedAxes: null });
    expect(p.weights.map((w) => [w.name, w.shape])).toEqual([['alpha', [2, 3]]]);
    expect(Array.from(model.getWeights()[0].dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(model.countParams()).toBe(6);
    model.dispose();
  });

  it('getConfig carries every constructor argument: clone() rebuilds the same layer', () => {
    const made = [
      layers.activation({ activation: 'hard_sigmoid', name: 'act_cfg' }),
      layers.leakyReLU({ negativeSlope: 0.125, name: 'leaky_cfg' }),
      layers.elu({ alpha: 0.5, name: 'elu_cfg', trainable: false }),
      layers.prelu({ alphaInitializer: 'ones', sharedAxes: 1, name: 'prelu_cfg' }),
    ];
    expect(made.map((l) => l.getConfig())).toEqual([
      { name: 'act_cfg', trainable: true, activation: 'hardSigmoid' },
      { name: 'leaky_cfg', trainable: true, alpha: 0.125 },
      { name: 'elu_cfg', trainable: false, alpha: 0.5 },
      { name: 'prelu_cfg', trainable: true, alphaInitializer: 'ones', sharedAxes: [1] },
    ]);
    const reg = layers.prelu({ alphaRegularizer: 'l2', name: 'prelu_reg' });
    expect(reg.getConfig().alphaRegularizer).toEqual({ className: 'L2', l1: 0, l2: 0.01 });
    for (const l of [...made, reg]) {
      const c = l.clone();
      expect(c.constructor).toBe(l.constructor);
      expect(c.getConfig()).toEqual(l.getConfig());
    }
  });
});

describe('bad arguments are clear errors naming the layer', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['unknown activation', () => layers.activation({ activation: 'nope', name: 'a1' }), /^a1: Unknown activation 'nope'; valid names: .*relu/],
    ['missing activation', () => layers.activation({ name: 'a2' } as never), /^a2: activation is required/],
    ['negative slope', () => layers.leakyReLU({ alpha: -0.1, name: 'l1' }), /^l1: alpha \(negativeSlope\) must be a finite number ≥ 0, got -0.1/],
    ['NaN slope', () => layers.leakyReLU({ negativeSlope: NaN, name: 'l2' }), /^l2: .*got NaN/],
    ['alpha and negativeSlope disagree', () => layers.leakyReLU({ alpha: 0.1, negativeSlope: 0.2, name: 'l3' }), /^l3: alpha \(0.1\) and negativeSlope \(0.2\)/],
    ['elu alpha not finite', () => layers.elu({ alpha: Infinity, name: 'e1' }), /^e1: alpha must be a finite number, got Infinity/],
    ['elu alpha not a number', () => layers.elu({ alpha: '1' as never, name: 'e2' }), /^e2: alpha must be a finite number/],
    ['prelu axis 0 (the batch axis)', () => layers.prelu({ sharedAxes: [0], name: 'p1' }), /^p1: sharedAxes must be positive integers .*\[0\]/],
    ['prelu fractional axis', () => layers.prelu({ sharedAxes: [1.5], name: 'p2' }), /^p2: sharedAxes must be positive integers/],
    ['prelu axis past the rank', () => new Sequential([layers.prelu({ sharedAxes: [3], name: 'p3', inputShape: [4, 5] })]), /^p3: sharedAxes \[3\] name axis 3, but the input has 2 axes per sample/],
    ['prelu sharing after a kept axis', () => new Sequential([layers.prelu({ sharedAxes: [2], name: 'p4', inputShape: [4, 5, 6] })]), /^p4: sharedAxes \[2\] on input shape \[4, 5, 6\] is not supported: the slope can be shared only along the leading axes/],
    ['prelu unknown initializer', () => new Sequential([layers.prelu({ alphaInitializer: 'bogus', name: 'p5', inputShape: [3] })]), /p5.*'bogus'.*valid names: zeros, ones/],
  ];
  it.each(cases)('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('sharing a size-1 axis after a kept one is fine (it is shared either way); a longer one is not', () => {
    const p = layers.prelu({ sharedAxes: [1, 3], inputShape: [4, 5, 1] });
    new Sequential([p]).dispose();
    expect(p.alpha.shape).toEqual([1, 5, 1]);
    expect(() => new Sequential([layers.prelu({ sharedAxes: [1, 3], inputShape: [4, 5, 2] })])).toThrow(/not supported/);
  });
});
