/**
 * LeakyReLU: y = x > 0 ? x : alpha·x, with no weights. The layer's slope defaults to 0.3 as in
 * Keras 3 and TF.js (Keras 3's `leaky_relu` *function* uses 0.2). Keras 3 names the argument
 * `negative_slope`, TF.js `alpha`; both are accepted.
 *
 * Forward: one activation kernel. Backward: dy ← f'(x)·dy in place, then dx += dy.
 */
import { Act } from '../backend/backend.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface LeakyReLUArgs extends LayerArgs {
  /** Slope for x ≤ 0, a finite number ≥ 0 (default 0.3). TF.js's name. */
  alpha?: number;
  /** Keras 3's name for `alpha`; give one of the two. */
  negativeSlope?: number;
}

export class LeakyReLU extends Layer {
  static className = 'LeakyReLU';
  readonly alpha: number;

  constructor(args: LeakyReLUArgs = {}) {
    super(args);
    const { alpha, negativeSlope } = args;
    if (alpha !== undefined && negativeSlope !== undefined && alpha !== negativeSlope) {
      throw new Error(`${this.name}: alpha (${alpha}) and negativeSlope (${negativeSlope}) name the same slope; give one`);
    }
    this.alpha = alpha ?? negativeSlope ?? 0.3;
    if (typeof this.alpha !== 'number' || !Number.isFinite(this.alpha) || this.alpha < 0) {
      throw new Error(`${this.name}: alpha (negativeSlope) must be a finite number ≥ 0, got ${String(this.alpha)}`);
    }
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [...inputShape];
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    be.activationForward(io.y, io.x, batch * this.inputSize, Act.leakyRelu, this.alpha);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (!io.dx) return;
    const n = batch * this.inputSize;
    be.activationBackward(io.dy, io.dy, io.x, io.y, n, Act.leakyRelu, this.alpha);
    be.addInto(io.dx, io.dy, n);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export function leakyReLU(args: LeakyReLUArgs = {}): LeakyReLU {
  return new LeakyReLU(args);
}
