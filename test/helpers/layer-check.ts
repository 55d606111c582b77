/**
 * Checks every new layer goes through: the float64 gradient check of the layer inside a small
 * graph (its input also feeds a second branch, so a backward pass that overwrote dx instead of
 * adding to it fails), and predictions against TensorFlow.js 4.22 (cpu backend) with the same
 * weights, on the wasm and the js core.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { Sequential, Tensor, gradCheck, input, layers, model, setSeed, type Layer } from '../../bindings/index.js';
import { JsBackend } from '../../bindings/backend/js.js';
import { wasmBackend } from './backends.js';
import { expectClose, randomArray } from './close.js';

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * gradCheck of x → [layer → flatten, flatten] → concatenate → dense(2) over `n` samples of
 * `inputShape` (values in ±1.5): the input and every trainable weight of the layer and the head.
 * Returns the result for further assertions.
 */
export function gradCheckLayer(make: () => Layer, inputShape: number[], { seed = 1, n = 3, tol = 1e-5, absTol = 1e-9 } = {}) {
  setSeed(seed);
  const x = input({ shape: inputShape });
  const layer = make();
  const a = layers.flatten().apply(layer.apply(x));
  const b = layers.flatten().apply(x);
  const out = layers.dense({ units: 2 }).apply(layers.concatenate().apply([a, b]));
  const m = model({ inputs: x, outputs: out });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const xs = new Tensor(randomArray(n * size(inputShape), seed + 1, -1.5, 1.5), [n, ...inputShape]);
  const ys = new Tensor(randomArray(n * 2, seed + 2), [n, 2]);
  const result = gradCheck(m, xs, ys, { epsilon: 1e-5 });
  const names = result.entries.map((e) => e.name);
  expect(names).toContain('input');
  for (const w of layer.weights.filter((v) => v.trainable)) expect(names).toContain(`${w.owner}/${w.name}`);
  expect(result.maxRelError, JSON.stringify(result.entries)).toBeLessThan(tol);
  expect(Math.max(...result.entries.map((e) => e.maxAbsError)), JSON.stringify(result.entries)).toBeLessThan(absTol);
  m.dispose();
  return result;
}

/**
 * Predict `n` samples of `inputShape` with keelnet's layer (on wasm and js) and TF.js's (cpu,
 * given keelnet's weights; a list of TF.js layers where one layer is a TF.js composition);
 * both outputs within `atol`. Inputs in [lo, hi] (default ±2).
 */
export async function expectTfjsParity(make: () => Layer, makeTfjs: () => tf.layers.Layer | tf.layers.Layer[], inputShape: number[],
  { n = 3, atol = 1e-5, seed = 7, lo = -2, hi = 2 } = {}): Promise<void> {
  expect(await tf.setBackend('cpu')).toBe(true);
  const xv = randomArray(n * size(inputShape), seed, lo, hi);
  for (const be of [await wasmBackend(), new JsBackend()]) {
    setSeed(seed);
    const keel = new Sequential([make()]);
    keel.build(inputShape, be);
    const tfm = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape }), ...[makeTfjs()].flat()] });
    const w = keel.getWeights();
    if (w.length) tfm.setWeights(w.map((t) => tf.tensor(t.values, [...t.shape])));
    const got = keel.predict(new Tensor(xv, [n, ...inputShape]));
    const want = tfm.predict(tf.tensor(xv, [n, ...inputShape])) as tf.Tensor;
    expect(got.shape, be.name).toEqual(want.shape);
    expectClose(got.dataSync(), want.dataSync(), { atol, rtol: atol });
    keel.dispose();
    tfm.dispose();
  }
}
