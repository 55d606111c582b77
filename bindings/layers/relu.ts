/**
 * ReLU (Keras 3 `ReLU(max_value=None, negative_slope=0, threshold=0)`):
 *   f(x) = x > threshold ? min(x, maxValue) : negativeSlope·(x − threshold)
 * which is Keras 3's `relu` with those arguments (its clip, then `x − slope·relu(threshold − x)`);
 * TF.js's ReLU layer is the case slope = threshold = 0. One kernel each way: reluForward, and
 * reluBackward, dx += dy·f'(x).
 */
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface ReLUArgs extends LayerArgs {
  /** Upper bound of the output (≥ 0); null or omitted: none. */
  maxValue?: number | null;
  /** Slope below the threshold (≥ 0). Default 0. */
  negativeSlope?: number;
  /** Inputs at or below it take the slope line (≥ 0). Default 0. */
  threshold?: number;
}

/** A finite number ≥ 0, or throws naming the layer and the argument. */
export function nonNegative(layer: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw new Error(`${layer}: ${arg} must be a finite number ≥ 0, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  }
  return v;
}

export class ReLU extends Layer {
  static className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: ReLUArgs = {}) {
    super(args);
    this.maxValue = args.maxValue === undefined || args.maxValue === null ? null : nonNegative(this.name, 'maxValue', args.maxValue);
    this.negativeSlope = nonNegative(this.name, 'negativeSlope', args.negativeSlope ?? 0);
    this.threshold = nonNegative(this.name, 'threshold', args.threshold ?? 0);
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [...inputShape];
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    be.reluForward(io.y, io.x, batch * this.inputSize, this.maxValue ?? Infinity, this.negativeSlope, this.threshold);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.dx) be.reluBackward(io.dx, io.dy, io.x, batch * this.inputSize, this.maxValue ?? Infinity, this.negativeSlope, this.threshold);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold };
  }
}

export function reLU(args: ReLUArgs = {}): ReLU {
  return new ReLU(args);
}
