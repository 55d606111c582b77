/**
 * RepeatVector, Permute, Cropping2D, UpSampling2D: predictions against TensorFlow.js 4.22 on the
 * wasm and js cores, the float64 gradient check (input gradient through a branching graph),
 * config round trips, and errors that name the layer, the argument and the bad value.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, tensor, layerFromJSON, layerToJSON, type Layer } from '../../bindings/index.js';
import { expectTfjsParity, gradCheckLayer } from '../helpers/layer-check.js';

beforeAll(async () => { await ready(); });

interface Case { name: string; keel: () => Layer; tfjs: () => tf.layers.Layer; shape: number[]; out: number[] }

const CASES: Case[] = [
  { name: 'repeatVector n=3', keel: () => layers.repeatVector({ n: 3 }), tfjs: () => tf.layers.repeatVector({ n: 3 }), shape: [5], out: [3, 5] },
  { name: 'repeatVector n=1, 17 features', keel: () => layers.repeatVector({ n: 1 }), tfjs: () => tf.layers.repeatVector({ n: 1 }), shape: [17], out: [1, 17] },
  { name: 'permute [2, 1]', keel: () => layers.permute({ dims: [2, 1] }), tfjs: () => tf.layers.permute({ dims: [2, 1] }), shape: [3, 5], out: [5, 3] },
  { name: 'permute [1]', keel: () => layers.permute({ dims: [1] }), tfjs: () => tf.layers.permute({ dims: [1] }), shape: [7], out: [7] },
  { name: 'permute [3, 1, 2]', keel: () => layers.permute({ dims: [3, 1, 2] }), tfjs: () => tf.layers.permute({ dims: [3, 1, 2] }), shape: [2, 3, 5], out: [5, 2, 3] },
  { name: 'permute [2, 3, 1]', keel: () => layers.permute({ dims: [2, 3, 1] }), tfjs: () => tf.layers.permute({ dims: [2, 3, 1] }), shape: [3, 4, 2], out: [4, 2, 3] },
  { name: 'permute [1, 3, 2]', keel: () => layers.permute({ dims: [1, 3, 2] }), tfjs: () => tf.layers.permute({ dims: [1, 3, 2] }), shape: [2, 3, 5], out: [2, 5, 3] },
  { name: 'cropping2d 1', keel: () => layers.cropping2d({ cropping: 1 }), tfjs: () => tf.layers.cropping2D({ cropping: 1 }), shape: [5, 4, 3], out: [3, 2, 3] },
  { name: 'cropping2d [2, 0]', keel: () => layers.cropping2d({ cropping: [2, 0] }), tfjs: () => tf.layers.cropping2D({ cropping: [2, 0] }), shape: [5, 3, 2], out: [1, 3, 2] },
  { name: 'cropping2d [[1, 0], [0, 2]]', keel: () => layers.cropping2d({ cropping: [[1, 0], [0, 2]] }), tfjs: () => tf.layers.cropping2D({ cropping: [[1, 0], [0, 2]] }), shape: [3, 5, 5], out: [2, 3, 5] },
  { name: 'upSampling2d default 2', keel: () => layers.upSampling2d(), tfjs: () => tf.layers.upSampling2d({}), shape: [3, 2, 3], out: [6, 4, 3] },
  { name: 'upSampling2d [3, 1]', keel: () => layers.upSampling2d({ size: [3, 1] }), tfjs: () => tf.layers.upSampling2d({ size: [3, 1] }), shape: [2, 3, 5], out: [6, 3, 5] },
  { name: 'upSampling2d [1, 3], one channel', keel: () => layers.upSampling2d({ size: [1, 3] }), tfjs: () => tf.layers.upSampling2d({ size: [1, 3] }), shape: [3, 2, 1], out: [3, 6, 1] },
];

describe.each(CASES)('$name', (c) => {
  it('has the expected output shape and predicts as TF.js (wasm and js)', async () => {
    expect(c.keel().computeOutputShape(c.shape)).toEqual(c.out);
    await expectTfjsParity(c.keel, c.tfjs, c.shape, { atol: 0 });
  });

  it('passes the gradient check', () => {
    gradCheckLayer(c.keel, c.shape);
  });

  it('round-trips its config', () => {
    const l = c.keel();
    const back = layerFromJSON(layerToJSON(l));
    expect(back.className).toBe(l.className);
    expect(back.getConfig()).toEqual(l.getConfig());
  });
});

describe('hand-worked values', () => {
  it('repeatVector backward sums the repeats; upSampling2d backward sums each block', async () => {
    const m = new Sequential([layers.upSampling2d({ size: [1, 2], inputShape: [1, 2, 1] })]);
    expect(Array.from(m.predict(tensor([1, 2], [1, 1, 2, 1])).dataSync())).toEqual([1, 1, 2, 2]);
    const r = new Sequential([layers.repeatVector({ n: 2, inputShape: [2] })]);
    expect(Array.from(r.predict(tensor([4, 5], [1, 2])).dataSync())).toEqual([4, 5, 4, 5]);
  });
});

describe('errors name the layer, the argument, expected and given', () => {
  it.each([
    [() => layers.repeatVector({ n: 0, name: 'rv' }), /rv: n must be a positive integer, got 0/],
    [() => layers.repeatVector({} as never), /n must be a positive integer, got undefined/],
    [() => layers.permute({ dims: [1, 1], name: 'pm' }), /pm: dims must be a permutation of 1\.\.rank .*got \[1,1\]/],
    [() => layers.permute({ dims: [0, 1] }), /dims must be a permutation .*got \[0,1\]/],
    [() => layers.permute({ dims: [1, 2, 3, 4] }), /dims of length ≤ 3 .*got \[1,2,3,4\]/],
    [() => layers.cropping2d({ cropping: -1 as never, name: 'cr' }), /cr: cropping must be a non-negative integer.*got -1/],
    [() => layers.upSampling2d({ size: 0, name: 'up' }), /up: size must be a positive integer or a pair.*got 0/],
    [() => layers.upSampling2d({ interpolation: 'bilinear' as never, name: 'up' }), /up: interpolation must be 'nearest' \(the only one implemented\), got "bilinear"/],
  ])('%#', (make, message) => {
    expect(make).toThrow(message);
  });

  it.each([
    [() => layers.repeatVector({ n: 2, name: 'rv' }).computeOutputShape([2, 3]), /rv: expected an input of shape \[features\] per sample \(rank 1\), got \[2, 3\]/],
    [() => layers.permute({ dims: [2, 1], name: 'pm' }).computeOutputShape([2, 3, 4]), /pm: dims \[2,1\] permute samples of rank 2, got an input of shape \[2, 3, 4\]/],
    [() => layers.cropping2d({ cropping: [[2, 1], [0, 0]], name: 'cr' }).computeOutputShape([3, 4, 1]), /cr: cropping .* removes all of an input of shape \[3, 4, 1\] \(rows 2\+1 must be < 3/],
    [() => layers.upSampling2d({ name: 'up' }).computeOutputShape([4, 4]), /up: expected an input of shape \[height, width, channels\].*got \[4, 4\]/],
  ])('shape %#', (f, message) => {
    expect(f).toThrow(message);
  });
});
