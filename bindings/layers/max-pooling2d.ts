/**
 * MaxPooling2D (Keras 3): the maximum of each window, per channel. Forward records where each
 * maximum came from (an int32 index per output, the `argmax` buffer); backward sends each output
 * gradient to that one input, dx[argmax] += dy.
 */
import type { NodeIO, RunContext } from './layer.js';
import { Pooling2D, type Pooling2DArgs } from './pooling2d.js';

export type MaxPooling2DArgs = Pooling2DArgs;

export class MaxPooling2D extends Pooling2D {
  static className = 'MaxPooling2D';

  constructor(args: MaxPooling2DArgs = {}) {
    super(args, 'max_pooling2d');
  }

  override buffersPerSample(): Record<string, number> {
    return { argmax: this.outputSize };
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g;
    be.maxPoolForward(io.y, io.buffers.argmax, io.x, batch, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.dx) be.maxPoolBackward(io.dx, io.dy, io.buffers.argmax, batch, this.inputSize, this.outputSize);
  }
}

export function maxPooling2d(args: MaxPooling2DArgs = {}): MaxPooling2D {
  return new MaxPooling2D(args);
}
