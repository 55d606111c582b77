/** Residual blocks: x + f(x), with a projection when f changes the width (a Dense) or an image's shape (a 1×1 Conv2D). */
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

  it('conv blocks: identity skip, 1×1 conv projection for new channels (stride 1) and for downsampling (stride 2)', () => {
    setSeed(4);
    const same = layers.residual({ layers: [layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' })] });
    const wider = layers.residual({ layers: [layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same' })] });
    const down = layers.residual({ layers: [layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' })] });
    const model = new Sequential([layers.conv2d({ filters: 3, kernelSize: 1, inputShape: [7, 6, 2] }), same, wider, down]);
    expect(same.projection).toBeUndefined();
    const shapes = (r: typeof same) => r.projection && [r.projection.className, r.projection.weights[0].shape, r.projection.getConfig().strides];
    expect(shapes(wider)).toEqual(['Conv2D', [1, 1, 3, 5], [1, 1]]);
    expect(shapes(down)).toEqual(['Conv2D', [1, 1, 5, 8], [2, 2]]);
    expect(model.outputShape).toEqual([4, 3, 8]);
    // f(x) + x for the identity block, on images.
    const xi = tensor(randomArray(2 * 7 * 6 * 2, 5), [2, 7, 6, 2]);
    const first = new Sequential([layers.conv2d({ filters: 3, kernelSize: 1, inputShape: [7, 6, 2] })]);
    first.setWeights(model.getWeights().slice(0, 2));
    const f = new Sequential([layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [7, 6, 3] })]);
    f.setWeights(model.getWeights().slice(2, 4));
    const x1 = first.predict(xi), fx = f.predict(x1).dataSync();
    const upToSame = new Sequential([layers.conv2d({ filters: 3, kernelSize: 1, inputShape: [7, 6, 2] }),
      layers.residual({ layers: [layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' })] })]);
    upToSame.setWeights(model.getWeights().slice(0, 4));
    expectClose(upToSame.predict(xi).dataSync(), Array.from(fx, (v, i) => v + x1.values[i]), { atol: 1e-6 });
  });

  it('image shapes a block cannot add are clear errors naming the layer and both shapes', () => {
    // 6 → 4 (a valid 3×3 conv): no 1×1 stride s has ⌈6/s⌉ = 4.
    expect(() => new Sequential([layers.residual({ name: 'res_a', inputShape: [6, 6, 2], layers: [layers.conv2d({ filters: 2, kernelSize: 3 })] })]))
      .toThrow(/res_a: cannot add the block's output of shape \[4, 4, 2\] to its input of shape \[6, 6, 2\] \(no 1×1 convolution stride maps/);
    expect(() => new Sequential([layers.residual({ name: 'res_b', inputShape: [4, 4, 2], layers: [layers.flatten()] })]))
      .toThrow(/res_b: cannot add the block's output of shape \[32\] to its input of shape \[4, 4, 2\]/);
    expect(() => new Sequential([layers.residual({ name: 'res_c', inputShape: [4, 4, 2], projection: false,
      layers: [layers.conv2d({ filters: 3, kernelSize: 1 })] })]))
      .toThrow(/res_c: cannot add the block's output of shape \[4, 4, 3\] to its input of shape \[4, 4, 2\]; allow a projection/);
  });
});
