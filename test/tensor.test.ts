/** tensor(): flat values with a shape, nested arrays, dtypes, copies and errors. */
import { describe, expect, it } from 'vitest';
import { tensor, Tensor } from '../bindings/index.js';

describe('tensor', () => {
  it('takes a Float32Array or number[] with a shape', () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.dataSync()).toBeInstanceOf(Float32Array);
    expect(tensor(new Float32Array(6), [3, 2]).size).toBe(6);
    expect(tensor([1, 2, 3]).shape).toEqual([3]);
  });

  it('infers the shape of nested arrays', () => {
    const t = tensor([[[1, 2], [3, 4], [5, 6]]]);
    expect(t.shape).toEqual([1, 3, 2]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.arraySync()).toEqual([[[1, 2], [3, 4], [5, 6]]]);
  });

  it('keeps Int32Array as int32 and copies on dataSync', () => {
    const v = new Int32Array([3, 1, 2]);
    const t = tensor(v);
    expect(t.dtype).toBe('int32');
    const copy = t.dataSync();
    copy[0] = 99;
    expect(t.dataSync()[0]).toBe(3);
    expect(tensor([1.5, 2], [2], 'int32').dataSync()).toEqual(new Int32Array([1, 2]));
  });

  it('reshape shares data; size mismatches and ragged arrays are errors', () => {
    const t = tensor([1, 2, 3, 4], [4]).reshape([2, 2]);
    expect(t).toBeInstanceOf(Tensor);
    expect(t.shape).toEqual([2, 2]);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/shape \[2, 2\] needs 4 values, got 3/);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged nested array/);
    expect(() => tensor([[1, 2], [3, 4]], [3])).toThrow(/does not match the nested array's shape \[2, 2\]/);
  });
});
