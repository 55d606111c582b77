/**
 * TimeDistributed (Keras 3): apply one layer to every time step of [batch, time, ...] with the
 * same weights. Samples are stored one after another, so [batch, time, ...] is [batch·time, ...]:
 * the inner layer runs once on a batch of batch·time rows, with its buffers planned time times
 * larger. (Dense already applies to the last axis of 3-D inputs; this wraps any per-sample layer.)
 */
import { Layer, type LayerArgs, type RunContext } from './layer.js';

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

  override onPlanned(batch: number): void {
    const l = this.inner;
    l.x = this.x; l.y = this.y; l.dx = this.dx; l.dy = this.dy;
    l.buffers = { ...this.buffers };
    l.onPlanned(batch * this.time);
  }

  forward(ctx: RunContext): void {
    this.inner.forward({ ...ctx, batch: ctx.batch * this.time });
  }

  backward(ctx: RunContext): void {
    this.inner.backward({ ...ctx, batch: ctx.batch * this.time });
  }

  /** The wrapped layer (diagnostics list its weights under its own name). */
  override outputLogits(): { activation: string; logits: number } | undefined {
    return this.inner.outputLogits();
  }

  override setLossFusion(on: boolean): void {
    super.setLossFusion(on);
    this.inner.setLossFusion(on);
  }

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
