/**
 * What BatchNormalization and LayerNormalization share: the last axis as the feature axis, ε,
 * the optional learned scale γ and offset β (Keras order: gamma, then beta), and the rows the
 * kernels walk (samples × positions).
 */
import { getInitializer, type InitializerIdentifier } from '../initializers.js';
import { Layer, type LayerArgs, type Weight } from './layer.js';

export interface NormalizationArgs extends LayerArgs {
  /** The feature axis. Only -1 (the last axis: Dense outputs, channels-last images) is supported. Default -1. */
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

export abstract class Normalization extends Layer {
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  protected readonly betaInitializer: InitializerIdentifier;
  protected readonly gammaInitializer: InitializerIdentifier;
  gamma?: Weight;
  beta?: Weight;

  constructor(args: NormalizationArgs) {
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

  /** Declares gamma and beta; subclasses add their own weights after. */
  override build(inputShape: number[]): void {
    super.build(inputShape);
    if (this.scale) this.gamma = this.addWeight('gamma', [this.features], this.gammaInitializer);
    if (this.center) this.beta = this.addWeight('beta', [this.features], this.betaInitializer);
  }

  /** Size of the last axis: the number of features. */
  get features(): number { return this.inputShape[this.inputShape.length - 1]; }
  /** Rows the kernels walk: samples × positions. */
  protected rows(batch: number): number { return batch * (this.inputSize / this.features); }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), axis: this.axis, epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: this.betaInitializer, gammaInitializer: this.gammaInitializer,
    };
  }
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
