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
import type { InitializerIdentifier } from '../initializers.js';
import type { NodeIO, RunContext, Weight } from './layer.js';
import { checkInitializer, Normalization, type NormalizationArgs } from './normalization.js';

export interface BatchNormalizationArgs extends NormalizationArgs {
  /** Weight of the old value in the moving averages, in [0, 1]: moving = moving·momentum + batch·(1 − momentum). Default 0.99. */
  momentum?: number;
  /** Initializer of the moving mean. Default 'zeros'. */
  movingMeanInitializer?: InitializerIdentifier;
  /** Initializer of the moving variance. Default 'ones'. */
  movingVarianceInitializer?: InitializerIdentifier;
}

export class BatchNormalization extends Normalization {
  static className = 'BatchNormalization';
  readonly momentum: number;
  private readonly movingMeanInitializer: InitializerIdentifier;
  private readonly movingVarianceInitializer: InitializerIdentifier;
  movingMean!: Weight;
  movingVariance!: Weight;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    this.momentum = args.momentum ?? 0.99;
    if (typeof this.momentum !== 'number' || !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new Error(`${this.name}: momentum must be a number in [0, 1], got ${String(args.momentum)}`);
    }
    this.movingMeanInitializer = checkInitializer(this.name, 'movingMeanInitializer', args.movingMeanInitializer ?? 'zeros');
    this.movingVarianceInitializer = checkInitializer(this.name, 'movingVarianceInitializer', args.movingVarianceInitializer ?? 'ones');
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    this.movingMean = this.addWeight('moving_mean', [this.features], this.movingMeanInitializer, false);
    this.movingVariance = this.addWeight('moving_variance', [this.features], this.movingVarianceInitializer, false);
  }

  forward({ be, batch, training }: RunContext, io: NodeIO): void {
    be.batchNormForward(io.y, this.movingMean.ptr, this.movingVariance.ptr, io.x, this.gamma?.ptr ?? 0, this.beta?.ptr ?? 0,
      this.rows(batch), this.features, this.momentum, this.epsilon, training && this.trainable ? 1 : 0);
  }

  backward({ be, batch, training }: RunContext, io: NodeIO): void {
    const dGamma = (this.gamma ? io.grad(this.gamma) : 0) ?? 0, dBeta = (this.beta ? io.grad(this.beta) : 0) ?? 0;
    if (!io.dx && !dGamma && !dBeta) return;
    be.batchNormBackward(io.dx, dGamma, dBeta, io.dy, io.x, this.gamma?.ptr ?? 0,
      this.movingMean.ptr, this.movingVariance.ptr, this.rows(batch), this.features, this.epsilon, training && this.trainable ? 1 : 0);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), momentum: this.momentum,
      movingMeanInitializer: this.movingMeanInitializer, movingVarianceInitializer: this.movingVarianceInitializer,
    };
  }
}

export function batchNormalization(args: BatchNormalizationArgs = {}): BatchNormalization {
  return new BatchNormalization(args);
}
