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
 * Built, the block is a small graph — input → f → add(f(x), x or P(x)) — that the planner runs
 * in place of this layer (a container, like a nested model): sugar over the `add` merge layer.
 */
import { Dense } from './dense.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';
import { Add } from './merge.js';
import { input } from '../graph/input-layer.js';
import { topology, type Topology } from '../graph/topology.js';
import { Conv2D } from './conv2d.js';

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
  private graph?: Topology;

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
    this.weights = [...new Set([...this.inner.flatMap((l) => l.weights), ...(this.projection?.weights ?? [])])];
    const x = input({ shape: inputShape, name: `${this.name}_input` });
    let h = x;
    for (const l of this.inner) h = l.apply(h);
    const skip = this.projection ? this.projection.apply(x) : x;
    this.graph = topology([x], [new Add({ name: `${this.name}_add` }).apply([h, skip])], this.name);
  }

  /** The block as a graph: input → f → add(f(x), x or P(x)). The planner runs these nodes in place of this layer. */
  innerGraph(): Topology {
    if (!this.graph) throw new Error(`${this.name}: not built`);
    return this.graph;
  }

  forward(_ctx: RunContext, _io: NodeIO): void { throw new Error(`${this.name}: a residual block runs through its inner nodes`); }
  backward(_ctx: RunContext, _io: NodeIO): void { throw new Error(`${this.name}: a residual block runs through its inner nodes`); }

  /** Weights of the inner layers (and the projection), each under its own layer's name. */
  protected override sublayers(): Layer[] { return this.innerLayers; }

  get innerLayers(): Layer[] {
    return this.projection ? [...this.inner, this.projection] : this.inner;
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

/** `residual({ layers, projection })`, or `residual([...layers])` for the block alone. */
export function residual(args: ResidualArgs | Layer[]): Residual {
  return new Residual(Array.isArray(args) ? { layers: args } : args);
}

