/**
 * Dense: y = f(x·W + b), W (inDim, units) in the Keras kernel layout. Inputs of rank > 1 per
 * sample apply the same W to the last axis of every row, as Keras does.
 *
 * Forward: one GEMM (NN), a bias add, one activation kernel.
 * Backward: dZ = f'(z)·dy in place in dy (skipped when the loss already gave dL/dz),
 *           dW += xᵀ·dZ (TN), db += colsum(dZ), dx += dZ·Wᵀ (NT, skipped for the first layer).
 */
import { getActivation, type Activation } from '../activations.js';
import type { InitializerIdentifier } from '../initializers.js';
import { getRegularizer, type Regularizer } from '../regularizers.js';
import { affineForward, needsPreActivation } from './affine.js';
import { Layer, type KernelLayerArgs, type RunContext, type Weight } from './layer.js';

export interface DenseArgs extends KernelLayerArgs {
  /** Number of output units. */
  units: number;
}

export class Dense extends Layer {
  static className = 'Dense';
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  private readonly kernelInitializer: InitializerIdentifier;
  private readonly biasInitializer: InitializerIdentifier;
  readonly kernelRegularizer?: Regularizer;
  readonly biasRegularizer?: Regularizer;
  kernel!: Weight;
  bias?: Weight;

  constructor(args: DenseArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units <= 0) {
      throw new Error(`${this.name}: units must be a positive integer, got ${args.units}`);
    }
    this.units = args.units;
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `${this.name}: kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `${this.name}: biasRegularizer`);
  }

  computeOutputShape(inputShape: number[]): number[] {
    if (inputShape.length < 1) throw new Error(`${this.name}: expected an input of rank ≥ 1 per sample, got []`);
    return [...inputShape.slice(0, -1), this.units];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    const inDim = inputShape[inputShape.length - 1];
    this.kernel = this.addWeight('kernel', [inDim, this.units], this.kernelInitializer, true, this.kernelRegularizer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], this.biasInitializer, true, this.biasRegularizer);
  }

  override buffersPerSample(): Record<string, number> {
    // The pre-activation z; a linear or ReLU Dense writes straight into y (affine.ts).
    return needsPreActivation(this.activation) ? { z: this.outputSize } : {};
  }

  private get inDim(): number { return this.inputShape[this.inputShape.length - 1]; }
  /** Rows of the GEMM: samples × positions (positions = 1 for 2-D inputs). */
  private rows(batch: number): number { return batch * (this.inputSize / this.inDim); }

  /** Where x·W + b lands (the logits, for a softmax/sigmoid output layer); y for linear and ReLU. */
  get preActivation(): number {
    return this.buffers.z ?? this.y;
  }

  override outputLogits(): { activation: string; logits: number } {
    return { activation: this.activation.name, logits: this.preActivation };
  }

  forward({ be, batch }: RunContext): void {
    affineForward(be, this.y, this.preActivation, this.x, this.kernel.ptr, this.bias?.ptr ?? 0,
      this.rows(batch), this.units, this.inDim, this.activation);
  }

  backward({ be, batch }: RunContext): void {
    const rows = this.rows(batch), n = rows * this.units, act = this.activation;
    const dz = this.dy;
    if (!this.lossGivesPreActivationGrad) {
      if (act.id === -1) be.softmaxBackward(dz, this.dy, this.y, rows, this.units);
      else if (act.name !== 'linear') be.activationBackward(dz, this.dy, this.preActivation, this.y, n, act.id, act.alpha);
    }
    if (this.kernel.gradPtr) be.gemm(this.kernel.gradPtr, this.x, dz, this.inDim, this.units, rows, 1, 0, 1, 1);
    if (this.bias?.gradPtr) be.biasGrad(this.bias.gradPtr, dz, rows, this.units);
    if (this.dx) be.gemm(this.dx, dz, this.kernel.ptr, rows, this.inDim, this.units, 0, 1, 1, 1);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), units: this.units, activation: this.activation.name, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer,
      ...(this.kernelRegularizer && { kernelRegularizer: this.kernelRegularizer }),
      ...(this.biasRegularizer && { biasRegularizer: this.biasRegularizer }),
    };
  }
}

export function dense(args: DenseArgs): Dense {
  return new Dense(args);
}
