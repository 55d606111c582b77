/**
 * Conv1D (Keras 3): y = f(conv(x, W) + b) over sequences, x [steps, inC] per sample, kernel W
 * [k, inC, filters] (the Keras/TF.js layout), bias [filters]. It is Conv2D's computation on an
 * image of height 1 (the kernel [1, k, inC, filters] has the same values in the same order):
 * im2col, one GEMM with the bias (and ReLU) fused, the activation; backward dZ, dW += colᵀ·dZ,
 * db, dcol = dZ·Wᵀ and col2im. 'causal' padding pads (k − 1)·dilation steps in front only.
 */
import { checkDataFormat, checkPadding1D, geometry1d, kerasName, single, type Geometry, type Padding1D } from './conv-geometry.js';
import { KernelLayer } from './kernel-layer.js';
import type { KernelLayerArgs, NodeIO, RunContext } from './layer.js';

export interface Conv1DArgs extends KernelLayerArgs {
  /** Number of output channels (filters): a positive integer. */
  filters: number;
  /** Kernel length: an int or [k]. */
  kernelSize: number | [number];
  /** Step between windows: an int or [s]. Default 1. */
  strides?: number | [number];
  /** 'valid' (default), 'same' (output ⌈steps/stride⌉) or 'causal' (left padding only). */
  padding?: Padding1D;
  /** Only 'channelsLast' ([steps, channels]), the default. */
  dataFormat?: 'channelsLast';
  /** Spacing between kernel taps: an int or [d]. Default 1. */
  dilationRate?: number | [number];
}

export class Conv1D extends KernelLayer {
  static className = 'Conv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: Padding1D;
  readonly dilationRate: number;
  private g!: Geometry;

  constructor(args: Conv1DArgs) {
    super(kerasName(args, 'conv1d'));
    if (!args || !Number.isInteger(args.filters) || args.filters <= 0) {
      throw new Error(`${this.name}: filters must be a positive integer, got ${JSON.stringify(args?.filters)}`);
    }
    this.filters = args.filters;
    if (args.kernelSize === undefined) throw new Error(`${this.name}: kernelSize is required (an int or [k])`);
    this.kernelSize = single(this.name, 'kernelSize', args.kernelSize);
    this.strides = single(this.name, 'strides', args.strides, 1);
    this.dilationRate = single(this.name, 'dilationRate', args.dilationRate, 1);
    this.padding = checkPadding1D(this.name, args.padding, true);
    checkDataFormat(this.name, args.dataFormat);
  }

  private geometryFor(inputShape: number[]): Geometry {
    return geometry1d(this.name, `kernel ${this.kernelSize}`, inputShape, this.kernelSize, this.strides, this.dilationRate, this.padding);
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [this.geometryFor(inputShape).OW, this.filters];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    this.g = this.geometryFor(inputShape);
    this.addKernelWeights([this.kernelSize, this.g.C, this.filters], this.filters);
  }

  /** A length-1, stride-1, unpadded convolution is a Dense over steps: col is x itself. */
  private get direct(): boolean {
    return this.g.KW === 1 && this.g.SW === 1 && this.g.padLeft === 0;
  }

  private get patch(): number { return this.g.KW * this.g.C; }

  override buffersPerSample(): Record<string, number> {
    return { ...(this.direct ? {} : { col: this.g.OW * this.patch }), ...this.preActivationBuffer() };
  }

  private col(io: NodeIO): number { return this.direct ? io.x : io.buffers.col; }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g, col = this.col(io);
    if (!this.direct) be.im2col(col, io.x, batch, 1, g.W, g.C, 1, g.OW, 1, g.KW, 1, g.SW, 1, g.DW, 0, g.padLeft);
    this.affineForward(be, io, col, batch * g.OW, this.filters, this.patch);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g, rows = batch * g.OW, col = this.col(io);
    const dz = this.preActivationGrad(be, io, rows, this.filters);
    this.kernelGradient(be, io, col, dz, rows, this.filters, this.patch);
    this.biasGradient(be, io, dz, rows, this.filters);
    if (!io.dx) return;
    if (this.direct) {
      be.gemm(io.dx, dz, this.kernel.ptr, rows, g.C, this.filters, 0, 1, 1, 1);
    } else {
      be.gemm(col, dz, this.kernel.ptr, rows, this.patch, this.filters, 0, 1, 1, 0);
      be.col2im(io.dx, col, batch, 1, g.W, g.C, 1, g.OW, 1, g.KW, 1, g.SW, 1, g.DW, 0, g.padLeft);
    }
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: [this.kernelSize], strides: [this.strides],
      padding: this.padding, dataFormat: 'channelsLast', dilationRate: [this.dilationRate], ...this.kernelConfig(),
    };
  }
}

export function conv1d(args: Conv1DArgs): Conv1D {
  return new Conv1D(args);
}
