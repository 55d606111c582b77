/**
 * Softmax (Keras 3 `Softmax(axis=-1)`): y = exp(x − max)/Σ exp(x − max) along one axis.
 * Over the last axis it is the row kernel directly, and hands its input to a crossentropy loss
 * as logits (the fused, stable gradient); otherwise backward is dx += y ⊙ (dy − Σ dy ⊙ y).
 * Over another axis, a sample is (outer, len, inner): forward copies x to (outer, inner, len) in
 * a buffer (copyStrided), runs the row kernel there and copies back; backward does the same with
 * dy and adds into dx.
 * The default axis is Keras 3's -1; TF.js 4.22's Softmax defaults to axis 1 (the same axis for
 * [features] inputs, the first sample axis for higher ranks). Axes count the batch axis (Keras).
 */
import { shapeStr } from './conv-geometry.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface SoftmaxArgs extends LayerArgs {
  /** The axis to normalize, counting the batch axis (0, not allowed); negative counts from the end. Default -1. */
  axis?: number;
}

export class Softmax extends Layer {
  static className = 'Softmax';
  readonly axis: number;

  constructor(args: SoftmaxArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis) || axis === 0) {
      throw new Error(`${this.name}: axis must be a non-zero integer (a sample axis, counting the batch axis as 0; -1 the last), got ${JSON.stringify(args.axis)}`);
    }
    this.axis = axis;
  }

  /** The axis within a sample (0-based) for a sample of this shape; throws if out of range. */
  private sampleAxis(inputShape: number[]): number {
    const r = inputShape.length, k = this.axis > 0 ? this.axis - 1 : r + this.axis;
    if (r < 1 || k < 0 || k >= r) {
      throw new Error(`${this.name}: axis ${this.axis} is not an axis of an input of shape ${shapeStr(inputShape)} (expected 1..${r} or -${r}..-1)`);
    }
    return k;
  }

  computeOutputShape(inputShape: number[]): number[] {
    this.sampleAxis(inputShape);
    return [...inputShape];
  }

  /** (outer, len, inner) of a sample around the axis; inner = 1 for the last axis. */
  private get split(): { outer: number; len: number; inner: number } {
    const s = this.inputShape, k = this.sampleAxis(s), prod = (a: number[]) => a.reduce((x, y) => x * y, 1);
    return { outer: prod(s.slice(0, k)), len: s[k], inner: prod(s.slice(k + 1)) };
  }

  override buffersPerSample(): Record<string, number> {
    return this.split.inner === 1 ? {} : { yT: this.outputSize };
  }

  override gradBuffersPerSample(): Record<string, number> {
    return this.split.inner === 1 ? {} : { dyT: this.outputSize };
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const { outer, len, inner } = this.split, rows = batch * outer;
    if (inner === 1) { be.softmaxForward(io.y, io.x, rows, len); return; }
    const t = io.buffers.yT;
    // (rows, len, inner) → (rows, inner, len), softmax over each row of len, and back.
    be.copyStrided(t, io.x, 1, rows, inner, len, 0, inner * len, len, 1, 0, len * inner, 1, inner, 0);
    be.softmaxForward(t, t, rows * inner, len);
    be.copyStrided(io.y, t, 1, rows, len, inner, 0, len * inner, inner, 1, 0, inner * len, 1, len, 0);
  }

  override outputLogits(io: NodeIO): { activation: string; logits: number } | undefined {
    return this.split.inner === 1 ? { activation: 'softmax', logits: io.x } : undefined;
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (!io.dx) return;
    const { outer, len, inner } = this.split, rows = batch * outer, n = batch * this.inputSize;
    if (inner === 1) {
      if (!io.lossGivesPreActivationGrad) be.softmaxBackward(io.dy, io.dy, io.y, rows, len);
      be.addInto(io.dx, io.dy, n);
      return;
    }
    const t = io.buffers.yT, dt = io.buffers.dyT;
    be.copyStrided(dt, io.dy, 1, rows, inner, len, 0, inner * len, len, 1, 0, len * inner, 1, inner, 0);
    be.softmaxBackward(dt, dt, t, rows * inner, len);
    be.copyStrided(io.dx, dt, 1, rows, len, inner, 0, len * inner, inner, 1, 0, inner * len, 1, len, 1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

export function softmax(args: SoftmaxArgs = {}): Softmax {
  return new Softmax(args);
}
