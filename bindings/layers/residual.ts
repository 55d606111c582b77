/**
 * Residual: y = f(x) + x, where f is a stack of layers — or y = f(x) + P(x) with a linear
 * projection P when f changes the shape (the standard fix for a shape mismatch): a Dense on the
 * last axis when only the width changes, and for images [h, w, c] a 1×1 Conv2D whose strides
 * map x's height and width onto f's (ResNet's projection shortcut). A deep residual MLP, and a
 * ResNet block that halves the image and doubles the channels, are a few lines:
 *   layers.residual({ layers: [layers.dense({ units: 128, activation: 'relu' }), layers.dense({ units: 128 })] })
 *   layers.residual({ layers: [layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
 *                              layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same' })] })
 *
 * Memory: the inner layers' outputs and output gradients are planned as this layer's buffers.
 * Backward: the skip path first (dx += dy, or the projection's backward), because the last inner
 * layer may turn dy into its pre-activation gradient in place; then the inner layers in reverse.
 */
import { Dense } from './dense.js';
import { Conv2D } from './conv2d.js';
import { Layer, type LayerArgs, type RunContext } from './layer.js';

export interface ResidualArgs extends LayerArgs {
  /** The block f, applied in order to x. */
  layers: Layer[];
  /**
   * 'auto' (default): add a linear projection of x when f changes its shape (a Dense when only
   * the last dimension changes, a 1×1 Conv2D with strides for images);
   * true: always project; false: f must keep x's shape.
   */
  projection?: boolean | 'auto';
}

const shapeStr = (s: number[]) => `[${s.join(', ')}]`;

export class Residual extends Layer {
  static className = 'Residual';
  readonly inner: Layer[];
  readonly projectionMode: boolean | 'auto';
  projection?: Dense | Conv2D;

  constructor(args: ResidualArgs) {
    super(args);
    if (!Array.isArray(args.layers) || args.layers.length === 0 || !args.layers.every((l) => l instanceof Layer)) {
      throw new Error(`${this.name}: layers must be a non-empty array of layers`);
    }
    this.inner = args.layers;
    this.projectionMode = args.projection ?? 'auto';
  }

  computeOutputShape(inputShape: number[]): number[] {
    let shape = inputShape;
    for (const l of this.inner) shape = l.built ? l.outputShape : l.computeOutputShape(shape);
    const same = shapeStr(shape) === shapeStr(inputShape);
    const projectable = this.projectionFor(inputShape, shape) !== undefined;
    if (!same && (this.projectionMode === false || !projectable)) {
      throw new Error(`${this.name}: cannot add the block's output of shape ${shapeStr(shape)} to its input of shape ${shapeStr(inputShape)}`
        + (projectable ? '; allow a projection (projection: \'auto\')'
          : inputShape.length === 3 && shape.length === 3 ? ' (no 1×1 convolution stride maps the input\'s height and width onto the output\'s)' : ''));
    }
    return shape;
  }

  /**
   * How x of shape `from` becomes the block's output shape `to`: a Dense on the last axis when
   * only that changes, a 1×1 Conv2D with strides s (⌈h/s⌉ = h') for images; undefined if neither.
   */
  private projectionFor(from: number[], to: number[]): { kind: 'dense' } | { kind: 'conv'; strides: [number, number] } | undefined {
    if (from.length === 3 && to.length === 3) {
      const stride = (a: number, b: number) => {
        for (let s = 1; s <= a; s++) if (Math.ceil(a / s) === b) return s;
        return 0;
      };
      const sh = stride(from[0], to[0]), sw = stride(from[1], to[1]);
      return sh && sw ? { kind: 'conv', strides: [sh, sw] } : undefined;
    }
    const sameButLast = to.length === from.length && to.slice(0, -1).every((d, i) => d === from[i]);
    return sameButLast ? { kind: 'dense' } : undefined;
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    let shape = inputShape;
    for (const l of this.inner) { if (!l.built) l.build(shape); shape = l.outputShape; }
    if (this.projectionMode === true || shapeStr(shape) !== shapeStr(inputShape)) {
      const how = this.projectionFor(inputShape, shape)!;
      const name = `${this.name}_projection`, units = shape[shape.length - 1];
      this.projection = how.kind === 'conv'
        ? new Conv2D({ filters: units, kernelSize: 1, strides: how.strides, name })
        : new Dense({ units, name });
      this.projection.build(inputShape);
    }
    this.weights = [...this.inner.flatMap((l) => l.weights), ...(this.projection?.weights ?? [])];
  }

  private parts(): Layer[] {
    return this.projection ? [...this.inner, this.projection] : this.inner;
  }

  override buffersPerSample(): Record<string, number> {
    const b: Record<string, number> = {};
    this.parts().forEach((l, i) => {
      b[`${i}.y`] = l.outputSize;
      for (const [k, n] of Object.entries(l.buffersPerSample())) b[`${i}.${k}`] = n;
    });
    return b;
  }

  override gradBuffersPerSample(): Record<string, number> {
    const b: Record<string, number> = {};
    this.inner.forEach((l, i) => {
      if (i < this.inner.length - 1) b[`${i}.dy`] = l.outputSize;
      for (const [k, n] of Object.entries(l.gradBuffersPerSample())) b[`${i}.${k}`] = n;
    });
    return b;
  }

  override onPlanned(batch: number): void {
    const own = (i: number, l: Layer) => {
      l.buffers = {};
      for (const k of [...Object.keys(l.buffersPerSample()), ...Object.keys(l.gradBuffersPerSample())]) l.buffers[k] = this.buffers[`${i}.${k}`];
    };
    let prevY = this.x, prevDy = this.dx;
    this.inner.forEach((l, i) => {
      const last = i === this.inner.length - 1;
      l.x = prevY; l.dx = prevDy;
      l.y = this.buffers[`${i}.y`];
      l.dy = last ? this.dy : this.buffers[`${i}.dy`];
      own(i, l);
      l.onPlanned(batch);
      prevY = l.y; prevDy = l.dy;
    });
    if (this.projection) {
      const p = this.projection, i = this.inner.length;
      p.x = this.x; p.dx = this.dx; p.y = this.buffers[`${i}.y`]; p.dy = this.dy;
      own(i, p);
      p.onPlanned(batch);
    }
  }

  forward(ctx: RunContext): void {
    const n = ctx.batch * this.outputSize;
    for (const l of this.inner) l.forward(ctx);
    ctx.be.copy(this.y, this.inner[this.inner.length - 1].y, n);
    if (this.projection) {
      this.projection.forward(ctx);
      ctx.be.addInto(this.y, this.projection.y, n);
    } else {
      ctx.be.addInto(this.y, this.x, n);
    }
  }

  backward(ctx: RunContext): void {
    if (this.projection) this.projection.backward(ctx);
    else if (this.dx) ctx.be.addInto(this.dx, this.dy, ctx.batch * this.outputSize);
    for (let i = this.inner.length - 1; i >= 0; i--) this.inner[i].backward(ctx);
  }

  /** Weights of the inner layers (and the projection), each under its own layer's name. */
  get innerLayers(): Layer[] {
    return this.parts();
  }

  override clone(): Layer {
    return new Residual({ name: this.name, trainable: this.trainable, projection: this.projectionMode, layers: this.inner.map((l) => l.clone()) });
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), projection: this.projectionMode,
      layers: this.inner.map((l) => ({ className: l.className, config: l.getConfig() })),
    };
  }
}

export function residual(args: ResidualArgs): Residual {
  return new Residual(args);
}

