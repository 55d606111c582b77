/**
 * BatchNormalization (Keras 3): normalizes each feature of the last axis with statistics taken
 * over every other axis (the batch and, for 3-D/4-D inputs, the positions), then scales by γ and
 * shifts by β:  y = γ·(x − mean)/√(var + ε) + β.
 *
 * Training (fit, computeGradients; and only when the layer is trainable): mean and var are the
 * batch's (biased variance), and the moving statistics follow them,
 * `moving = moving·momentum + batch·(1 − momentum)`. Inference (predict, evaluate, or a frozen
 * layer): mean and var are the moving statistics.
 *
 * Weights in Keras order: gamma (if scale), beta (if center), moving_mean, moving_variance (the
 * last two non-trainable). Forward is one kernel; backward is one kernel giving dx (through the
 * batch statistics in training mode), dgamma and dbeta.
 */
import { getInitializer, type InitializerIdentifier } from '../initializers.js';
import { Layer, type LayerArgs, type RunContext, type Weight } from './layer.js';

export interface BatchNormalizationArgs extends LayerArgs {
  /** The feature axis. Only -1 (the last axis: Dense outputs, channels-last images) is supported. Default -1. */
  axis?: number;
  /** Weight of the old value in the moving averages, in [0, 1]: moving = moving·momentum + batch·(1 − momentum). Default 0.99. */
  momentum?: number;
  /** Added to the variance before the square root; a positive number. Default 1e-3. */
  epsilon?: number;
  /** Learn an offset β added after normalizing. Default true. */
  center?: boolean;
  /** Learn a factor γ multiplied after normalizing. Default true. */
  scale?: boolean;
  /** Initializer of β. Default 'zeros'. */
  betaInitializer?: InitializerIdentifier;
  /** Initializer of γ. Default 'ones'. */
  gammaInitializer?: InitializerIdentifier;
  /** Initializer of the moving mean. Default 'zeros'. */
  movingMeanInitializer?: InitializerIdentifier;
  /** Initializer of the moving variance. Default 'ones'. */
  movingVarianceInitializer?: InitializerIdentifier;
}

export class BatchNormalization extends Layer {
  static className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly betaInitializer: InitializerIdentifier;
  private readonly gammaInitializer: InitializerIdentifier;
  private readonly movingMeanInitializer: InitializerIdentifier;
  private readonly movingVarianceInitializer: InitializerIdentifier;
  gamma?: Weight;
  beta?: Weight;
  movingMean!: Weight;
  movingVariance!: Weight;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    this.axis = checkLastAxis(this.name, args.axis ?? -1);
    this.momentum = args.momentum ?? 0.99;
    if (typeof this.momentum !== 'number' || !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new Error(`${this.name}: momentum must be a number in [0, 1], got ${String(args.momentum)}`);
    }
    this.epsilon = checkEpsilon(this.name, args.epsilon ?? 1e-3);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.betaInitializer = checkInitializer(this.name, 'betaInitializer', args.betaInitializer ?? 'zeros');
    this.gammaInitializer = checkInitializer(this.name, 'gammaInitializer', args.gammaInitializer ?? 'ones');
    this.movingMeanInitializer = checkInitializer(this.name, 'movingMeanInitializer', args.movingMeanInitializer ?? 'zeros');
    this.movingVarianceInitializer = checkInitializer(this.name, 'movingVarianceInitializer', args.movingVarianceInitializer ?? 'ones');
  }

  computeOutputShape(inputShape: number[]): number[] {
    if (inputShape.length < 1) throw new Error(`${this.name}: expected an input of rank ≥ 1 per sample, got []`);
    return [...inputShape];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    const shape = [this.features];
    if (this.scale) this.gamma = this.addWeight('gamma', shape, this.gammaInitializer);
    if (this.center) this.beta = this.addWeight('beta', shape, this.betaInitializer);
    this.movingMean = this.addWeight('moving_mean', shape, this.movingMeanInitializer, false);
    this.movingVariance = this.addWeight('moving_variance', shape, this.movingVarianceInitializer, false);
  }

  /** Size of the last axis: the number of features normalized. */
  get features(): number { return this.inputShape[this.inputShape.length - 1]; }
  /** Rows the statistics run over: samples × positions. */
  private rows(batch: number): number { return batch * (this.inputSize / this.features); }

  forward({ be, batch, training }: RunContext): void {
    be.batchNormForward(this.y, this.movingMean.ptr, this.movingVariance.ptr, this.x, this.gamma?.ptr ?? 0, this.beta?.ptr ?? 0,
      this.rows(batch), this.features, this.momentum, this.epsilon, training && this.trainable ? 1 : 0);
  }

  backward({ be, batch, training }: RunContext): void {
    const dGamma = this.gamma?.gradPtr ?? 0, dBeta = this.beta?.gradPtr ?? 0;
    if (!this.dx && !dGamma && !dBeta) return;
    be.batchNormBackward(this.dx, dGamma, dBeta, this.dy, this.x, this.gamma?.ptr ?? 0,
      this.movingMean.ptr, this.movingVariance.ptr, this.rows(batch), this.features, this.epsilon, training && this.trainable ? 1 : 0);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), axis: this.axis, momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: this.betaInitializer, gammaInitializer: this.gammaInitializer,
      movingMeanInitializer: this.movingMeanInitializer, movingVarianceInitializer: this.movingVarianceInitializer,
    };
  }
}

export function batchNormalization(args: BatchNormalizationArgs = {}): BatchNormalization {
  return new BatchNormalization(args);
}

/** Normalization layers take only the last axis: -1. */
export function checkLastAxis(layer: string, axis: unknown): number {
  if (axis !== -1) {
    throw new Error(`${layer}: axis must be -1 (the last axis; other axes are not supported), got ${Array.isArray(axis) ? `[${axis.join(', ')}]` : String(axis)}`);
  }
  return axis;
}

export function checkEpsilon(layer: string, epsilon: unknown): number {
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) {
    throw new Error(`${layer}: epsilon must be a positive finite number, got ${String(epsilon)}`);
  }
  return epsilon;
}

/** Resolve an initializer now, so that a bad name fails in the constructor, naming the layer. */
export function checkInitializer(layer: string, arg: string, id: InitializerIdentifier): InitializerIdentifier {
  getInitializer(id, `${layer}: ${arg}`);
  return id;
}
