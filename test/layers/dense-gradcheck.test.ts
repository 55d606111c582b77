/**
 * Dense passes a finite-difference gradient check (float64 reference core) for every activation
 * and every loss, for the input and every weight.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { Sequential, layers, ready, setSeed, tensor, gradCheck, losses } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';

const activations = ['linear', 'relu', 'relu6', 'leakyRelu', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh',
  'softplus', 'softsign', 'swish', 'gelu', 'softmax'];

beforeAll(async () => { await ready(); });

function data(n: number, d: number, seed: number, scale = 1.5) {
  return tensor(randomArray(n * d, seed, -scale, scale), [n, d]);
}

describe('Dense gradient check, every activation', () => {
  it.each(activations)('%s', (activation) => {
    setSeed(7);
    const model = new Sequential([
      layers.dense({ units: 7, activation, inputShape: [5], biasInitializer: 'randomNormal' }),
      layers.dense({ units: 3 }),
    ]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = data(4, 5, 1), y = data(4, 3, 2);
    const r = gradCheck(model, x, y, { epsilon: 1e-6 });
    expect(r.entries.map((e) => e.name)).toEqual(['dense_gc/kernel', 'dense_gc/bias', 'out/kernel', 'out/bias', 'input'].map((n) => n.replace('dense_gc', model.layers[0].name).replace('out', model.layers[1].name)));
    expect(r.maxRelError, JSON.stringify(r.entries)).toBeLessThan(1e-5);
  });
});

describe('Dense gradient check, every loss', () => {
  const cases: [string, string, unknown, () => unknown][] = [
    ['sparseCategoricalCrossentropy (fused softmax)', 'softmax', 'sparseCategoricalCrossentropy', () => [0, 2, 1, 3, 3]],
    ['sparseCategoricalCrossentropy fromLogits', 'linear', losses.sparseCategoricalCrossentropy({ fromLogits: true }), () => [0, 2, 1, 3, 3]],
    ['sparseCategoricalCrossentropy on sigmoid probabilities', 'sigmoid', 'sparseCategoricalCrossentropy', () => [0, 2, 1, 3, 3]],
    ['categoricalCrossentropy (fused softmax)', 'softmax', 'categoricalCrossentropy', () => oneHot([1, 0, 3, 2, 2], 4)],
    ['categoricalCrossentropy fromLogits, soft targets', 'linear', losses.categoricalCrossentropy({ fromLogits: true }), () => tensor(randomArray(20, 9, 0, 1), [5, 4])],
    ['categoricalCrossentropy on sigmoid probabilities', 'sigmoid', 'categoricalCrossentropy', () => oneHot([1, 0, 3, 2, 2], 4)],
    ['binaryCrossentropy (fused sigmoid)', 'sigmoid', 'binaryCrossentropy', () => tensor([1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1], [5, 4])],
    ['binaryCrossentropy fromLogits', 'linear', losses.binaryCrossentropy({ fromLogits: true }), () => tensor(randomArray(20, 3, 0, 1), [5, 4])],
    ['binaryCrossentropy on softmax probabilities', 'softmax', 'binaryCrossentropy', () => tensor(randomArray(20, 4, 0, 1), [5, 4])],
    ['meanSquaredError', 'tanh', 'meanSquaredError', () => data(5, 4, 5)],
    ['meanAbsoluteError', 'linear', 'meanAbsoluteError', () => data(5, 4, 6)],
    ['huber', 'linear', losses.huber({ delta: 0.5 }), () => data(5, 4, 7)],
  ];
  it.each(cases)('%s', (_name, activation, loss, target) => {
    setSeed(11);
    const model = new Sequential([
      layers.dense({ units: 6, activation: 'tanh', inputShape: [3] }),
      layers.dense({ units: 4, activation }),
    ]);
    model.compile({ optimizer: 'sgd', loss: loss as never });
    const r = gradCheck(model, data(5, 3, 8), target() as never, { epsilon: 1e-6 });
    expect(r.entries.length).toBe(5);
    expect(r.maxRelError, JSON.stringify(r.entries)).toBeLessThan(1e-5);
  });
});

function oneHot(labels: number[], k: number) {
  const v = new Float32Array(labels.length * k);
  labels.forEach((l, i) => { v[i * k + l] = 1; });
  return tensor(v, [labels.length, k]);
}
