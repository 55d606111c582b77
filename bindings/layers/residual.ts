/**
 * Residual: y = f(x) + x, where f is a stack of layers — or y = f(x) + P(x) with a linear Dense
 * projection P when f changes the width (the standard fix for a shape mismatch). A deep residual
 * MLP is a few lines:
 *   layers.residual({ layers: [layers.dense({ units: 128, activation: 'relu' }), layers.dense({ units: 128 })] })
 *
 * Memory: the inner layers' outputs and output gradients are planned as this layer's buffers.
 * Backward: the skip path first (dx += dy, or the projection's backward), because the last inner
 * layer may turn dy into its pre-activation gradient in place; then the inner layers in reverse.
 */
import { Dense } from './dense.js';
import { Layer, type LayerArgs, type RunContext } from './layer.js';

export interface ResidualArgs extends LayerArgs {
  /** The block f, applied in order to x. */
  layers: Layer[];
  /**
   * 'auto' (default): add a linear Dense projection of x when f changes the last dimension;
   * true: always project; false: f must keep x's shape.
   */
  projection?: boolean | 'auto';
}

const shapeStr = (s: number[]) => `[${s.join(', ')}]`;

export class Residual extends Layer {
  static className = 'Residual';
  readonly inner: Layer[];
  readonly projectionMode: boolean | 'auto';
  projection?: Dense;

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
    const sameButLast = shape.length === inputShape.length && shape.slice(0, -1).every((d, i) => d === inputShape[i]);
    if (!same && (this.projectionMode === false || !sameButLast)) {
      throw new Error(`${this.name}: cannot add the block's output of shape ${shapeStr(shape)} to its input of shape ${shapeStr(inputShape)}`
        + (sameButLast ? '; allow a projection (projection: \'auto\')' : ''));
    }
    return shape;
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    let shape = inputShape;
    for (const l of this.inner) { if (!l.built) l.build(shape); shape = l.outputShape; }
    if (this.projectionMode === true || shapeStr(shape) !== shapeStr(inputShape)) {
      this.projection = new Dense({ units: shape[shape.length - 1], name: `${this.name}_projection` });
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

