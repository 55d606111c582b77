/**
 * GaussianNoise (Keras 3): in training y = x + ε, ε ~ N(0, stddev²) drawn per element; in
 * inference the identity. The noise comes from one 32-bit seed per training forward pass (the
 * global seeded stream, or the layer's own with `seed`; gradCheck fixes it), through gaussianFill,
 * identical on the wasm and js cores. Backward: dx += dy (the noise does not depend on x).
 */
import { Random } from '../random.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the noise, in [0, 1] (Keras 3's bound). */
  stddev: number;
  /** Seed of the layer's own random stream; default (null): the global stream that setSeed fixes. */
  seed?: number | null;
}

/** A seed argument: null/undefined or an integer; the layer's own stream when given. */
export function ownStream(layer: string, seed: unknown): { seed: number | null; random?: Random } {
  const s = seed ?? null;
  if (s !== null && !Number.isInteger(s)) throw new Error(`${layer}: seed must be an integer or null, got ${JSON.stringify(s)}`);
  return { seed: s as number | null, random: s === null ? undefined : new Random(s as number) };
}

export class GaussianNoise extends Layer {
  static className = 'GaussianNoise';
  readonly stddev: number;
  readonly seed: number | null;
  private readonly ownRandom?: Random;

  constructor(args: GaussianNoiseArgs) {
    super(args);
    const stddev = args?.stddev;
    if (typeof stddev !== 'number' || !(stddev >= 0 && stddev <= 1)) {
      throw new Error(`${this.name}: stddev must be a number in [0, 1], got ${typeof stddev === 'number' ? stddev : JSON.stringify(stddev)}`);
    }
    this.stddev = stddev;
    ({ seed: this.seed, random: this.ownRandom } = ownStream(this.name, args.seed));
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [...inputShape];
  }

  forward(ctx: RunContext, io: NodeIO): void {
    const { be, batch, training } = ctx, n = batch * this.inputSize;
    if (!training) { be.copy(io.y, io.x, n); return; }
    be.gaussianFill(io.y, n, this.maskSeed(ctx, io, this.ownRandom), 0, this.stddev);
    be.addInto(io.y, io.x, n);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.dx) be.addInto(io.dx, io.dy, batch * this.inputSize);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed };
  }
}

export function gaussianNoise(args: GaussianNoiseArgs): GaussianNoise {
  return new GaussianNoise(args);
}
