/**
 * The layer contract. A layer declares its weights in `build`, the per-sample buffers it needs in
 * `buffersPerSample`, and runs kernels in `forward`/`backward` over the pointers of one node (one
 * application of the layer in one model), which the model's planner hands it as a `NodeIO`:
 * `x` (input), `y` (output), `dy` (gradient of the output, filled by the layers that read y),
 * `dx` (gradient of the input, 0 when nobody needs it — e.g. for the first layer), its buffers,
 * and where this model keeps each weight's gradient.
 *
 * A layer holds its configuration and its weights, never a model's plan: the same layer object
 * can sit in several models, or several times in one model, and each use gets its own NodeIO.
 * Backward passes accumulate (+=) into `dx`; weight gradients follow the planner's one rule
 * (`NodeIO.overwrites`): see bindings/engine/parameters.ts.
 */
import type { Backend } from '../backend/backend.js';
import { getInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import { getRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers.js';
import type { Random } from '../random.js';
import { Tensor, shapeSize } from '../tensor.js';
import { applyLayer, type SymbolicTensor } from '../graph/symbolic-tensor.js';

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
  /**
   * Whether a model trains it: declared so (moving statistics are not) and its layer trainable —
   * read when a model compiles, so `layer.trainable = false` then `compile()` freezes it (Keras).
   */
  readonly trainable: boolean;
  /** Penalty added to the loss, with its gradient added to this weight's gradient. */
  regularizer?: Regularizer;
  /**
   * Values waiting for linear memory: drawn when the layer is built (so the seeded stream is
   * consumed in layer order, however late a model plans its memory), or read back when the last
   * model holding the weight was disposed. Written into memory by the first model that plans the
   * weight, then dropped.
   */
  initial?: Float32Array;
  /** Byte offset of the values in linear memory (0 until a model plans the weight). */
  ptr: number;
  /** The block that holds the values (shared by the models that use the layer): bindings/engine/parameters.ts. */
  store?: WeightStore;
  /**
   * The layer's backward pass can write this weight's whole gradient (beta 0) instead of adding
   * to it; the planner lets it where the weight has one consumer, and zeroes the gradient otherwise.
   */
  canOverwriteGrad?: boolean;
}

/** Where a block of weights lives and which models use it (the last one to let go frees it). */
export interface WeightStore {
  readonly be: Backend;
  readonly block: number;
  /** The weights it holds. */
  readonly weights: Weight[];
  readonly users: Set<object>;
  /** The name of the model that planned the block (for error messages). */
  readonly plannedBy: string;
}

/**
 * The pointers of one node: one application of a layer in one model, planned by that model.
 * Layers read and write memory only through it (and their weights' `ptr`).
 */
export interface NodeIO {
  /** Input of each inbound tensor (batch, inputSize) and its gradient (0 where nobody needs it). */
  readonly xs: number[];
  readonly dxs: number[];
  /** The first input and its gradient (single-input layers). */
  readonly x: number;
  readonly dx: number;
  readonly y: number;
  readonly dy: number;
  /** The layer's own buffers (buffersPerSample and gradBuffersPerSample), by name. */
  readonly buffers: Record<string, number>;
  /** Where this model keeps the gradient of `w` (0 when it does not train it). */
  grad(w: Weight): number;
  /** Whether the backward pass must write `w`'s gradient whole (beta 0) rather than add to it. */
  overwrites(w: Weight): boolean;
  /**
   * Set by the model when this node is an output and the loss computes dL/d(logits) itself
   * (softmax + crossentropy, sigmoid + binary crossentropy, log-sum-exp): backward then takes dy
   * as the gradient of the logits and skips its activation's backward.
   */
  lossGivesPreActivationGrad: boolean;
  /**
   * When set, every training forward pass of this node uses this seed for its random masks
   * instead of drawing one, so the masks repeat (gradCheck sets it on every node it runs).
   */
  fixedSeed?: number;
  /** Samples in the last backward pass through this node (0 before one): diagnostics read its buffers. */
  lastBackwardBatch: number;
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

const shapeText = (s: number[]) => `[${s.join(', ')}]`;

/** A boolean argument: true or false (undefined or null: the default); anything else, such as the string 'false', is an error. */
export function booleanArg(owner: string, arg: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new Error(`${owner}: ${arg} must be true or false, got ${JSON.stringify(v)} (a ${typeof v})`);
  return v;
}

export abstract class Layer {
  readonly name: string;
  /** Declared input shape (first layer only). */
  readonly declaredInputShape?: number[];
  readonly activityRegularizer?: Regularizer;
  private trainableFlag = true;
  /** The input shape(s) the layer was built for (per sample); `inputShape` is the first. */
  inputShapes: number[][] = [];
  outputShape: number[] = [];
  weights: Weight[] = [];
  built = false;

  constructor(args: LayerArgs = {}) {
    const cls = (this.constructor as { className?: string }).className ?? 'Layer';
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      throw new Error(`${cls}: expected an options object (e.g. { units: 10 } for a Dense), got ${args === null ? 'null' : Array.isArray(args) ? 'an array' : JSON.stringify(args) ?? typeof args}`);
    }
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '' || args.name.includes('/'))) {
      throw new Error(`${cls}: name must be a non-empty string without '/' (it separates the layer from the weight in saved weight names), got ${JSON.stringify(args.name)}`);
    }
    this.name = args.name ?? uniqueName(snakeCase(cls));
    for (const k of ['inputShape', 'batchInputShape'] as const) {
      if (args[k] !== undefined && args[k] !== null && !Array.isArray(args[k])) {
        throw new Error(`${this.name}: ${k} must be an array of sizes (one sample, e.g. [784]), got ${JSON.stringify(args[k])}`);
      }
    }
    if (args.inputShape) this.declaredInputShape = [...args.inputShape];
    else if (args.batchInputShape) this.declaredInputShape = args.batchInputShape.slice(1).map((d) => d ?? -1);
    if (this.declaredInputShape && this.declaredInputShape.some((d) => !(Number.isInteger(d) && d > 0))) {
      throw new Error(`${this.name}: inputShape must be positive integers, got [${this.declaredInputShape.join(', ')}]`);
    }
    this.trainableFlag = booleanArg(this.name, 'trainable', args.trainable, true);
    this.activityRegularizer = getRegularizer(args.activityRegularizer, `${this.name}: activityRegularizer`);
  }

  get className(): string {
    return (this.constructor as { className?: string }).className ?? 'Layer';
  }

  /**
   * false freezes the layer's weights (and those of the layers inside it) from the next
   * `compile()` on, as in Keras; a frozen BatchNormalization also runs in inference mode.
   */
  get trainable(): boolean { return this.trainableFlag; }
  set trainable(v: boolean) {
    this.trainableFlag = booleanArg(this.name, 'trainable', v, true);
    for (const l of this.sublayers()) l.trainable = v;
  }

  /**
   * Check a model input this layer reads directly, before any step runs (an Embedding's token ids:
   * one bad id found mid-epoch would leave the weights half-trained). Throws naming `arg`.
   */
  checkInputData(_values: ArrayLike<number>, _arg: string): void {}

  /** Layers inside this one (a residual block's, a wrapper's), which follow its `trainable`. */
  protected sublayers(): Layer[] { return []; }

  get inputShape(): number[] { return this.inputShapes[0] ?? []; }

  /** Output shape for an input shape (both without the batch axis); throws on shapes it cannot take. */
  abstract computeOutputShape(inputShape: number[]): number[];

  /** How many inputs the layer takes: 1, or 'many' for merge layers (≥ 2). */
  get arity(): 1 | 'many' { return 1; }

  /** Output shape for the shapes of all inputs (merge layers override this rather than computeOutputShape). */
  outputShapeFor(inputShapes: number[][]): number[] {
    if (inputShapes.length !== 1) throw new Error(`${this.name}: expects one input, got ${inputShapes.length}`);
    return this.built ? this.outputShape : this.computeOutputShape(inputShapes[0]);
  }

  /** Declare weights for this input shape. Called once, at the layer's first use. */
  build(inputShape: number[]): void {
    this.inputShapes = [[...inputShape]];
    this.outputShape = this.computeOutputShape(inputShape);
    this.built = true;
  }

  /** Build for the shapes of all inputs (merge layers override it). */
  buildFor(inputShapes: number[][]): void {
    if (inputShapes.length !== 1) throw new Error(`${this.name}: expects one input, got ${inputShapes.length}`);
    this.build(inputShapes[0]);
  }

  /**
   * Apply the layer to symbolic tensors (the functional API): builds the layer at its first use
   * and returns the symbolic output. A layer used again must get inputs of the shapes it was
   * built for: its weights (and kernels' sizes) are fixed by its first use.
   */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
    return applyLayer(this, inputs);
  }

  /** Throws unless inputs of these shapes fit the built layer. */
  checkInputShapes(shapes: number[][]): void {
    const ok = shapes.length === this.inputShapes.length && shapes.every((s, i) => shapeText(s) === shapeText(this.inputShapes[i]));
    if (!ok) {
      throw new Error(`${this.name}: was built for input${this.inputShapes.length > 1 ? 's' : ''} ${this.inputShapes.map(shapeText).join(', ')} `
        + `and cannot be applied to ${shapes.map(shapeText).join(', ')}; a layer used again shares its weights and needs the same input shapes`);
    }
  }

  protected addWeight(name: string, shape: number[], initializer: InitializerIdentifier, trainable = true,
    regularizer?: RegularizerIdentifier): Weight {
    const layer = this;
    const w: Weight = {
      name, owner: this.name, shape, size: shapeSize(shape),
      initializer: getInitializer(initializer, `${this.name}: initializer`),
      get trainable() { return trainable && layer.trainable; },
      ptr: 0,
      regularizer: getRegularizer(regularizer, `${this.name}: ${name} regularizer`),
    };
    try {
      w.initial = w.initializer.sample(shape);
    } catch (e) {
      throw new Error(`${this.name}: ${name}: ${(e as Error).message}`);
    }
    this.weights.push(w);
    return w;
  }

  /** Extra buffers this layer needs, in floats per sample, by name (e.g. Dense's pre-activation). */
  buffersPerSample(): Record<string, number> {
    return {};
  }

  /**
   * Extra gradient buffers (floats per sample, by name), planned among the output gradients so
   * that the model zeroes them every step; they land in `io.buffers` too.
   */
  gradBuffersPerSample(): Record<string, number> {
    return {};
  }

  /** For a layer that ends in a named activation: that activation and where its input (the logits) lives. */
  outputLogits(_io: NodeIO): { activation: string; logits: number } | undefined {
    return undefined;
  }

  get inputSize(): number { return shapeSize(this.inputShape); }
  get outputSize(): number { return shapeSize(this.outputShape); }

  abstract forward(ctx: RunContext, io: NodeIO): void;
  abstract backward(ctx: RunContext, io: NodeIO): void;

  /** The 32-bit seed of this forward pass's random masks: fixed by the node (gradCheck), else drawn. */
  protected maskSeed(ctx: RunContext, io: NodeIO, own?: Random): number {
    return (io.fixedSeed ?? (own ?? ctx.rng).nextUint32()) >>> 0;
  }

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

  /** This layer's weights, in its own order (TF.js `layer.getWeights()`), wherever they live now. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => new Tensor(w.store ? w.store.be.read(w.ptr, w.size) : (w.initial ?? new Float32Array(w.size)).slice(), [...w.shape]));
  }

  /**
   * Replace this layer's weights, in getWeights() order: every model using the layer sees them.
   * Shapes must match and values be finite; nothing changes unless all pass.
   */
  setWeights(weights: Tensor[]): void {
    if (!Array.isArray(weights) || weights.length !== this.weights.length) {
      throw new Error(`${this.name}.setWeights: the layer has ${this.weights.length} weights${this.built ? '' : ' (it is not built yet)'}, `
        + `got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    this.weights.forEach((w, i) => {
      const t = weights[i];
      if (!(t instanceof Tensor)) throw new Error(`${this.name}.setWeights: weight ${i} (${w.name}) must be a Tensor`);
      if (t.shape.join(',') !== w.shape.join(',')) throw new Error(`${this.name}.setWeights: ${w.name} expects shape [${w.shape.join(', ')}], got [${t.shape.join(', ')}]`);
      const bad = Array.prototype.findIndex.call(t.values, (v: number) => !Number.isFinite(v));
      if (bad >= 0) throw new Error(`${this.name}.setWeights: ${w.name} has a non-finite value ${t.values[bad]} at index ${bad}`);
    });
    this.weights.forEach((w, i) => {
      const v = Float32Array.from(weights[i].values);
      if (w.store) w.store.be.write(w.ptr, v);
      else w.initial = v;
    });
  }
}
