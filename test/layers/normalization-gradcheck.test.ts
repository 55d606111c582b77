/**
 * BatchNormalization, LayerNormalization and Dropout pass a finite-difference gradient check
 * (float64 reference core) for the input and every trainable weight, on small odd shapes:
 * after a Dense, with and without center/scale, on 3-D inputs (positions as rows), frozen
 * batch norm (moving statistics), and dropout with a frozen mask.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, tensor, gradCheck, initializers, type Layer } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); });

/**
 * Measured with ε = 1e-5: ≤ 1.2e-7 everywhere, most ≤ 4e-8 (float64 central differences leave
 * ~1e-10 truncation and ~1e-11/|g| rounding). The Dense bias right before a batch norm has a true
 * gradient of exactly 0 (the mean removes a per-feature shift): there both sides are rounding
 * noise, measured against the 1e-6 floor of the relative error.
 */
const TOL = 1e-6;

function data(shape: number[], seed: number, scale = 1.5) {
  return tensor(randomArray(shape.reduce((a, b) => a * b, 1), seed, -scale, scale), shape);
}

/** Dense(7, tanh) → `norm` → Dense(3) on (6, 5) inputs, mean squared error. */
function check(norm: () => Layer, samples = 6) {
  setSeed(7);
  const model = new Sequential([
    layers.dense({ units: 7, activation: 'tanh', inputShape: [5] }),
    norm(),
    layers.dense({ units: 3 }),
  ]);
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return { model, result: gradCheck(model, data([samples, 5], 1), data([samples, 3], 2), { epsilon: 1e-5 }) };
}

const random = () => initializers.randomNormal({ mean: 1, stddev: 0.5 });

describe('BatchNormalization gradient check', () => {
  it.each([[true, true], [false, false], [true, false], [false, true]])('center=%s scale=%s', (center, scale) => {
    const { model, result } = check(() => layers.batchNormalization({ center, scale, gammaInitializer: random(), betaInitializer: random() }));
    const bn = model.layers[1].name;
    expect(result.entries.filter((e) => e.name.startsWith(bn)).map((e) => e.name))
      .toEqual([...(scale ? [`${bn}/gamma`] : []), ...(center ? [`${bn}/beta`] : [])]);
    expect(result.maxRelError, JSON.stringify(result.entries)).toBeLessThan(TOL);
  });

  it('on a batch of 1 sample: x̂ = 0, so only β and the layers after it learn', () => {
    const { result } = check(() => layers.batchNormalization({ gammaInitializer: random(), betaInitializer: random() }), 1);
    expect(result.maxRelError, JSON.stringify(result.entries)).toBeLessThan(TOL);
  });

  it('frozen (trainable: false): inference mode with the moving statistics', () => {
    const { result } = check(() => layers.batchNormalization({
      trainable: false, gammaInitializer: random(), betaInitializer: random(),
      movingMeanInitializer: initializers.randomNormal({ stddev: 0.5 }),
      movingVarianceInitializer: initializers.randomUniform({ minval: 0.5, maxval: 2 }),
    }));
    expect(result.entries.some((e) => e.name.includes('batch_normalization'))).toBe(false);
    expect(result.maxRelError, JSON.stringify(result.entries)).toBeLessThan(TOL);
  });

  it('as the first layer, on 3-D inputs (statistics over samples × positions)', () => {
    setSeed(3);
    const model = new Sequential([
      layers.batchNormalization({ inputShape: [3, 4], gammaInitializer: random(), betaInitializer: random() }),
      layers.dense({ units: 5, activation: 'tanh' }),
      layers.batchNormalization({ momentum: 0.5, epsilon: 0.01, gammaInitializer: random(), betaInitializer: random() }),
      layers.dense({ units: 2 }),
    ]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const r = gradCheck(model, data([5, 3, 4], 4, 2), data([5, 3, 2], 5), { epsilon: 1e-5 });
    expect(r.entries).toHaveLength(9);
    expect(r.maxRelError, JSON.stringify(r.entries)).toBeLessThan(TOL);
  });
});

describe('LayerNormalization gradient check', () => {
  it.each([[true, true], [false, false], [true, false], [false, true]])('center=%s scale=%s', (center, scale) => {
    const { model, result } = check(() => layers.layerNormalization({ center, scale, gammaInitializer: random(), betaInitializer: random() }));
    const ln = model.layers[1].name;
    expect(result.entries.filter((e) => e.name.startsWith(ln)).map((e) => e.name))
      .toEqual([...(scale ? [`${ln}/gamma`] : []), ...(center ? [`${ln}/beta`] : [])]);
    expect(result.maxRelError, JSON.stringify(result.entries)).toBeLessThan(TOL);
  });

  it('as the first layer, on 3-D inputs (each position normalized alone)', () => {
    setSeed(4);
    const model = new Sequential([
      layers.layerNormalization({ inputShape: [3, 5], epsilon: 0.01, gammaInitializer: random(), betaInitializer: random() }),
      layers.dense({ units: 2 }),
    ]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const r = gradCheck(model, data([4, 3, 5], 6, 2), data([4, 3, 2], 7), { epsilon: 1e-5 });
    expect(r.entries).toHaveLength(5);
    expect(r.maxRelError, JSON.stringify(r.entries)).toBeLessThan(TOL);
  });
});

describe('Dropout gradient check', () => {
  it('gradCheck freezes the clone\'s mask itself', () => {
    const { result } = check(() => layers.dropout({ rate: 0.4 }));
    expect(result.maxRelError, JSON.stringify(result.entries)).toBeLessThan(TOL);
  });
});

it('a stack of all three with a fused softmax cross-entropy', () => {
  setSeed(9);
  const drop = layers.dropout({ rate: 0.3 });
  const model = new Sequential([
    layers.dense({ units: 9, inputShape: [4], useBias: false }),
    layers.batchNormalization({ gammaInitializer: random(), betaInitializer: random() }),
    layers.dense({ units: 6, activation: 'elu' }),
    drop,
    layers.layerNormalization({ gammaInitializer: random(), betaInitializer: random() }),
    layers.dense({ units: 3, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const r = gradCheck(model, data([7, 4], 8), tensor([0, 1, 2, 2, 1, 0, 1], [7], 'int32'), { epsilon: 1e-5 });
  expect(r.entries).toHaveLength(10);
  expect(r.maxRelError, JSON.stringify(r.entries)).toBeLessThan(TOL);
});

describe('gradCheck freezes dropout masks by itself', () => {
  it('passes with an unfrozen Dropout layer', async () => {
    const { Sequential, layers, setSeed, tensor, gradCheck } = await import('../../bindings/index.js');
    setSeed(9);
    const model = new Sequential([layers.dense({ units: 6, activation: 'tanh', inputShape: [4] }), layers.dropout({ rate: 0.5 }), layers.dense({ units: 2 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [3, 4]);
    const y = tensor(Float32Array.from({ length: 6 }, (_, i) => Math.cos(i)), [3, 2]);
    expect(gradCheck(model, x, y).maxRelError).toBeLessThan(1e-6);
  });
});
