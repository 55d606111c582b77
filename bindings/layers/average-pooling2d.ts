/**
 * AveragePooling2D (Keras 3): the mean of each window, per channel; with 'same' padding the mean
 * is over the taps inside the image. Backward spreads dy/count over the window.
 */
import type { NodeIO, RunContext } from './layer.js';
import { Pooling2D, type Pooling2DArgs } from './pooling2d.js';

export type AveragePooling2DArgs = Pooling2DArgs;

export class AveragePooling2D extends Pooling2D {
  static className = 'AveragePooling2D';

  constructor(args: AveragePooling2DArgs = {}) {
    super(args, 'average_pooling2d');
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g;
    be.avgPoolForward(io.y, io.x, batch, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g;
    if (io.dx) be.avgPoolBackward(io.dx, io.dy, batch, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.padTop, g.padLeft);
  }
}

export function averagePooling2d(args: AveragePooling2DArgs = {}): AveragePooling2D {
  return new AveragePooling2D(args);
}
