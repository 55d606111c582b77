/**
 * The layer contract. A layer declares its weights in `build`, the per-sample buffers it needs in
 * `buffersPerSample`, and runs kernels in `forward`/`backward` over pointers the model's planner
 * assigned: `x` (input), `y` (output), `dy` (gradient of the output, filled by the next layer)
 * and `dx` (gradient of the input, 0 when nobody needs it — e.g. for the first layer).
 * Backward passes accumulate (+=) into weight gradients and `dx`; the model zeroes them once per step.
 */
import type { Backend } from '../backend/backend.js';
import { getInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import { getRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers.js';
import type { Random } from '../random.js';
import { shapeSize } from '../tensor.js';

export interface LayerArgs {
  /** Unique name; defaults to the snake_case class name with a counter (dense, dense_1, …). */
  name?: string;
  /** Shape of one sample (without the batch axis); only the first layer of a model needs it. */
  inputShape?: number[];
  /** Shape with a leading batch axis (null), as Keras's batch_input_shape. */
  batchInputShape?: (number | null)[];
  /** false freezes the layer's weights. */
  trainable?: boolean;
  /** Penalty on the layer's output, added to the loss ('l1', 'l2', regularizers.l2({ l2 })). */
  activityRegularizer?: RegularizerIdentifier;
}

/** Arguments of the layers that own a kernel and a bias and end in an activation (Dense, Conv2D). */
export interface KernelLayerArgs extends LayerArgs {
  /** Activation applied to the layer's affine output (default linear). */
  activation?: string;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Kernel initializer (default 'glorotUniform', as Keras 3). */
  kernelInitializer?: InitializerIdentifier;
  /** Bias initializer (default 'zeros'). */
  biasInitializer?: InitializerIdentifier;
  /** Penalty on the kernel ('l1', 'l2', regularizers.l2({ l2 }), …). */
  kernelRegularizer?: RegularizerIdentifier;
  /** Penalty on the bias. */
  biasRegularizer?: RegularizerIdentifier;
}

export interface Weight {
  /** Keras weight name: kernel, bias, gamma, moving_mean, … */
  name: string;
  /** Name of the layer that declared it (`owner/name` is the weight's path in saved files). */
  owner: string;
  shape: number[];
  size: number;
  initializer: Initializer;
  trainable: boolean;
  /** Penalty added to the loss, with its gradient added to this weight's gradient. */
  regularizer?: Regularizer;
  /**
   * Initial values, drawn when the layer is built (so the seeded stream is consumed in layer
   * order, however late the model plans its memory); written into the parameter buffer and dropped.
   */
  initial?: Float32Array;
  /** Byte offset of the values in the model's parameter buffer (set when the model is built). */
  ptr: number;
  /** Byte offset of the gradient (0 for non-trainable weights). */
  gradPtr: number;
  /**
   * Set by a layer whose backward pass writes this whole gradient rather than adding to it: a
   * training step then need not zero it first (the model zeroes only the others: plan.ts).
   */
  overwritesGrad?: boolean;
}

export interface RunContext {
  be: Backend;
  /** Samples in this batch (≤ the planned batch size). */
  batch: number;
  training: boolean;
  rng: Random;
}

const counters = new Map<string, number>();

/** Keras-style unique names: dense, dense_1, dense_2, … */
export function uniqueName(base: string): string {
  const n = counters.get(base) ?? 0;
  counters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

export function snakeCase(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

export abstract class Layer {
  readonly name: string;
  /** Declared input shape (first layer only). */
  readonly declaredInputShape?: number[];
  trainable: boolean;
  readonly activityRegularizer?: Regularizer;
  inputShape: number[] = [];
  outputShape: number[] = [];
  weights: Weight[] = [];
  built = false;

  // Pointers assigned by the planner.
  x = 0;
  y = 0;
  dx = 0;
  dy = 0;
  buffers: Record<string, number> = {};

  constructor(args: LayerArgs = {}) {
    const cls = (this.constructor as { className?: string }).className ?? 'Layer';
    this.name = args.name ?? uniqueName(snakeCase(cls));
    if (args.inputShape) this.declaredInputShape = [...args.inputShape];
    else if (args.batchInputShape) this.declaredInputShape = args.batchInputShape.slice(1).map((d) => d ?? -1);
    if (this.declaredInputShape && this.declaredInputShape.some((d) => !(Number.isInteger(d) && d > 0))) {
      throw new Error(`${this.name}: inputShape must be positive integers, got [${this.declaredInputShape.join(', ')}]`);
    }
    this.trainable = args.trainable ?? true;
    this.activityRegularizer = getRegularizer(args.activityRegularizer, `${this.name}: activityRegularizer`);
  }

  get className(): string {
    return (this.constructor as { className?: string }).className ?? 'Layer';
  }

  /** Output shape for an input shape (both without the batch axis); throws on shapes it cannot take. */
  abstract computeOutputShape(inputShape: number[]): number[];

  /** Declare weights for this input shape. Called once by the model. */
  build(inputShape: number[]): void {
    this.inputShape = [...inputShape];
    this.outputShape = this.computeOutputShape(inputShape);
    this.built = true;
  }

  protected addWeight(name: string, shape: number[], initializer: InitializerIdentifier, trainable = true,
    regularizer?: RegularizerIdentifier): Weight {
    const w: Weight = {
      name, owner: this.name, shape, size: shapeSize(shape),
      initializer: getInitializer(initializer, `${this.name}: initializer`),
      trainable: trainable && this.trainable, ptr: 0, gradPtr: 0,
      regularizer: getRegularizer(regularizer, `${this.name}: ${name} regularizer`),
    };
    w.initial = w.initializer.sample(shape);
    this.weights.push(w);
    return w;
  }

  /** Extra buffers this layer needs, in floats per sample, by name (e.g. Dense's pre-activation). */
  buffersPerSample(): Record<string, number> {
    return {};
  }

  /**
   * Extra gradient buffers (floats per sample, by name), planned among the output gradients so
   * that the model zeroes them every step; they land in `this.buffers` too.
   */
  gradBuffersPerSample(): Record<string, number> {
    return {};
  }

  /**
   * Set by the model when this is the output layer and the loss computes dL/d(logits) itself
   * (softmax + crossentropy, sigmoid + binary crossentropy, log-sum-exp): backward then takes dy
   * as the gradient of the logits and skips its activation's backward.
   */
  lossGivesPreActivationGrad = false;

  /** For a layer that ends in a named activation: that activation and where its input (the logits) lives. */
  outputLogits(): { activation: string; logits: number } | undefined {
    return undefined;
  }

  /** Turn the fused-loss mode on or off (composite layers pass it to the part that owns the activation). */
  setLossFusion(on: boolean): void {
    this.lossGivesPreActivationGrad = on;
  }

  /** Called after the planner assigned x, y, dx, dy and buffers: composite layers wire their parts here. */
  onPlanned(_batch: number): void {}

  get inputSize(): number { return shapeSize(this.inputShape); }
  get outputSize(): number { return shapeSize(this.outputShape); }

  abstract forward(ctx: RunContext): void;
  abstract backward(ctx: RunContext): void;

  /** Keras config (camelCase here; converted to snake_case when saving). */
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, trainable: this.trainable };
    if (this.activityRegularizer) c.activityRegularizer = this.activityRegularizer;
    return c;
  }

  /** A fresh, unbuilt layer with the same configuration (weights are not copied). */
  clone(): Layer {
    const Ctor = this.constructor as new (args: Record<string, unknown>) => Layer;
    return new Ctor({ ...this.getConfig(), inputShape: this.inputShape.length ? this.inputShape : this.declaredInputShape });
  }

  countParams(): number {
    return this.weights.reduce((s, w) => s + w.size, 0);
  }
}
