/**
 * Dropout (inverted, as Keras 3): in training each element is kept with probability 1 − rate and
 * scaled by 1/(1 − rate), so the expected output equals the input; in inference it is the
 * identity.
 *
 * The mask comes from one 32-bit seed per training forward pass, drawn from the global seeded
 * stream (or the layer's own stream when `seed` is given): the kernel hashes (seed, index) into
 * the mask, identically on the wasm and js cores, and stores the per-element factor
 * (0 or 1/(1 − rate)) for the backward pass, dx += dy·mask.
 */
import { Random } from '../random.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface DropoutArgs extends LayerArgs {
  /** Fraction of the inputs to drop in training, in [0, 1). */
  rate: number;
  /** Seed of the layer's own random stream; default (null): draw from the global stream that setSeed fixes. */
  seed?: number | null;
}

export class Dropout extends Layer {
  static className = 'Dropout';
  readonly rate: number;
  readonly seed: number | null;
  private readonly ownRandom?: Random;

  constructor(args: DropoutArgs) {
    super(args);
    const rate = args?.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new Error(`${this.name}: rate must be a number in [0, 1), got ${String(rate)}`);
    }
    this.rate = rate;
    const seed = args?.seed ?? null;
    if (seed !== null && !Number.isInteger(seed)) throw new Error(`${this.name}: seed must be an integer, got ${String(seed)}`);
    this.seed = seed;
    if (seed !== null) this.ownRandom = new Random(seed);
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [...inputShape];
  }

  override buffersPerSample(): Record<string, number> {
    return { mask: this.outputSize };
  }

  forward(ctx: RunContext, io: NodeIO): void {
    const { be, batch, training } = ctx;
    const n = batch * this.inputSize;
    if (!training) { be.copy(io.y, io.x, n); return; }
    const seed = this.maskSeed(ctx, io, this.ownRandom);
    // ⌊rate·2³²⌋ < 2³² since rate < 1; the scale rounded to float32 once, so both cores use the same factor.
    be.dropoutForward(io.y, io.buffers.mask, io.x, n, seed, Math.floor(this.rate * 2 ** 32), Math.fround(1 / (1 - this.rate)));
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.dx) be.dropoutBackward(io.dx, io.dy, io.buffers.mask, batch * this.inputSize);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

export function dropout(args: DropoutArgs): Dropout {
  return new Dropout(args);
}
