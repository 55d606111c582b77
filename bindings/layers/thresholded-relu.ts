/**
 * ThresholdedReLU (TF.js 4.22 and Keras 2; Keras 3 removed it): f(x) = x > theta ? x : 0,
 * TF.js's `x · cast(x > theta)`. The ReLU kernels with no cap, slope 0 and threshold theta;
 * f'(x) = x > theta ? 1 : 0. As in TF.js, theta may be any finite number (default 1).
 */
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface ThresholdedReLUArgs extends LayerArgs {
  /** Inputs at or below theta give 0. Default 1. */
  theta?: number;
}

export class ThresholdedReLU extends Layer {
  static className = 'ThresholdedReLU';
  readonly theta: number;

  constructor(args: ThresholdedReLUArgs = {}) {
    super(args);
    const theta = args.theta ?? 1;
    if (typeof theta !== 'number' || !Number.isFinite(theta)) {
      throw new Error(`${this.name}: theta must be a finite number, got ${typeof args.theta === 'string' ? JSON.stringify(args.theta) : String(args.theta)}`);
    }
    this.theta = theta;
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [...inputShape];
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    be.reluForward(io.y, io.x, batch * this.inputSize, Infinity, 0, this.theta);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.dx) be.reluBackward(io.dx, io.dy, io.x, batch * this.inputSize, Infinity, 0, this.theta);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), theta: this.theta };
  }
}

export function thresholdedReLU(args: ThresholdedReLUArgs = {}): ThresholdedReLU {
  return new ThresholdedReLU(args);
}
