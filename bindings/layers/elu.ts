/**
 * ELU: y = x > 0 ? x : alpha·(eˣ − 1), with no weights (Keras 3 `ELU(alpha=1.0)`).
 *
 * Forward: one activation kernel. Backward: dy ← f'(x)·dy in place, then dx += dy.
 */
import { Act } from '../backend/backend.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface ELUArgs extends LayerArgs {
  /** Scale of the negative part, a finite number (default 1). */
  alpha?: number;
}

export class ELU extends Layer {
  static className = 'ELU';
  readonly alpha: number;

  constructor(args: ELUArgs = {}) {
    super(args);
    this.alpha = args.alpha ?? 1;
    if (typeof this.alpha !== 'number' || !Number.isFinite(this.alpha)) {
      throw new Error(`${this.name}: alpha must be a finite number, got ${String(this.alpha)}`);
    }
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [...inputShape];
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    be.activationForward(io.y, io.x, batch * this.inputSize, Act.elu, this.alpha);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (!io.dx) return;
    const n = batch * this.inputSize;
    be.activationBackward(io.dy, io.dy, io.x, io.y, n, Act.elu, this.alpha);
    be.addInto(io.dx, io.dy, n);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export function elu(args: ELUArgs = {}): ELU {
  return new ELU(args);
}
