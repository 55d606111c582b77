/**
 * TF.js call forms that real training code uses (issue "What real TF.js training code needs"):
 * positional optimizer arguments, `layers.inputLayer` as a Sequential's first layer, and a layer's
 * own getWeights/setWeights — each used to be silently wrong or missing.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, Tensor, layers, optimizers, ready, setBackend, setSeed, tensor } from '../../bindings/index.js';
import { expectClose, randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); setBackend('wasm'); });

describe('positional optimizer arguments (tf.train.adam(0.01) and the like)', () => {
  it('take TF.js\'s order and mean what they say', () => {
    expect(optimizers.adam(0.01).learningRate).toBe(0.01);
    const a = optimizers.adam(0.02, 0.8, 0.99, 1e-6);
    expect([a.learningRate, a.beta1, a.beta2, a.epsilon]).toEqual([0.02, 0.8, 0.99, 1e-6]);
    expect(optimizers.sgd(0.5).learningRate).toBe(0.5);
    const r = optimizers.rmsprop(0.01, 0.8, 0.1);
    expect([r.learningRate, r.rho, r.momentum]).toEqual([0.01, 0.8, 0.1]);
    const g = optimizers.adagrad(0.3, 0.2);
    expect([g.learningRate, g.initialAccumulatorValue]).toEqual([0.3, 0.2]);
    expect(optimizers.adamw(0.004).learningRate).toBe(0.004);
    // The options form still works, and nonsense is named.
    expect(optimizers.adam({ learningRate: 0.03 }).learningRate).toBe(0.03);
    expect(() => optimizers.sgd(0.1, 0.9 as never)).toThrow(/sgd: takes at most 1 positional arguments \(learningRate\), got 2/);
    expect(() => optimizers.adam('fast' as never)).toThrow(/adam: expected an options object such as \{ learningRate: 0.01 \} or a learning rate, got "fast"/);
    expect(() => optimizers.adam(-1)).toThrow(/learningRate/);
  });

  it('a model compiled with adam(0.05) trains at 0.05: its first step equals adam({ learningRate: 0.05 })\'s', () => {
    const step = (opt: ReturnType<typeof optimizers.adam>) => {
      setSeed(2);
      const m = new Sequential([layers.dense({ units: 2, inputShape: [3] })]);
      m.compile({ optimizer: opt, loss: 'meanSquaredError' });
      m.trainOnBatch(tensor(randomArray(12, 1), [4, 3]), tensor(randomArray(8, 2), [4, 2]));
      const w = m.getWeights().flatMap((t) => Array.from(t.values));
      m.dispose();
      return w;
    };
    expect(step(optimizers.adam(0.05))).toEqual(step(optimizers.adam({ learningRate: 0.05 })));
    expect(step(optimizers.adam(0.05))).not.toEqual(step(optimizers.adam()));
  });
});

describe('layers.inputLayer as the first layer of a Sequential', () => {
  it('gives the chain its input shape and name, and is not one of model.layers (as TF.js)', () => {
    const m = new Sequential([layers.inputLayer({ inputShape: [5], name: 'pixels' }), layers.dense({ units: 2 })]);
    expect(m.built).toBe(true);
    expect(m.inputShape).toEqual([5]);
    expect(m.inputNames).toEqual(['pixels']);
    expect(m.layers.map((l) => l.className)).toEqual(['Dense']);
    expect(m.predict(tensor(randomArray(10, 3), [2, 5])).shape).toEqual([2, 2]);
    expect(() => m.add(layers.inputLayer({ inputShape: [2] }))).toThrow(/already built|can only come first/);
    expect(() => new Sequential([layers.dense({ units: 2 }), layers.inputLayer({ inputShape: [3] })])).toThrow(/an InputLayer \('input_layer\w*'\) can only come first/);
    m.dispose();
  });
});

describe('a layer\'s own getWeights/setWeights', () => {
  it('read and write the weights every model using the layer sees; bad input changes nothing', () => {
    setSeed(4);
    const d = layers.dense({ units: 2, inputShape: [3], name: 'own' });
    expect(d.getWeights()).toEqual([]);
    const m = new Sequential([d]);
    const [k, b] = d.getWeights();
    expect(k.shape).toEqual([3, 2]);
    expect(Array.from(k.values)).toEqual(Array.from(m.getWeights()[0].values));
    d.setWeights([new Tensor(new Float32Array(6).fill(0.5), [3, 2]), new Tensor(new Float32Array([1, -1]), [2])]);
    expect(Array.from((m.predict(tensor([1, 1, 1], [1, 3]))).dataSync())).toEqual([2.5, 0.5]);
    const before = m.getWeights().map((t) => Array.from(t.values));
    expect(() => d.setWeights([k])).toThrow(/own.setWeights: the layer has 2 weights, got 1/);
    expect(() => d.setWeights([new Tensor(new Float32Array(6), [2, 3]), b])).toThrow(/own.setWeights: kernel expects shape \[3, 2\], got \[2, 3\]/);
    expect(() => d.setWeights([k, new Tensor(new Float32Array([NaN, 0]), [2])])).toThrow(/own.setWeights: bias has a non-finite value NaN at index 0/);
    expect(m.getWeights().map((t) => Array.from(t.values))).toEqual(before);
    m.dispose();
    // After the model is gone the layer keeps its weights (in JS), and they can still be set.
    expect(Array.from(d.getWeights()[1].values)).toEqual([1, -1]);
    d.setWeights([k, b]);
    expect(Array.from(d.getWeights()[1].values)).toEqual(Array.from(b.values));
  });
});

describe('setWeights in TF.js\'s order (trainable weights first, as tfjsModel.getWeights() lists them)', () => {
  it('is told apart by the shapes, or asked for; Keras\'s order stays the default', () => {
    setSeed(8);
    const m = new Sequential([layers.dense({ units: 5, inputShape: [3] }), layers.batchNormalization(), layers.dense({ units: 2 })]);
    const keras = m.getWeights();
    const names = m.layers.flatMap((l) => l.weights.map((w) => w.name));
    expect(names).toEqual(['kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance', 'kernel', 'bias']);
    // TF.js's order of the same values: kernel, bias, gamma, beta, kernel, bias, moving_mean, moving_variance.
    const tfjsOrder = [0, 1, 2, 3, 6, 7, 4, 5].map((i) => new Tensor(Float32Array.from(keras[i].values, (v) => v + i), keras[i].shape));
    m.setWeights(tfjsOrder);
    const after = m.getWeights();
    [0, 1, 2, 3, 6, 7, 4, 5].forEach((k, j) => expect(Array.from(after[k].values)).toEqual(Array.from(tfjsOrder[j].values)));
    m.setWeights(keras, { order: 'keras' });
    expect(m.getWeights().map((t) => Array.from(t.values))).toEqual(keras.map((t) => Array.from(t.values)));
    expect(() => m.setWeights(keras, { order: 'torch' as never })).toThrow(/setWeights: order must be 'keras' or 'tfjs', got "torch"/);
    m.dispose();
  });
});

it('setWeights(tfjsModel.getWeights()) on a BatchNormalization model gives TF.js\'s predictions', async () => {
  await tf.setBackend('cpu');
  const tfm = tf.sequential({ layers: [
    tf.layers.dense({ units: 5, inputShape: [3] }), tf.layers.batchNormalization(), tf.layers.dense({ units: 2 }),
  ] });
  tfm.setWeights(tfm.getWeights().map((w, i) => tf.tensor(randomArray(w.size, 30 + i, 0.2, 1.2), w.shape)));
  const m = new Sequential([layers.dense({ units: 5, inputShape: [3] }), layers.batchNormalization(), layers.dense({ units: 2 })]);
  m.setWeights(tfm.getWeights().map((w) => new Tensor(w.dataSync() as Float32Array, w.shape)));
  const x = randomArray(4 * 3, 9);
  expectClose(m.predict(tensor(x, [4, 3])).dataSync(), (tfm.predict(tf.tensor(x, [4, 3])) as tf.Tensor).dataSync(), { atol: 1e-5, rtol: 1e-5 });
  m.dispose();
});
