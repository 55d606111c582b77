/**
 * What Dense and Conv2D share: y = f(A·W + b), where A is the input (Dense) or its im2col
 * columns (Conv2D). The activation, bias, initializers and regularizers of KernelLayerArgs; the
 * kernel and bias weights; and both passes around the layer's own GEMMs:
 * - forward: one gemmBias writes A·W + b, with ReLU applied in the same epilogue, so a ReLU layer
 *   writes its output once and plans no separate pre-activation buffer (ReLU's derivative reads
 *   as well from y > 0 as from z > 0); other activations get z and one activation (or softmax) pass;
 * - backward: dL/dz in place of dy, unless the loss already gave it.
 */
import { getActivation, type Activation } from '../activations.js';
import type { Backend } from '../backend/backend.js';
import { getInitializer, type InitializerIdentifier } from '../initializers.js';
import { getRegularizer, type Regularizer } from '../regularizers.js';
import { Layer, booleanArg, type KernelLayerArgs, type NodeIO, type Weight } from './layer.js';

/** Whether `act` runs in gemmBias's epilogue. */
const fusedInGemm = (act: Activation): boolean => act.name === 'relu';

export abstract class KernelLayer extends Layer {
  readonly activation: Activation;
  readonly useBias: boolean;
  protected readonly kernelInitializer: InitializerIdentifier;
  protected readonly biasInitializer: InitializerIdentifier;
  readonly kernelRegularizer?: Regularizer;
  readonly biasRegularizer?: Regularizer;
  kernel!: Weight;
  bias?: Weight;

  constructor(args: KernelLayerArgs) {
    super(args);
    this.activation = getActivation(args.activation);
    this.useBias = booleanArg(this.name, 'useBias', args.useBias, true);
    this.kernelInitializer = this.checkInitializer('kernelInitializer', args.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = this.checkInitializer('biasInitializer', args.biasInitializer ?? 'zeros');
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `${this.name}: kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `${this.name}: biasRegularizer`);
  }

  /** Resolve an initializer now, so that a bad name fails in the constructor, naming the layer. */
  private checkInitializer(arg: string, id: InitializerIdentifier): InitializerIdentifier {
    getInitializer(id, `${this.name}: ${arg}`);
    return id;
  }

  /** The kernel, of `kernelShape`, and (useBias) the bias, one per output unit. */
  protected addKernelWeights(kernelShape: number[], units: number): void {
    this.kernel = this.addWeight('kernel', kernelShape, this.kernelInitializer, true, this.kernelRegularizer);
    // kernelGradient can write it whole: where the planner lets it (one use), the step skips
    // zeroing its 1.5 MiB (MNIST MLP) and the gemm skips reading it back.
    this.kernel.canOverwriteGrad = true;
    if (this.useBias) this.bias = this.addWeight('bias', [units], this.biasInitializer, true, this.biasRegularizer);
  }

  /** The pre-activation buffer z, planned only when the activation needs it apart from y. */
  protected preActivationBuffer(): Record<string, number> {
    return this.activation.name === 'linear' || fusedInGemm(this.activation) ? {} : { z: this.outputSize };
  }

  /** Where A·W + b lands (the logits, for a softmax/sigmoid output layer); y for linear and ReLU. */
  preActivation(io: NodeIO): number {
    return io.buffers.z ?? io.y;
  }

  override outputLogits(io: NodeIO): { activation: string; logits: number } {
    return { activation: this.activation.name, logits: this.preActivation(io) };
  }

  /** y (rows, units) = f(A (rows, depth) · W + b). */
  protected affineForward(be: Backend, io: NodeIO, A: number, rows: number, units: number, depth: number): void {
    const act = this.activation, y = io.y, z = this.preActivation(io), relu = fusedInGemm(act);
    be.gemmBias(relu ? y : z, A, this.kernel.ptr, rows, units, depth, 0, 0, this.bias?.ptr ?? 0, relu ? 1 : 0);
    if (act.id === -1) be.softmaxForward(y, z, rows, units);
    else if (!relu && z !== y) be.activationForward(y, z, rows * units, act.id, act.alpha);
  }

  /** dW = Aᵀ·dz (depth × units, over `rows` rows of A and dz), written whole (beta 0) where the planner lets it: see addKernelWeights. */
  protected kernelGradient(be: Backend, io: NodeIO, A: number, dz: number, rows: number, units: number, depth: number): void {
    const dW = io.grad(this.kernel);
    if (dW) be.gemm(dW, A, dz, depth, units, rows, 1, 0, 1, io.overwrites(this.kernel) ? 0 : 1);
  }

  /** db += colsum(dz), when the bias is trained. */
  protected biasGradient(be: Backend, io: NodeIO, dz: number, rows: number, units: number): void {
    const db = this.bias ? io.grad(this.bias) : 0;
    if (db) be.biasGrad(db, dz, rows, units);
  }

  /** dL/dz (rows, units) in place of dy, unless the loss already gave it; returns where it is. */
  protected preActivationGrad(be: Backend, io: NodeIO, rows: number, units: number): number {
    const act = this.activation, dz = io.dy;
    if (io.lossGivesPreActivationGrad) return dz;
    if (act.id === -1) be.softmaxBackward(dz, io.dy, io.y, rows, units);
    else if (act.name !== 'linear') be.activationBackward(dz, io.dy, this.preActivation(io), io.y, rows * units, act.id, act.alpha);
    return dz;
  }

  /** The KernelLayerArgs part of getConfig (Keras order: activation first). */
  protected kernelConfig(): Record<string, unknown> {
    return {
      activation: this.activation.name, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer,
      ...(this.kernelRegularizer && { kernelRegularizer: this.kernelRegularizer }),
      ...(this.biasRegularizer && { biasRegularizer: this.biasRegularizer }),
    };
  }
}
