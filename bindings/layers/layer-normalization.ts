/**
 * LayerNormalization (Keras 3): normalizes each row over the last axis, then scales by γ and
 * shifts by β:  y = γ·(x − mean)/√(var + ε) + β, with the mean and biased variance of that one
 * sample's (and position's) features. The same in training and inference.
 *
 * Weights in Keras order: gamma (if scale), beta (if center), both of the last axis's size.
 * Forward is one kernel; backward is one kernel giving dx, dgamma and dbeta.
 */
import type { InitializerIdentifier } from '../initializers.js';
import { checkEpsilon, checkInitializer, checkLastAxis } from './batch-normalization.js';
import { Layer, type LayerArgs, type RunContext, type Weight } from './layer.js';

export interface LayerNormalizationArgs extends LayerArgs {
  /** The axis normalized over. Only -1 (the last axis) is supported. Default -1. */
  axis?: number;
  /** Added to the variance before the square root; a positive number. Default 1e-3 (Keras 3). */
  epsilon?: number;
  /** Learn an offset β added after normalizing. Default true. */
  center?: boolean;
  /** Learn a factor γ multiplied after normalizing. Default true. */
  scale?: boolean;
  /** Initializer of β. Default 'zeros'. */
  betaInitializer?: InitializerIdentifier;
  /** Initializer of γ. Default 'ones'. */
  gammaInitializer?: InitializerIdentifier;
}

export class LayerNormalization extends Layer {
  static className = 'LayerNormalization';
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly betaInitializer: InitializerIdentifier;
  private readonly gammaInitializer: InitializerIdentifier;
  gamma?: Weight;
  beta?: Weight;

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
    this.axis = checkLastAxis(this.name, args.axis ?? -1);
    this.epsilon = checkEpsilon(this.name, args.epsilon ?? 1e-3);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.betaInitializer = checkInitializer(this.name, 'betaInitializer', args.betaInitializer ?? 'zeros');
    this.gammaInitializer = checkInitializer(this.name, 'gammaInitializer', args.gammaInitializer ?? 'ones');
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
  }

  /** Size of the last axis: the number of features normalized together. */
  get features(): number { return this.inputShape[this.inputShape.length - 1]; }
  /** Rows normalized one by one: samples × positions. */
  private rows(batch: number): number { return batch * (this.inputSize / this.features); }

  forward({ be, batch }: RunContext): void {
    be.layerNormForward(this.y, this.x, this.gamma?.ptr ?? 0, this.beta?.ptr ?? 0, this.rows(batch), this.features, this.epsilon);
  }

  backward({ be, batch }: RunContext): void {
    const dGamma = this.gamma?.gradPtr ?? 0, dBeta = this.beta?.gradPtr ?? 0;
    if (!this.dx && !dGamma && !dBeta) return;
    be.layerNormBackward(this.dx, dGamma, dBeta, this.dy, this.x, this.gamma?.ptr ?? 0, this.rows(batch), this.features, this.epsilon);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), axis: this.axis, epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: this.betaInitializer, gammaInitializer: this.gammaInitializer,
    };
  }
}

export function layerNormalization(args: LayerNormalizationArgs = {}): LayerNormalization {
  return new LayerNormalization(args);
}
