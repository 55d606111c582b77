/**
 * GaussianDropout (Keras 3): in training y = x·m, m ~ N(1, rate/(1 − rate)) drawn per element
 * (the multiplicative noise with Dropout's variance); in inference the identity. The factors
 * (gaussianFill with mean 1) are kept in the `mask` buffer for backward, dx += dy·m.
 */
import type { Random } from '../random.js';
import { ownStream } from './gaussian-noise.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface GaussianDropoutArgs extends LayerArgs {
  /** Drop probability as in Dropout, in [0, 1): the noise has standard deviation √(rate/(1 − rate)). */
  rate: number;
  /** Seed of the layer's own random stream; default (null): the global stream that setSeed fixes. */
  seed?: number | null;
}

export class GaussianDropout extends Layer {
  static className = 'GaussianDropout';
  readonly rate: number;
  readonly seed: number | null;
  private readonly ownRandom?: Random;

  constructor(args: GaussianDropoutArgs) {
    super(args);
    const rate = args?.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new Error(`${this.name}: rate must be a number in [0, 1), got ${typeof rate === 'number' ? rate : JSON.stringify(rate)}`);
    }
    this.rate = rate;
    ({ seed: this.seed, random: this.ownRandom } = ownStream(this.name, args.seed));
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [...inputShape];
  }

  override buffersPerSample(): Record<string, number> {
    return { mask: this.outputSize };
  }

  forward(ctx: RunContext, io: NodeIO): void {
    const { be, batch, training } = ctx, n = batch * this.inputSize;
    be.copy(io.y, io.x, n);
    if (!training) return;
    be.gaussianFill(io.buffers.mask, n, this.maskSeed(ctx, io, this.ownRandom), 1, Math.sqrt(this.rate / (1 - this.rate)));
    be.mulInto(io.y, io.buffers.mask, n);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.dx) be.dropoutBackward(io.dx, io.dy, io.buffers.mask, batch * this.inputSize);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

export function gaussianDropout(args: GaussianDropoutArgs): GaussianDropout {
  return new GaussianDropout(args);
}
