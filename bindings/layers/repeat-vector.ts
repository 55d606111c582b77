/**
 * RepeatVector (Keras 3): [features] → [n, features], the input repeated n times.
 * Forward is one strided copy that reads the input with a 0 stride along the repeat axis;
 * backward is the same copy the other way with accumulate, which sums the n gradient rows,
 * dx[f] += Σₖ dy[k, f].
 */
import { shapeStr } from './conv-geometry.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface RepeatVectorArgs extends LayerArgs {
  /** How many times to repeat the input: a positive integer. */
  n: number;
}

export class RepeatVector extends Layer {
  static className = 'RepeatVector';
  readonly n: number;

  constructor(args: RepeatVectorArgs) {
    super(args);
    if (!Number.isInteger(args?.n) || args.n <= 0) throw new Error(`${this.name}: n must be a positive integer, got ${JSON.stringify(args?.n)}`);
    this.n = args.n;
  }

  computeOutputShape(inputShape: number[]): number[] {
    if (inputShape.length !== 1) {
      throw new Error(`${this.name}: expected an input of shape [features] per sample (rank 1), got ${shapeStr(inputShape)}`);
    }
    return [this.n, inputShape[0]];
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const n = this.n, d = this.inputSize;
    // Y (batch, n, d) ← X (batch, d): stride 0 along the repeat axis.
    be.copyStrided(io.y, io.x, 1, batch, n, d, 0, n * d, d, 1, 0, d, 0, 1, 0);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (!io.dx) return;
    const n = this.n, d = this.inputSize;
    // dX (batch, d) += dY (batch, n, d): stride 0 on the destination sums the n rows.
    be.copyStrided(io.dx, io.dy, 1, batch, n, d, 0, d, 0, 1, 0, n * d, d, 1, 1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }
}

export function repeatVector(args: RepeatVectorArgs): RepeatVector {
  return new RepeatVector(args);
}
