/**
 * MaxPooling1D and AveragePooling1D (Keras 3): windows of `poolSize` steps moved by `strides`
 * (default: poolSize) over [steps, channels], with 'valid' or 'same' padding (taps in the padding
 * ignored). The 2-D pooling kernels on an image of height 1: max records the argmax of each
 * output, backward dx[argmax] += dy; average divides by the taps inside and spreads dy back.
 */
import { checkDataFormat, checkPadding1D, geometry1d, kerasName, single, type Geometry, type Padding } from './conv-geometry.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface Pooling1DArgs extends LayerArgs {
  /** Window length: an int or [p]. Default 2. */
  poolSize?: number | [number];
  /** Step between windows: an int or [s]. Default: poolSize. */
  strides?: number | [number] | null;
  /** 'valid' (default) or 'same'. */
  padding?: Padding;
  /** Only 'channelsLast' ([steps, channels]), the default. */
  dataFormat?: 'channelsLast';
}

abstract class Pooling1D extends Layer {
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: Padding;
  protected g!: Geometry;

  constructor(args: Pooling1DArgs, defaultName: string) {
    super(kerasName(args, defaultName));
    this.poolSize = single(this.name, 'poolSize', args.poolSize, 2);
    this.strides = single(this.name, 'strides', args.strides, this.poolSize);
    this.padding = checkPadding1D(this.name, args.padding, false) as Padding;
    checkDataFormat(this.name, args.dataFormat);
  }

  protected geometryFor(inputShape: number[]): Geometry {
    return geometry1d(this.name, `pool ${this.poolSize}`, inputShape, this.poolSize, this.strides, 1, this.padding);
  }

  computeOutputShape(inputShape: number[]): number[] {
    const g = this.geometryFor(inputShape);
    return [g.OW, g.C];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    this.g = this.geometryFor(inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: [this.poolSize], strides: [this.strides], padding: this.padding, dataFormat: 'channelsLast' };
  }
}

export class MaxPooling1D extends Pooling1D {
  static className = 'MaxPooling1D';

  constructor(args: Pooling1DArgs = {}) {
    super(args, 'max_pooling1d');
  }

  override buffersPerSample(): Record<string, number> {
    return { argmax: this.outputSize };
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g;
    be.maxPoolForward(io.y, io.buffers.argmax, io.x, batch, 1, g.W, g.C, 1, g.OW, 1, g.KW, 1, g.SW, 0, g.padLeft);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.dx) be.maxPoolBackward(io.dx, io.dy, io.buffers.argmax, batch, this.inputSize, this.outputSize);
  }
}

export class AveragePooling1D extends Pooling1D {
  static className = 'AveragePooling1D';

  constructor(args: Pooling1DArgs = {}) {
    super(args, 'average_pooling1d');
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g;
    be.avgPoolForward(io.y, io.x, batch, 1, g.W, g.C, 1, g.OW, 1, g.KW, 1, g.SW, 0, g.padLeft);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g;
    if (io.dx) be.avgPoolBackward(io.dx, io.dy, batch, 1, g.W, g.C, 1, g.OW, 1, g.KW, 1, g.SW, 0, g.padLeft);
  }
}

export function maxPooling1d(args: Pooling1DArgs = {}): MaxPooling1D {
  return new MaxPooling1D(args);
}

export function averagePooling1d(args: Pooling1DArgs = {}): AveragePooling1D {
  return new AveragePooling1D(args);
}
