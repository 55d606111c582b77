/**
 * GaussianNoise, GaussianDropout, SpatialDropout1D, SpatialDropout2D on the wasm and js cores:
 * the identity in predict (as TF.js 4.22's layers, which exist for all but SpatialDropout2D);
 * in training, the noise statistics (Keras 3's definitions), whole channels dropped and the
 * kept ones scaled by 1/(1 − rate), the same bits on both cores from the same seed, determinism
 * under setSeed and with the layer's own seed; the float64 gradient check with the masks fixed;
 * config round trips; argument errors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { layers, ready, setBackend, setSeed, layerFromJSON, layerToJSON } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';
import { harness } from '../helpers/layer-harness.js';
import { expectTfjsParity, gradCheckLayer } from '../helpers/layer-check.js';

beforeAll(async () => { await ready(); });


describe('the identity in inference, as TF.js', () => {
  it.each([
    ['gaussianNoise', () => layers.gaussianNoise({ stddev: 0.5 }), () => tf.layers.gaussianNoise({ stddev: 0.5 }), [5, 3]],
    ['gaussianDropout', () => layers.gaussianDropout({ rate: 0.4 }), () => tf.layers.gaussianDropout({ rate: 0.4 }), [17]],
    ['spatialDropout1d', () => layers.spatialDropout1d({ rate: 0.5 }), () => tf.layers.spatialDropout1d({ rate: 0.5 }), [4, 3]],
  ] as const)('%s', async (_, keel, tfjs, shape) => {
    await expectTfjsParity(keel, tfjs as () => tf.layers.Layer, [...shape], { atol: 0 });
  });

  it('spatialDropout2d (TF.js has none)', () => {
    const h = harness(layers.spatialDropout2d({ rate: 0.5 }), [2, 3, 4], 3);
    const x = randomArray(3 * 24, 2);
    expect(Array.from(h.forward(x, false))).toEqual(Array.from(x));
    h.dispose();
  });
});

describe.each(['wasm', 'js'] as const)('training on %s', (name) => {
  beforeAll(() => setBackend(name));

  it('gaussianNoise adds N(0, stddev²) noise', () => {
    const n = 50, cols = 2000, stddev = 0.3, x = randomArray(n * cols, 3, -1, 1);
    const h = harness(layers.gaussianNoise({ stddev }), [cols], n);
    setSeed(1);
    const y = h.forward(x, true);
    let m = 0, v = 0;
    for (let i = 0; i < y.length; i++) m += (y[i] - x[i]) / y.length;
    for (let i = 0; i < y.length; i++) v += (y[i] - x[i] - m) ** 2 / y.length;
    // Standard errors for 10⁵ draws: mean 0.3/316 ≈ 0.001, variance 0.09·√(2/10⁵) ≈ 0.0004.
    expect(Math.abs(m)).toBeLessThan(0.005);
    expect(Math.abs(v - stddev ** 2)).toBeLessThan(0.002);
    h.dispose();
  });

  it('gaussianDropout multiplies by N(1, rate/(1 − rate))', () => {
    const n = 50, cols = 2000, rate = 0.2, x = randomArray(n * cols, 4, 0.5, 2);
    const h = harness(layers.gaussianDropout({ rate }), [cols], n);
    setSeed(2);
    const y = h.forward(x, true);
    let m = 0, v = 0;
    for (let i = 0; i < y.length; i++) m += y[i] / x[i] / y.length;
    for (let i = 0; i < y.length; i++) v += (y[i] / x[i] - m) ** 2 / y.length;
    expect(Math.abs(m - 1)).toBeLessThan(0.008);
    expect(Math.abs(v - rate / (1 - rate))).toBeLessThan(0.004);
    h.dispose();
  });

  it.each([
    ['spatialDropout1d', (rate: number) => layers.spatialDropout1d({ rate }), [5, 40]],
    ['spatialDropout2d', (rate: number) => layers.spatialDropout2d({ rate }), [2, 3, 40]],
  ] as const)('%s drops whole channels (≈ rate of them) and scales the others by 1/(1 − rate)', (_, make, shape) => {
    const batch = 50, rate = 0.3, C = shape[shape.length - 1], positions = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const size = positions * C, x = randomArray(batch * size, 5, 0.5, 2), scale = Math.fround(1 / (1 - rate));
    const h = harness(make(rate), [...shape], batch);
    setSeed(3);
    const y = h.forward(x, true);
    let dropped = 0;
    for (let b = 0; b < batch; b++) for (let c = 0; c < C; c++) {
      const kept = y[b * size + c] !== 0;
      if (!kept) dropped++;
      for (let p = 0; p < positions; p++) {
        const i = b * size + p * C + c;
        expect(y[i], `sample ${b} channel ${c} position ${p}`).toBe(kept ? Math.fround(x[i] * scale) : 0);
      }
    }
    // 2000 channels: σ = √(0.21/2000) ≈ 0.01; a 4σ bound.
    expect(Math.abs(dropped / (batch * C) - rate)).toBeLessThan(0.045);
    h.dispose();
  });

  it.each([
    ['gaussianNoise', (seed?: number) => layers.gaussianNoise({ stddev: 0.5, seed })],
    ['gaussianDropout', (seed?: number) => layers.gaussianDropout({ rate: 0.5, seed })],
    ['spatialDropout1d', (seed?: number) => layers.spatialDropout1d({ rate: 0.5, seed })],
  ] as const)('%s: repeatable under setSeed, new noise each pass, own seed independent of the global stream', (_, make) => {
    const x = randomArray(4 * 6 * 5, 6, 0.5, 2);
    const run = (globalSeed: number, seed?: number) => {
      setSeed(globalSeed);
      const h = harness(make(seed), [6, 5], 4);
      const out = [h.forward(x, true), h.forward(x, true)].map((v) => Array.from(v));
      h.dispose();
      return out;
    };
    const a = run(7), b = run(7);
    expect(b).toEqual(a);
    expect(a[1]).not.toEqual(a[0]);
    expect(run(8)).not.toEqual(a);
    expect(run(8, 99)).toEqual(run(9, 99));
  });
});

it('the same noise on wasm and js from the same seed', () => {
  const x = randomArray(3 * 5 * 33, 8, 0.5, 2);
  for (const make of [() => layers.gaussianNoise({ stddev: 0.7 }), () => layers.gaussianDropout({ rate: 0.3 }), () => layers.spatialDropout1d({ rate: 0.5 })]) {
    const outs = (['wasm', 'js'] as const).map((name) => {
      setBackend(name);
      setSeed(10);
      const h = harness(make(), [5, 33], 3);
      const y = [h.forward(x, true), h.forward(x, true)].map((v) => Array.from(v));
      h.dispose();
      return y;
    });
    expect(outs[1]).toEqual(outs[0]);
  }
  setBackend('wasm');
});

describe('gradient check (masks fixed)', () => {
  it.each([
    ['gaussianNoise', () => layers.gaussianNoise({ stddev: 0.5 }), [7]],
    ['gaussianDropout', () => layers.gaussianDropout({ rate: 0.4 }), [3, 5]],
    ['spatialDropout1d', () => layers.spatialDropout1d({ rate: 0.5 }), [3, 5]],
    ['spatialDropout2d', () => layers.spatialDropout2d({ rate: 0.5 }), [2, 3, 5]],
  ] as const)('%s', (_, make, shape) => {
    gradCheckLayer(make, [...shape]);
  });
});

it.each([
  () => layers.gaussianNoise({ stddev: 0.1, seed: 3 }),
  () => layers.gaussianDropout({ rate: 0.1 }),
  () => layers.spatialDropout1d({ rate: 0.2 }),
  () => layers.spatialDropout2d({ rate: 0.2, seed: 4 }),
])('config round trip %#', (make) => {
  const l = make();
  expect(layerFromJSON(layerToJSON(l)).getConfig()).toEqual(l.getConfig());
});

describe('errors name the layer, the argument, expected and given', () => {
  it.each([
    [() => layers.gaussianNoise({ stddev: -0.1, name: 'g' }), /g: stddev must be a number in \[0, 1\], got -0.1/],
    [() => layers.gaussianNoise({ stddev: 1.5, name: 'g' }), /g: stddev must be a number in \[0, 1\], got 1.5/],
    [() => layers.gaussianNoise({} as never), /stddev must be a number in \[0, 1\], got undefined/],
    [() => layers.gaussianNoise({ stddev: 0.1, seed: 1.5, name: 'g' }), /g: seed must be an integer or null, got 1.5/],
    [() => layers.gaussianDropout({ rate: 1, name: 'gd' }), /gd: rate must be a number in \[0, 1\), got 1/],
    [() => layers.spatialDropout1d({ rate: NaN, name: 's' }), /s: rate must be a number in \[0, 1\), got NaN/],
    [() => layers.spatialDropout2d({ rate: '0.5' as never, name: 's' }), /s: rate must be a number in \[0, 1\), got "0.5"/],
    [() => layers.spatialDropout1d({ rate: 0.5, name: 's' }).computeOutputShape([3, 4, 5]), /s: expected an input of shape \[steps, channels\]/],
    [() => layers.spatialDropout2d({ rate: 0.5, name: 's' }).computeOutputShape([3, 4]), /s: expected an input of shape \[height, width, channels\]/],
  ])('%#', (f, message) => {
    expect(f).toThrow(message);
  });
});
