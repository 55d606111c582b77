/**
 * UpSampling2D (Keras 3, interpolation 'nearest'): repeats each row sh times and each column sw
 * times, [h, w, c] → [h·sh, w·sw, c]; y[oy, ox] = x[⌊oy/sh⌋, ⌊ox/sw⌋].
 * For each offset (r, s) in the sh×sw block, the outputs y[y·sh + r, x·sw + s] are a strided view
 * of the output the size of the input: forward copies x into each view, backward adds each view
 * of dy into dx (sh·sw strided copies either way).
 */
import { checkDataFormat, checkImage, kerasName, pair } from './conv-geometry.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface UpSampling2DArgs extends LayerArgs {
  /** Upsampling factors for rows and columns: an int or [sh, sw]. Default 2. */
  size?: number | [number, number];
  /** Only 'nearest' (the default); 'bilinear' is not implemented. */
  interpolation?: 'nearest';
  /** Only 'channelsLast' (NHWC), the default. */
  dataFormat?: 'channelsLast';
}

export class UpSampling2D extends Layer {
  static className = 'UpSampling2D';
  readonly size: [number, number];

  constructor(args: UpSampling2DArgs = {}) {
    super(kerasName(args, 'up_sampling2d'));
    this.size = pair(this.name, 'size', args.size, 2);
    const interpolation = args.interpolation ?? 'nearest';
    if (interpolation !== 'nearest') {
      throw new Error(`${this.name}: interpolation must be 'nearest' (the only one implemented), got ${JSON.stringify(args.interpolation)}`);
    }
    checkDataFormat(this.name, args.dataFormat);
  }

  computeOutputShape(inputShape: number[]): number[] {
    const [h, w, c] = checkImage(this.name, inputShape);
    return [h * this.size[0], w * this.size[1], c];
  }

  /** Runs `copy(offset, yStrides, xStrides)` for each offset (r, s) of the block: the view's byte offset in an output image. */
  private eachOffset(copy: (offset: number, outStrides: number[], inStrides: number[]) => void): void {
    const [H, W, C] = this.inputShape, [sh, sw] = this.size, OW = W * sw;
    const outStrides = [H * sh * OW * C, sh * OW * C, sw * C, 1], inStrides = [H * W * C, W * C, C, 1];
    for (let r = 0; r < sh; r++) for (let s = 0; s < sw; s++) copy(4 * (r * OW + s) * C, outStrides, inStrides);
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const [H, W, C] = this.inputShape;
    this.eachOffset((offset, [y0, y1, y2, y3], [x0, x1, x2, x3]) =>
      be.copyStrided(io.y + offset, io.x, batch, H, W, C, y0, y1, y2, y3, x0, x1, x2, x3, 0));
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (!io.dx) return;
    const [H, W, C] = this.inputShape;
    this.eachOffset((offset, [y0, y1, y2, y3], [x0, x1, x2, x3]) =>
      be.copyStrided(io.dx, io.dy + offset, batch, H, W, C, x0, x1, x2, x3, y0, y1, y2, y3, 1));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: [...this.size], interpolation: 'nearest', dataFormat: 'channelsLast' };
  }
}

export function upSampling2d(args: UpSampling2DArgs = {}): UpSampling2D {
  return new UpSampling2D(args);
}
