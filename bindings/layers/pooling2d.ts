/**
 * The shared part of MaxPooling2D and AveragePooling2D (Keras 3): windows of `poolSize` moved by
 * `strides` (default: poolSize) over channels-last images, with 'valid' or 'same' padding; taps
 * in the padding are ignored (max never picks them, the average divides by the taps inside).
 */
import { checkDataFormat, checkPadding, geometry, kerasName, pair, type Geometry, type Padding } from './conv-geometry.js';
import { Layer, type LayerArgs } from './layer.js';

export interface Pooling2DArgs extends LayerArgs {
  /** Window height and width: an int or [ph, pw]. Default 2. */
  poolSize?: number | [number, number];
  /** Step between windows: an int or [sh, sw]. Default: poolSize. */
  strides?: number | [number, number] | null;
  /** 'valid' (default) or 'same'. */
  padding?: Padding;
  /** Only 'channelsLast' (NHWC), the default. */
  dataFormat?: 'channelsLast';
}

export abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  protected g!: Geometry;

  constructor(args: Pooling2DArgs, defaultName: string) {
    super(kerasName(args, defaultName));
    this.poolSize = pair(this.name, 'poolSize', args.poolSize, 2);
    this.strides = pair(this.name, 'strides', args.strides, this.poolSize);
    this.padding = checkPadding(this.name, args.padding);
    checkDataFormat(this.name, args.dataFormat);
  }

  protected geometryFor(inputShape: number[]): Geometry {
    return geometry(this.name, `pool ${this.poolSize.join('×')}`, inputShape, this.poolSize, this.strides, [1, 1], this.padding);
  }

  computeOutputShape(inputShape: number[]): number[] {
    const g = this.geometryFor(inputShape);
    return [g.OH, g.OW, g.C];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    this.g = this.geometryFor(inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: [...this.poolSize], strides: [...this.strides], padding: this.padding, dataFormat: 'channelsLast' };
  }
}
