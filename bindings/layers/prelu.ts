/**
 * PReLU: y = x > 0 ? x : alpha·x with a learned slope `alpha` of the sample's shape (Keras 3
 * `PReLU(alpha_initializer="Zeros", alpha_regularizer=None, shared_axes=None)`; constraints are
 * not supported). `sharedAxes` sets those axes of alpha to 1, so one slope serves every position
 * along them: [1, 2] on (h, w, c) images learns one slope per channel.
 *
 * The shared axes must lead (1, 2, …, k; axes of size 1 count as shared either way): alpha is
 * then the trailing (rows, cols) block's column vector, cols = alpha's size, and one pair of
 * kernels covers every case. Other patterns are a clear error.
 *
 * Forward: preluForward. Backward: preluBackward, dx += (x > 0 ? 1 : alpha)·dy and
 * dAlpha += Σ over samples and shared positions of dy·x where x ≤ 0.
 */
import type { InitializerIdentifier } from '../initializers.js';
import { getRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext, type Weight } from './layer.js';

export interface PReLUArgs extends LayerArgs {
  /** Initializer of the slopes (default 'zeros', as Keras: the layer starts as a ReLU). */
  alphaInitializer?: InitializerIdentifier;
  /** Penalty on the slopes ('l1', 'l2', regularizers.l2({ l2 }), …). */
  alphaRegularizer?: RegularizerIdentifier;
  /**
   * Axes (1-based, the batch axis excluded, as Keras) along which the slope is shared; they must
   * be the leading axes, e.g. [1, 2] for one slope per channel of an (h, w, c) input. Default: none.
   */
  sharedAxes?: number | number[] | null;
}

export class PReLU extends Layer {
  static className = 'PReLU';
  readonly alphaInitializer: InitializerIdentifier;
  readonly alphaRegularizer?: Regularizer;
  readonly sharedAxes: number[] | null;
  alpha!: Weight;

  constructor(args: PReLUArgs = {}) {
    super(args);
    this.alphaInitializer = args.alphaInitializer ?? 'zeros';
    this.alphaRegularizer = getRegularizer(args.alphaRegularizer, `${this.name}: alphaRegularizer`);
    const axes = args.sharedAxes;
    if (axes === undefined || axes === null) this.sharedAxes = null;
    else {
      const list = typeof axes === 'number' ? [axes] : axes;
      if (!Array.isArray(list) || list.some((a) => !Number.isInteger(a) || a < 1)) {
        throw new Error(`${this.name}: sharedAxes must be positive integers (1-based, batch axis excluded), got ${JSON.stringify(axes)}`);
      }
      this.sharedAxes = [...new Set(list)].sort((a, b) => a - b);
    }
  }

  computeOutputShape(inputShape: number[]): number[] {
    this.alphaShape(inputShape);
    return [...inputShape];
  }

  /** Keras's param_shape: the input shape with 1 on every shared axis (validated). */
  private alphaShape(inputShape: number[]): number[] {
    const shape = [...inputShape];
    for (const a of this.sharedAxes ?? []) {
      if (a > inputShape.length) {
        throw new Error(`${this.name}: sharedAxes ${JSON.stringify(this.sharedAxes)} name axis ${a}, but the input has ${inputShape.length} axes per sample (shape [${inputShape.join(', ')}])`);
      }
      shape[a - 1] = 1;
    }
    // The first axis alpha keeps (size > 1) and every later one must be alpha's full axis.
    const first = shape.findIndex((d) => d !== 1);
    if (first >= 0 && shape.slice(first).some((d, i) => d !== inputShape[first + i])) {
      throw new Error(`${this.name}: sharedAxes ${JSON.stringify(this.sharedAxes)} on input shape [${inputShape.join(', ')}] is not supported: `
        + 'the slope can be shared only along the leading axes (e.g. [1] or [1, 2]), not after an axis that keeps its own slopes');
    }
    return shape;
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    this.alpha = this.addWeight('alpha', this.alphaShape(inputShape), this.alphaInitializer, true, this.alphaRegularizer);
  }

  /** The (rows, cols) view the kernels take: cols = alpha's size. */
  private rows(batch: number): number { return batch * (this.inputSize / this.alpha.size); }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    be.preluForward(io.y, io.x, this.alpha.ptr, this.rows(batch), this.alpha.size);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (!io.dx && !io.grad(this.alpha)) return;
    be.preluBackward(io.dx, io.grad(this.alpha), io.dy, io.x, this.alpha.ptr, this.rows(batch), this.alpha.size);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), alphaInitializer: this.alphaInitializer, sharedAxes: this.sharedAxes,
      ...(this.alphaRegularizer && { alphaRegularizer: this.alphaRegularizer }),
    };
  }
}

export function prelu(args: PReLUArgs = {}): PReLU {
  return new PReLU(args);
}
