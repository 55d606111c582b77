/** Residual blocks: x + f(x), with a projection when f changes the width. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, tensor, gradCheck, initializers } from '../../bindings/index.js';
import { randomArray, expectClose } from '../helpers/close.js';

beforeAll(async () => { await ready(); });

const x = tensor(randomArray(5 * 6, 1, -1, 1), [5, 6]);
const y = tensor(randomArray(5 * 3, 2, -1, 1), [5, 3]);

describe('Residual', () => {
  it('computes f(x) + x (identity skip)', () => {
    setSeed(1);
    const block = layers.residual({ layers: [layers.dense({ units: 6, activation: 'tanh' }), layers.dense({ units: 6 })] });
    const model = new Sequential([layers.dense({ units: 6, inputShape: [6], kernelInitializer: 'identity' }), block]);
    const out = model.predict(x).dataSync();
    // f alone: a model with the same inner weights.
    const [, , k1, b1, k2, b2] = model.getWeights();
    const f = new Sequential([layers.dense({ units: 6, activation: 'tanh', inputShape: [6] }), layers.dense({ units: 6 })]);
    f.setWeights([k1, b1, k2, b2]);
    const fx = f.predict(x).dataSync();
    expectClose(out, Array.from(fx, (v, i) => v + x.values[i]), { atol: 1e-6 });
    expect(model.summary(null)).toMatch(/\(Residual\)/);
  });

  it('passes the gradient check (input and every weight), identity skip and projection', () => {
    for (const width of [6, 4]) {
      setSeed(2);
      const model = new Sequential([
        layers.residual({ inputShape: [6], layers: [layers.dense({ units: 7, activation: 'sigmoid' }), layers.dense({ units: width, activation: 'tanh' })] }),
        layers.residual({ layers: [layers.dense({ units: width, activation: 'relu', biasInitializer: initializers.constant({ value: 0.1 }) })] }),
        layers.dense({ units: 3 }),
      ]);
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      const r = gradCheck(model, x, y, { epsilon: 1e-6 });
      expect(r.entries.some((e) => e.name.endsWith('_projection/kernel'))).toBe(width !== 6);
      expect(r.entries.at(-1)!.name).toBe('input');
      expect(r.maxRelError, JSON.stringify(r.entries)).toBeLessThan(1e-5);
    }
  });

  it('trains: a deep residual stack with near-zero last kernels learns', async () => {
    setSeed(3);
    const blocks = Array.from({ length: 8 }, () => layers.residual({ layers: [
      layers.dense({ units: 16, activation: 'relu', kernelInitializer: 'heNormal' }),
      layers.dense({ units: 16, kernelInitializer: initializers.randomNormal({ stddev: 1e-3 }) }),
    ] }));
    const model = new Sequential([layers.dense({ units: 16, inputShape: [6] }), ...blocks, layers.dense({ units: 3 })]);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const h = await model.fit(x, y, { epochs: 60, batchSize: 5, verbose: 0 });
    expect(h.history.loss[59]).toBeLessThan(h.history.loss[0] / 10);
  });

  it('a shape the block cannot add is a clear error naming the layer and shapes', () => {
    expect(() => new Sequential([layers.residual({ name: 'res', inputShape: [6], projection: false, layers: [layers.dense({ units: 4 })] })]))
      .toThrow(/res: cannot add the block's output of shape \[4\] to its input of shape \[6\]/);
    expect(() => layers.residual({ layers: [] })).toThrow(/layers must be a non-empty array of layers/);
  });
});
