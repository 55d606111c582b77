/**
 * Permute (Keras 3): reorders the axes of each sample; `dims` is a permutation of 1..rank
 * (1-based, the batch axis never moves), output axis k is input axis dims[k]. E.g. dims [2, 1]
 * turns [steps, features] into [features, steps].
 *
 * Forward walks the output in order and reads the input with permuted strides; backward walks
 * dx in order and adds dy read with the inverse permutation's strides: one strided copy each.
 * Samples of rank 1 to 3 (a 4-axis copy, the batch being the fourth).
 */
import { shapeStr } from './conv-geometry.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface PermuteArgs extends LayerArgs {
  /** A permutation of 1..rank (1-based; the batch axis is not counted), e.g. [2, 1]. */
  dims: number[];
}

/** Row-major strides of a shape, in elements. */
const stridesOf = (shape: number[]) => shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));

export class Permute extends Layer {
  static className = 'Permute';
  readonly dims: number[];

  constructor(args: PermuteArgs) {
    super(args);
    const dims = args?.dims;
    const isPermutation = Array.isArray(dims) && dims.length > 0
      && [...dims].sort((a, b) => a - b).every((d, k) => d === k + 1);
    if (!isPermutation) {
      throw new Error(`${this.name}: dims must be a permutation of 1..rank (1-based, without the batch axis), e.g. [2, 1], got ${JSON.stringify(dims)}`);
    }
    if (dims.length > 3) throw new Error(`${this.name}: dims of length ≤ 3 (samples of rank ≤ 3) are supported, got ${JSON.stringify(dims)}`);
    this.dims = [...dims];
  }

  computeOutputShape(inputShape: number[]): number[] {
    if (inputShape.length !== this.dims.length) {
      throw new Error(`${this.name}: dims ${JSON.stringify(this.dims)} permute samples of rank ${this.dims.length}, got an input of shape ${shapeStr(inputShape)}`);
    }
    return this.dims.map((d) => inputShape[d - 1]);
  }

  /**
   * Sizes and strides of a copy that walks `shape` (the destination, row-major) and reads the
   * source with `srcStrides` (per destination axis); padded in front to 4 axes with the batch.
   */
  private copyArgs(batch: number, shape: number[], srcStrides: number[]): number[] {
    const pad = 3 - shape.length, size = shape.reduce((a, b) => a * b, 1);
    const ones = Array<number>(pad).fill(1), zeros = Array<number>(pad).fill(0);
    return [...ones, batch, ...shape, ...zeros, size, ...stridesOf(shape), ...zeros, size, ...srcStrides];
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const inStrides = stridesOf(this.inputShape);
    const a = this.copyArgs(batch, this.outputShape, this.dims.map((d) => inStrides[d - 1]));
    be.copyStrided(io.y, io.x, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], 0);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (!io.dx) return;
    const outStrides = stridesOf(this.outputShape);
    // Input axis j is output axis k where dims[k] = j + 1.
    const a = this.copyArgs(batch, this.inputShape, this.inputShape.map((_, j) => outStrides[this.dims.indexOf(j + 1)]));
    be.copyStrided(io.dx, io.dy, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], 1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: [...this.dims] };
  }
}

export function permute(args: PermuteArgs): Permute {
  return new Permute(args);
}
