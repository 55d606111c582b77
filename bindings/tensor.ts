/**
 * Tensor: an immutable float32 (or int32) array with a shape, living in JS memory. Data crosses
 * into the model's planned wasm memory batch by batch; tensors never hold wasm views.
 */
export type DType = 'float32' | 'int32';
export type TensorLike = Float32Array | Int32Array | Uint8Array | number[] | NestedArray;
export type NestedArray = number[] | NestedArray[];

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** @internal The backing array; do not mutate. Use dataSync() for a copy. */
  readonly values: Float32Array | Int32Array;

  constructor(values: Float32Array | Int32Array, shape: readonly number[]) {
    checkShape(shape);
    const size = shapeSize(shape);
    if (values.length !== size) {
      throw new Error(`tensor: shape [${shape.join(', ')}] needs ${size} values, got ${values.length}`);
    }
    this.values = values;
    this.shape = Object.freeze([...shape]);
    this.dtype = values instanceof Int32Array ? 'int32' : 'float32';
  }

  get size(): number { return this.values.length; }
  get rank(): number { return this.shape.length; }

  /** A copy of the values. */
  dataSync(): Float32Array | Int32Array {
    return this.values.slice();
  }

  /** Async twin of dataSync, as in TF.js. */
  async data(): Promise<Float32Array | Int32Array> {
    return this.dataSync();
  }

  /** The values as nested arrays. */
  arraySync(): NestedArray {
    const nest = (offset: number, dim: number): NestedArray => {
      if (dim === this.shape.length - 1 || this.shape.length === 0) {
        return Array.from(this.values.subarray(offset, offset + (this.shape[dim] ?? 1)));
      }
      const stride = shapeSize(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(nest(offset + i * stride, dim + 1));
      return out;
    };
    return nest(0, 0);
  }

  /** A view of the same data with another shape of equal size. */
  reshape(shape: number[]): Tensor {
    return new Tensor(this.values, shape);
  }

  /** Tensors live in JS memory; kept for TF.js familiarity. */
  dispose(): void {}

  toString(): string {
    return `Tensor ${this.dtype} [${this.shape.join(', ')}]`;
  }
}

/** A shape is a list of non-negative integers (TF.js allows 0-sized axes). */
function checkShape(shape: unknown): void {
  const shown = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));
  if (!Array.isArray(shape)) throw new Error(`tensor: shape must be a list of sizes such as [2, 3], got ${shown(shape)}`);
  const bad = shape.findIndex((d) => !(Number.isInteger(d) && d >= 0));
  if (bad >= 0) throw new Error(`tensor: shape [${shape.map(shown).join(', ')}] must be non-negative integers; size ${bad} is ${shown(shape[bad])}`);
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Create a tensor from a Float32Array / Int32Array / Uint8Array / number[] with a shape, or from
 * nested arrays (shape inferred). Uint8Array and number[] become float32 unless dtype says int32.
 */
export function tensor(values: TensorLike, shape?: number[], dtype?: DType): Tensor {
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'int32') throw new Error(`tensor: dtype must be 'float32' or 'int32', got ${JSON.stringify(dtype) ?? String(dtype)}`);
  if (shape !== undefined) checkShape(shape);
  if (Array.isArray(values) && values.some((v) => Array.isArray(v))) {
    const inferred: number[] = [];
    let level: unknown = values;
    while (Array.isArray(level)) { inferred.push(level.length); level = level[0]; }
    const flat = (values as unknown[]).flat(Infinity) as number[];
    if (flat.length !== shapeSize(inferred)) throw new Error(`tensor: ragged nested array; expected shape [${inferred.join(', ')}]`);
    if (shape && shapeSize(shape) !== flat.length) {
      throw new Error(`tensor: shape [${shape.join(', ')}] does not match the nested array's shape [${inferred.join(', ')}]`);
    }
    return tensor(flat, shape ?? inferred, dtype);
  }
  const arr = values as ArrayLike<number>;
  const wantInt = dtype === 'int32' || (dtype === undefined && values instanceof Int32Array);
  const data = wantInt
    ? (values instanceof Int32Array ? values : Int32Array.from(arr))
    : (values instanceof Float32Array ? values : Float32Array.from(arr));
  return new Tensor(data, shape ?? [arr.length]);
}
