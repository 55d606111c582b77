/**
 * Flatten (Keras 3): one sample of any shape → [size]. NHWC data is already laid out row-major,
 * so forward is a copy and backward adds dy into dx.
 */
import { checkDataFormat, kerasName } from './conv-geometry.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface FlattenArgs extends LayerArgs {
  /** Only 'channelsLast' (the default); flattening keeps the row-major order. */
  dataFormat?: 'channelsLast';
}

export class Flatten extends Layer {
  static className = 'Flatten';

  constructor(args: FlattenArgs = {}) {
    super(kerasName(args, 'flatten'));
    checkDataFormat(this.name, args.dataFormat);
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [inputShape.reduce((a, b) => a * b, 1)];
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    be.copy(io.y, io.x, batch * this.outputSize);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.dx) be.addInto(io.dx, io.dy, batch * this.outputSize);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: 'channelsLast' };
  }
}

export function flatten(args: FlattenArgs = {}): Flatten {
  return new Flatten(args);
}
