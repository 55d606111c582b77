/**
 * Dense: y = f(x·W + b), W (inDim, units) in the Keras kernel layout. Inputs of rank > 1 per
 * sample apply the same W to the last axis of every row, as Keras does.
 *
 * Forward: one gemmBias (NN, bias and ReLU in its epilogue), then any other activation (kernel-layer.ts).
 * Backward: dZ = f'(z)·dy in place in dy (skipped when the loss already gave dL/dz),
 *           dW = xᵀ·dZ (TN; += where the kernel has several uses), db += colsum(dZ), dx += dZ·Wᵀ (NT, skipped
 *           where the input needs no gradient, e.g. the first layer).
 */
import { KernelLayer } from './kernel-layer.js';
import type { KernelLayerArgs, NodeIO, RunContext } from './layer.js';

export interface DenseArgs extends KernelLayerArgs {
  /** Number of output units. */
  units: number;
}

export class Dense extends KernelLayer {
  static className = 'Dense';
  readonly units: number;

  constructor(args: DenseArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units <= 0) {
      throw new Error(`${this.name}: units must be a positive integer, got ${args.units}`);
    }
    this.units = args.units;
  }

  computeOutputShape(inputShape: number[]): number[] {
    if (inputShape.length < 1) throw new Error(`${this.name}: expected an input of rank ≥ 1 per sample, got []`);
    return [...inputShape.slice(0, -1), this.units];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    this.addKernelWeights([inputShape[inputShape.length - 1], this.units], this.units);
  }

  override buffersPerSample(): Record<string, number> {
    return this.preActivationBuffer();
  }

  private get inDim(): number { return this.inputShape[this.inputShape.length - 1]; }
  /** Rows of the GEMM: samples × positions (positions = 1 for 2-D inputs). */
  private rows(batch: number): number { return batch * (this.inputSize / this.inDim); }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    this.affineForward(be, io, io.x, this.rows(batch), this.units, this.inDim);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const rows = this.rows(batch);
    const dz = this.preActivationGrad(be, io, rows, this.units);
    this.kernelGradient(be, io, io.x, dz, rows, this.units, this.inDim);
    this.biasGradient(be, io, dz, rows, this.units);
    if (io.dx) be.gemm(io.dx, dz, this.kernel.ptr, rows, this.inDim, this.units, 0, 1, 1, 1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, ...this.kernelConfig() };
  }
}

export function dense(args: DenseArgs): Dense {
  return new Dense(args);
}
