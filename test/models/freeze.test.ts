/**
 * Freezing after build (Keras semantics): `layer.trainable = false` takes effect at the next
 * compile — the frozen weights stop changing, summary() counts them as non-trainable — and
 * unfreezing works the same way. Before, the flag was read once at build and silently ignored.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setBackend, setSeed, tensor } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); setBackend('wasm'); });

const x = tensor(randomArray(32 * 4, 1), [32, 4]), y = tensor(randomArray(32 * 2, 2), [32, 2]);
const values = (m: Sequential, i: number) => m.layers[i].getWeights().flatMap((t) => Array.from(t.values));

describe('trainable set after build', () => {
  it('freezes a layer from the next compile on, and unfreezes it the same way', async () => {
    setSeed(5);
    const m = new Sequential([layers.dense({ units: 6, activation: 'relu', inputShape: [4] }), layers.dense({ units: 2 })]);
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    m.layers[0].trainable = false;
    // Until compile, training goes on as compiled (Keras does the same).
    let first = values(m, 0);
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    expect(values(m, 0)).not.toEqual(first);
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    first = values(m, 0);
    const second = values(m, 1);
    await m.fit(x, y, { epochs: 2, verbose: 0 });
    expect(values(m, 0)).toEqual(first);
    expect(values(m, 1)).not.toEqual(second);
    expect(m.summary(null)).toMatch(/Trainable params: 14\nNon-trainable params: 30/);
    expect(m.memoryInfo().grads).toBe(14 * 4);
    m.layers[0].trainable = true;
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    expect(values(m, 0)).not.toEqual(first);
    expect(m.summary(null)).toMatch(/Trainable params: 44\nNon-trainable params: 0/);
    m.dispose();
  });

  it('a residual block passes the flag to its layers; a frozen BatchNormalization keeps its moving statistics', async () => {
    setSeed(6);
    const block = layers.residual([layers.dense({ units: 4, activation: 'relu' }), layers.dense({ units: 4 })]);
    const bn = layers.batchNormalization();
    const m = new Sequential([layers.dense({ units: 4, inputShape: [4] }), bn, block, layers.dense({ units: 2 })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    block.trainable = false;
    bn.trainable = false;
    expect(block.innerLayers.every((l) => !l.trainable)).toBe(true);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const frozenBlock = values(m, 2), frozenBn = values(m, 1);
    await m.fit(x, y, { epochs: 2, verbose: 0 });
    expect(values(m, 2)).toEqual(frozenBlock);
    expect(values(m, 1)).toEqual(frozenBn);
    m.dispose();
  });

  it('trainable must be a boolean', () => {
    const d = layers.dense({ units: 2 });
    expect(() => { d.trainable = 'no' as never; }).toThrow(/dense\w*: trainable must be true or false, got "no"/);
  });
});
