/**
 * GlobalAveragePooling1D and GlobalMaxPooling1D (Keras 3): the mean or maximum of each channel
 * over all steps, [steps, c] → [c] (or [1, c] with keepdims): the pooling kernels with one window
 * the length of the sequence, on an image of height 1.
 */
import { checkDataFormat, checkSequence, kerasName } from './conv-geometry.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface GlobalPooling1DArgs extends LayerArgs {
  /** Keep the steps axis as size 1: output [1, channels]. Default false: [channels]. */
  keepdims?: boolean;
  /** Only 'channelsLast' ([steps, channels]), the default. */
  dataFormat?: 'channelsLast';
}

abstract class GlobalPooling1D extends Layer {
  readonly keepdims: boolean;

  constructor(args: GlobalPooling1DArgs, defaultName: string) {
    super(kerasName(args, defaultName));
    this.keepdims = args.keepdims ?? false;
    checkDataFormat(this.name, args.dataFormat);
  }

  computeOutputShape(inputShape: number[]): number[] {
    const [, c] = checkSequence(this.name, inputShape);
    return this.keepdims ? [1, c] : [c];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), keepdims: this.keepdims, dataFormat: 'channelsLast' };
  }
}

export class GlobalAveragePooling1D extends GlobalPooling1D {
  static className = 'GlobalAveragePooling1D';

  constructor(args: GlobalPooling1DArgs = {}) {
    super(args, 'global_average_pooling1d');
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const [T, C] = this.inputShape;
    be.avgPoolForward(io.y, io.x, batch, 1, T, C, 1, 1, 1, T, 1, 1, 0, 0);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const [T, C] = this.inputShape;
    if (io.dx) be.avgPoolBackward(io.dx, io.dy, batch, 1, T, C, 1, 1, 1, T, 1, 1, 0, 0);
  }
}

export class GlobalMaxPooling1D extends GlobalPooling1D {
  static className = 'GlobalMaxPooling1D';

  constructor(args: GlobalPooling1DArgs = {}) {
    super(args, 'global_max_pooling1d');
  }

  override buffersPerSample(): Record<string, number> {
    return { argmax: this.outputSize };
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const [T, C] = this.inputShape;
    be.maxPoolForward(io.y, io.buffers.argmax, io.x, batch, 1, T, C, 1, 1, 1, T, 1, 1, 0, 0);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.dx) be.maxPoolBackward(io.dx, io.dy, io.buffers.argmax, batch, this.inputSize, this.outputSize);
  }
}

export function globalAveragePooling1d(args: GlobalPooling1DArgs = {}): GlobalAveragePooling1D {
  return new GlobalAveragePooling1D(args);
}

export function globalMaxPooling1d(args: GlobalPooling1DArgs = {}): GlobalMaxPooling1D {
  return new GlobalMaxPooling1D(args);
}
