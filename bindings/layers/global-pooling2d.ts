/**
 * GlobalAveragePooling2D and GlobalMaxPooling2D (Keras 3): the mean or maximum of each channel
 * over the whole image, [h, w, c] → [c] (or [1, 1, c] with keepdims). They are the pooling
 * kernels with one window the size of the image.
 */
import { checkDataFormat, checkImage, kerasName } from './conv-geometry.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface GlobalPooling2DArgs extends LayerArgs {
  /** Keep the spatial axes as size 1: output [1, 1, channels]. Default false: [channels]. */
  keepdims?: boolean;
  /** Only 'channelsLast' (NHWC), the default. */
  dataFormat?: 'channelsLast';
}

abstract class GlobalPooling2D extends Layer {
  readonly keepdims: boolean;

  constructor(args: GlobalPooling2DArgs, defaultName: string) {
    super(kerasName(args, defaultName));
    this.keepdims = args.keepdims ?? false;
    checkDataFormat(this.name, args.dataFormat);
  }

  computeOutputShape(inputShape: number[]): number[] {
    const [, , c] = checkImage(this.name, inputShape);
    return this.keepdims ? [1, 1, c] : [c];
  }

  protected get hwc(): [number, number, number] {
    return [this.inputShape[0], this.inputShape[1], this.inputShape[2]];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), keepdims: this.keepdims, dataFormat: 'channelsLast' };
  }
}

export class GlobalAveragePooling2D extends GlobalPooling2D {
  static className = 'GlobalAveragePooling2D';

  constructor(args: GlobalPooling2DArgs = {}) {
    super(args, 'global_average_pooling2d');
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const [H, W, C] = this.hwc;
    be.avgPoolForward(io.y, io.x, batch, H, W, C, 1, 1, H, W, 1, 1, 0, 0);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const [H, W, C] = this.hwc;
    if (io.dx) be.avgPoolBackward(io.dx, io.dy, batch, H, W, C, 1, 1, H, W, 1, 1, 0, 0);
  }
}

export class GlobalMaxPooling2D extends GlobalPooling2D {
  static className = 'GlobalMaxPooling2D';

  constructor(args: GlobalPooling2DArgs = {}) {
    super(args, 'global_max_pooling2d');
  }

  override buffersPerSample(): Record<string, number> {
    return { argmax: this.outputSize };
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const [H, W, C] = this.hwc;
    be.maxPoolForward(io.y, io.buffers.argmax, io.x, batch, H, W, C, 1, 1, H, W, 1, 1, 0, 0);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.dx) be.maxPoolBackward(io.dx, io.dy, io.buffers.argmax, batch, this.inputSize, this.outputSize);
  }
}

export function globalAveragePooling2d(args: GlobalPooling2DArgs = {}): GlobalAveragePooling2D {
  return new GlobalAveragePooling2D(args);
}

export function globalMaxPooling2d(args: GlobalPooling2DArgs = {}): GlobalMaxPooling2D {
  return new GlobalMaxPooling2D(args);
}
