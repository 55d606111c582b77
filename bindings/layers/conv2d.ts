/**
 * Conv2D (Keras 3): y = f(conv(x, W) + b) over channels-last images, x [height, width, inC] per
 * sample, kernel W [kh, kw, inC, filters] (the Keras/TF.js layout), bias [filters].
 *
 * Forward: im2col gathers each receptive field into a row of `col` (batch·OH·OW, kh·kw·inC), so
 * the convolution is one GEMM on the core, z = col·W + b (NN, gemmBias), then the activation,
 * as Dense does (kernel-layer.ts). A 1×1 kernel with stride 1 and 'valid' padding
 * skips im2col: col is x itself.
 * Backward: dZ = f'(z)·dy in place; dW += colᵀ·dZ (TN); db += colsum(dZ); for dx,
 * dcol = dZ·Wᵀ (NT) written over `col` (no longer needed), then col2im adds it into dx.
 */
import { geometry, type Geometry, type Padding, kerasName, positiveInt, windowArgs } from './conv-geometry.js';
import { KernelLayer } from './kernel-layer.js';
import type { KernelLayerArgs, NodeIO, RunContext } from './layer.js';

export interface Conv2DArgs extends KernelLayerArgs {
  /** Number of output channels (filters): a positive integer. */
  filters: number;
  /** Kernel height and width: an int for a square kernel, or [kh, kw]. */
  kernelSize: number | [number, number];
  /** Step between windows: an int or [sh, sw]. Default 1. */
  strides?: number | [number, number];
  /** 'valid' (no padding, default) or 'same' (output ⌈input/stride⌉, TensorFlow's padding split). */
  padding?: Padding;
  /** Only 'channelsLast' (NHWC), the default. */
  dataFormat?: 'channelsLast';
  /** Spacing between kernel taps: an int or [dh, dw]. Default 1. */
  dilationRate?: number | [number, number];
}

export class Conv2D extends KernelLayer {
  static className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  private g!: Geometry;

  constructor(args: Conv2DArgs) {
    super(kerasName(args, 'conv2d'));
    this.filters = positiveInt(this.name, 'filters', args?.filters);
    ({ kernelSize: this.kernelSize, strides: this.strides, dilationRate: this.dilationRate, padding: this.padding } = windowArgs(this.name, args));
  }

  private geometryFor(inputShape: number[]): Geometry {
    return geometry(this.name, `kernel ${this.kernelSize.join('×')}`, inputShape, this.kernelSize, this.strides, this.dilationRate, this.padding);
  }

  computeOutputShape(inputShape: number[]): number[] {
    const g = this.geometryFor(inputShape);
    return [g.OH, g.OW, this.filters];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    this.g = this.geometryFor(inputShape);
    this.addKernelWeights([...this.kernelSize, this.g.C, this.filters], this.filters);
  }

  /** A 1×1, stride-1, unpadded convolution is a Dense over positions: col is x itself. */
  private get direct(): boolean {
    const g = this.g;
    return g.KH === 1 && g.KW === 1 && g.SH === 1 && g.SW === 1 && g.padTop === 0 && g.padLeft === 0;
  }

  /** Columns of col: one receptive field. */
  private get patch(): number { return this.g.KH * this.g.KW * this.g.C; }
  private get positions(): number { return this.g.OH * this.g.OW; }

  override buffersPerSample(): Record<string, number> {
    return { ...(this.direct ? {} : { col: this.positions * this.patch }), ...this.preActivationBuffer() };
  }

  private col(io: NodeIO): number { return this.direct ? io.x : io.buffers.col; }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g, col = this.col(io);
    if (!this.direct) {
      be.im2col(col, io.x, batch, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.padTop, g.padLeft);
    }
    this.affineForward(be, io, col, batch * this.positions, this.filters, this.patch);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g, rows = batch * this.positions, col = this.col(io);
    const dz = this.preActivationGrad(be, io, rows, this.filters);
    this.kernelGradient(be, io, col, dz, rows, this.filters, this.patch);
    this.biasGradient(be, io, dz, rows, this.filters);
    if (!io.dx) return;
    if (this.direct) {
      be.gemm(io.dx, dz, this.kernel.ptr, rows, g.C, this.filters, 0, 1, 1, 1);
    } else {
      be.gemm(col, dz, this.kernel.ptr, rows, this.patch, this.filters, 0, 1, 1, 0);
      be.col2im(io.dx, col, batch, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.padTop, g.padLeft);
    }
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: [...this.kernelSize], strides: [...this.strides],
      padding: this.padding, dataFormat: 'channelsLast', dilationRate: [...this.dilationRate], ...this.kernelConfig(),
    };
  }
}

export function conv2d(args: Conv2DArgs): Conv2D {
  return new Conv2D(args);
}
