/** toJSON / fromJSON: every layer's configuration survives plain JSON and rebuilds an identical model. */
import { beforeAll, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, tensor, initializers, regularizers } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); });

it('round-trips every layer through JSON and predicts the same with the same weights', () => {
  setSeed(1);
  const model = new Sequential([
    layers.dense({ units: 8, activation: 'gelu', inputShape: [5], kernelInitializer: initializers.varianceScaling({ scale: 2, mode: 'fanAvg', distribution: 'uniform' }), kernelRegularizer: regularizers.l2({ l2: 0.001 }) }),
    layers.batchNormalization({ momentum: 0.9 }),
    layers.leakyReLU({ alpha: 0.1 }),
    layers.residual({ layers: [layers.dense({ units: 8, activation: 'elu' }), layers.layerNormalization(), layers.dense({ units: 6, biasInitializer: initializers.constant({ value: 0.5 }) })] }),
    layers.prelu({ alphaInitializer: initializers.constant({ value: 0.25 }) }),
    layers.elu({ alpha: 0.5 }),
    layers.dropout({ rate: 0.2 }),
    layers.activation({ activation: 'tanh' }),
    layers.dense({ units: 3, activation: 'softmax', useBias: false }),
  ]);
  const json = JSON.parse(JSON.stringify(model.toJSON()));
  expect(json.config.layers.map((l: { className: string }) => l.className)).toEqual(
    ['Dense', 'BatchNormalization', 'LeakyReLU', 'Residual', 'PReLU', 'ELU', 'Dropout', 'Activation', 'Dense']);
  expect(json.config.layers[0].config.inputShape).toEqual([5]);
  const copy = Sequential.fromJSON(json);
  expect(JSON.parse(JSON.stringify(copy.toJSON()))).toEqual(json);
  copy.setWeights(model.getWeights());
  const x = tensor(randomArray(20, 3), [4, 5]);
  expect(Array.from(copy.predict(x).dataSync())).toEqual(Array.from(model.predict(x).dataSync()));
  expect(copy.summary(null).split('\n').slice(1)).toEqual(model.summary(null).split('\n').slice(1));
});

it('unknown classes and malformed JSON are clear errors', () => {
  expect(() => Sequential.fromJSON({ className: 'Sequential', config: { layers: [{ className: 'Conv9D', config: {} }] } })).toThrow(/unknown layer class 'Conv9D'; known: Dense/);
  expect(() => Sequential.fromJSON('{"className":"Functional"}')).toThrow(/expected \{ className: 'Sequential'/);
});
