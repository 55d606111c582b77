/**
 * TimeDistributed (Keras 3): apply one layer to every time step of [batch, time, ...] with the
 * same weights. Samples are stored one after another, so [batch, time, ...] is [batch·time, ...]:
 * the inner layer runs once on a batch of batch·time rows, over this node's pointers, with its
 * buffers planned time times larger. (Dense already applies to the last axis of 3-D inputs; this wraps any per-sample layer.)
 */
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface TimeDistributedArgs extends LayerArgs {
  /** The layer applied at every step. */
  layer: Layer;
}

export class TimeDistributed extends Layer {
  static className = 'TimeDistributed';
  readonly inner: Layer;

  constructor(args: TimeDistributedArgs) {
    super(args);
    if (!(args?.layer instanceof Layer)) throw new Error(`${this.name}: layer must be a layer, got ${String(args?.layer)}`);
    this.inner = args.layer;
  }

  computeOutputShape(inputShape: number[]): number[] {
    if (inputShape.length < 2) {
      throw new Error(`${this.name}: expected an input [batch, time, ...], got [batch, ${inputShape.join(', ')}]`
        + (inputShape.length === 1 ? ' — the previous layer outputs one vector per sample (a recurrent layer with returnSequences: false?)' : ''));
    }
    const step = this.inner.built ? this.inner.outputShape : this.inner.computeOutputShape(inputShape.slice(1));
    return [inputShape[0], ...step];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    if (!this.inner.built) this.inner.build(inputShape.slice(1));
    this.weights = this.inner.weights;
  }

  private get time(): number { return this.inputShape[0]; }

  override buffersPerSample(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.inner.buffersPerSample()).map(([k, n]) => [k, n * this.time]));
  }

  override gradBuffersPerSample(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.inner.gradBuffersPerSample()).map(([k, n]) => [k, n * this.time]));
  }

  forward(ctx: RunContext, io: NodeIO): void {
    this.inner.forward({ ...ctx, batch: ctx.batch * this.time }, io);
  }

  backward(ctx: RunContext, io: NodeIO): void {
    this.inner.backward({ ...ctx, batch: ctx.batch * this.time }, io);
  }

  /** The wrapped layer's activation and logits (its buffers are this node's). */
  override outputLogits(io: NodeIO): { activation: string; logits: number } | undefined {
    return this.inner.outputLogits(io);
  }

  protected override sublayers(): Layer[] { return [this.inner]; }

  get innerLayers(): Layer[] {
    return [this.inner];
  }

  override clone(): Layer {
    return new TimeDistributed({ name: this.name, trainable: this.trainable, layer: this.inner.clone() });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: { className: this.inner.className, config: this.inner.getConfig() } };
  }
}

export function timeDistributed(args: TimeDistributedArgs | Layer): TimeDistributed {
  return new TimeDistributed(args instanceof Layer ? { layer: args } : args);
}
