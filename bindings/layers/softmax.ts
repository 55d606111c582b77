/**
 * Softmax (Keras 3 `Softmax(axis=-1)`): y = exp(x − max)/Σ exp(x − max) along the last axis.
 * As Activation('softmax'), it hands its input to a crossentropy loss as logits (the fused,
 * stable gradient), and otherwise backpropagates dx += y ⊙ (dy − Σ dy ⊙ y).
 * The default axis is Keras 3's -1; TF.js 4.22's Softmax defaults to axis 1 (the same axis for
 * [features] inputs, another for higher ranks, which keelnet refuses when reading such a file).
 */
import { shapeStr } from './conv-geometry.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface SoftmaxArgs extends LayerArgs {
  /** The axis to normalize: only the last one (-1, the default, or rank − 1 of a sample counted with the batch). */
  axis?: number;
}

export class Softmax extends Layer {
  static className = 'Softmax';
  readonly axis: number;

  constructor(args: SoftmaxArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis)) throw new Error(`${this.name}: axis must be an integer (only the last axis, -1, is supported), got ${JSON.stringify(args.axis)}`);
    this.axis = axis;
  }

  computeOutputShape(inputShape: number[]): number[] {
    // Keras counts the batch axis: the last axis of a sample of rank r is -1 or r.
    if (inputShape.length < 1 || (this.axis !== -1 && this.axis !== inputShape.length)) {
      throw new Error(`${this.name}: only the last axis (-1${inputShape.length ? ` or ${inputShape.length}` : ''}) is supported, got axis ${this.axis} for an input of shape ${shapeStr(inputShape)}`);
    }
    return [...inputShape];
  }

  private get cols(): number { return this.inputShape[this.inputShape.length - 1]; }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    be.softmaxForward(io.y, io.x, batch * this.inputSize / this.cols, this.cols);
  }

  override outputLogits(io: NodeIO): { activation: string; logits: number } {
    return { activation: 'softmax', logits: io.x };
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (!io.dx) return;
    const n = batch * this.inputSize;
    if (!io.lossGivesPreActivationGrad) be.softmaxBackward(io.dy, io.dy, io.y, n / this.cols, this.cols);
    be.addInto(io.dx, io.dy, n);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

export function softmax(args: SoftmaxArgs = {}): Softmax {
  return new Softmax(args);
}
