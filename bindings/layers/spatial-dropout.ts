/**
 * SpatialDropout1D and SpatialDropout2D (Keras 3): Dropout that drops whole channels — one
 * keep/drop per sample and channel, shared by every step ([steps, c]) or pixel ([h, w, c]); kept
 * channels are scaled by 1/(1 − rate); in inference the identity. The mask (batch, c) comes from
 * dropoutMask (Dropout's hash of (seed, index)); channelScale applies it forward and, with
 * accumulate, backward: dx += dy·mask.
 */
import type { Random } from '../random.js';
import { checkDataFormat, checkImage, checkSequence, kerasName } from './conv-geometry.js';
import { ownStream } from './gaussian-noise.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface SpatialDropoutArgs extends LayerArgs {
  /** Fraction of the channels to drop in training, in [0, 1). */
  rate: number;
  /** Seed of the layer's own random stream; default (null): the global stream that setSeed fixes. */
  seed?: number | null;
  /** Only 'channelsLast', the default. */
  dataFormat?: 'channelsLast';
}

abstract class SpatialDropout extends Layer {
  readonly rate: number;
  readonly seed: number | null;
  private readonly ownRandom?: Random;

  constructor(args: SpatialDropoutArgs, defaultName: string) {
    super(kerasName(args, defaultName));
    const rate = args?.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new Error(`${this.name}: rate must be a number in [0, 1), got ${typeof rate === 'number' ? rate : JSON.stringify(rate)}`);
    }
    this.rate = rate;
    ({ seed: this.seed, random: this.ownRandom } = ownStream(this.name, args.seed));
    checkDataFormat(this.name, args.dataFormat);
  }

  private get channels(): number { return this.inputShape[this.inputShape.length - 1]; }

  override buffersPerSample(): Record<string, number> {
    return { mask: this.channels };
  }

  forward(ctx: RunContext, io: NodeIO): void {
    const { be, batch, training } = ctx, C = this.channels;
    if (!training) { be.copy(io.y, io.x, batch * this.inputSize); return; }
    const seed = this.maskSeed(ctx, io, this.ownRandom);
    be.dropoutMask(io.buffers.mask, batch * C, seed, Math.floor(this.rate * 2 ** 32), Math.fround(1 / (1 - this.rate)));
    be.channelScale(io.y, io.x, io.buffers.mask, batch, this.inputSize / C, C, 0);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const C = this.channels;
    if (io.dx) be.channelScale(io.dx, io.dy, io.buffers.mask, batch, this.inputSize / C, C, 1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed, dataFormat: 'channelsLast' };
  }
}

export class SpatialDropout1D extends SpatialDropout {
  static className = 'SpatialDropout1D';

  constructor(args: SpatialDropoutArgs) {
    super(args, 'spatial_dropout1d');
  }

  computeOutputShape(inputShape: number[]): number[] {
    checkSequence(this.name, inputShape);
    return [...inputShape];
  }
}

export class SpatialDropout2D extends SpatialDropout {
  static className = 'SpatialDropout2D';

  constructor(args: SpatialDropoutArgs) {
    super(args, 'spatial_dropout2d');
  }

  computeOutputShape(inputShape: number[]): number[] {
    checkImage(this.name, inputShape);
    return [...inputShape];
  }
}

export function spatialDropout1d(args: SpatialDropoutArgs): SpatialDropout1D {
  return new SpatialDropout1D(args);
}

export function spatialDropout2d(args: SpatialDropoutArgs): SpatialDropout2D {
  return new SpatialDropout2D(args);
}
