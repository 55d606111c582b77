/**
 * SeparableConv2D (Keras 3): a depthwise convolution (each input channel with its own
 * `depthMultiplier` filters, no bias) followed by a pointwise 1×1 convolution to `filters`
 * channels, then bias and activation. Weights (TF.js names and order): depthwise_kernel
 * [kh, kw, inC, M], pointwise_kernel [1, 1, inC·M, filters], bias [filters].
 *
 * Forward: im2col; d = depthwiseForward(col, Kd); y = f(d·Kp + b) by gemmBias (ReLU fused) as Dense.
 * Backward: dZ; dKp += dᵀ·dZ; db; dd = dZ·Kpᵀ written over d; dKd += depthwiseKernelGrad(col, dd);
 * dcol = depthwiseInputGrad(dd, Kd) over col; col2im into dx.
 */
import { getInitializer, type InitializerIdentifier } from '../initializers.js';
import { getRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers.js';
import { geometry, kerasName, type Geometry, type Padding, positiveInt, windowArgs } from './conv-geometry.js';
import { KernelLayer } from './kernel-layer.js';
import type { LayerArgs, NodeIO, RunContext, Weight } from './layer.js';

export interface SeparableConv2DArgs extends LayerArgs {
  /** Output channels of the pointwise step: a positive integer. */
  filters: number;
  /** Depthwise kernel height and width: an int or [kh, kw]. */
  kernelSize: number | [number, number];
  /** Step between windows: an int or [sh, sw]. Default 1. */
  strides?: number | [number, number];
  /** 'valid' (default) or 'same'. */
  padding?: Padding;
  /** Depthwise filters per input channel: a positive integer. Default 1. */
  depthMultiplier?: number;
  /** Only 'channelsLast' (NHWC), the default. */
  dataFormat?: 'channelsLast';
  /** Spacing between kernel taps: an int or [dh, dw]. Default 1. */
  dilationRate?: number | [number, number];
  /** Activation after the bias (default linear). */
  activation?: string;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Initializers (default 'glorotUniform', 'glorotUniform', 'zeros'). */
  depthwiseInitializer?: InitializerIdentifier;
  pointwiseInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Penalties on the kernels and the bias. */
  depthwiseRegularizer?: RegularizerIdentifier;
  pointwiseRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
}

export class SeparableConv2D extends KernelLayer {
  static className = 'SeparableConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly depthMultiplier: number;
  readonly dilationRate: [number, number];
  private readonly depthwiseInitializer: InitializerIdentifier;
  readonly depthwiseRegularizer?: Regularizer;
  /** The depthwise kernel; `kernel` is the pointwise one. */
  depthwise!: Weight;
  private g!: Geometry;

  constructor(args: SeparableConv2DArgs) {
    const a = kerasName(args, 'separable_conv2d');
    // Checked here, so that a bad one is named by its Keras argument rather than KernelLayer's kernelInitializer.
    getInitializer(a?.depthwiseInitializer ?? 'glorotUniform', `${a.name}: depthwiseInitializer`);
    getInitializer(a?.pointwiseInitializer ?? 'glorotUniform', `${a.name}: pointwiseInitializer`);
    super({ ...a, kernelInitializer: a.pointwiseInitializer, kernelRegularizer: a.pointwiseRegularizer });
    this.filters = positiveInt(this.name, 'filters', args.filters);
    ({ kernelSize: this.kernelSize, strides: this.strides, dilationRate: this.dilationRate, padding: this.padding } = windowArgs(this.name, args));
    this.depthMultiplier = positiveInt(this.name, 'depthMultiplier', args.depthMultiplier, 1);
    this.depthwiseInitializer = args.depthwiseInitializer ?? 'glorotUniform';
    this.depthwiseRegularizer = getRegularizer(args.depthwiseRegularizer, `${this.name}: depthwiseRegularizer`);
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
    this.depthwise = this.addWeight('depthwise_kernel', [...this.kernelSize, this.g.C, this.depthMultiplier], this.depthwiseInitializer, true, this.depthwiseRegularizer);
    this.kernel = this.addWeight('pointwise_kernel', [1, 1, this.mid, this.filters], this.kernelInitializer, true, this.kernelRegularizer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInitializer, true, this.biasRegularizer);
  }

  private get taps(): number { return this.g.KH * this.g.KW; }
  /** Channels between the two steps: inC·M. */
  private get mid(): number { return this.g.C * this.depthMultiplier; }

  override buffersPerSample(): Record<string, number> {
    const positions = this.g.OH * this.g.OW;
    return { col: positions * this.taps * this.g.C, d: positions * this.mid, ...this.preActivationBuffer() };
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g, { col, d } = io.buffers, rows = batch * g.OH * g.OW;
    be.im2col(col, io.x, batch, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.padTop, g.padLeft);
    be.depthwiseForward(d, col, this.depthwise.ptr, rows, this.taps, g.C, this.depthMultiplier);
    this.affineForward(be, io, d, rows, this.filters, this.mid);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g, { col, d } = io.buffers, rows = batch * g.OH * g.OW;
    const dz = this.preActivationGrad(be, io, rows, this.filters);
    this.kernelGradient(be, io, d, dz, rows, this.filters, this.mid);
    this.biasGradient(be, io, dz, rows, this.filters);
    const dKd = io.grad(this.depthwise);
    if (!dKd && !io.dx) return;
    be.gemm(d, dz, this.kernel.ptr, rows, this.mid, this.filters, 0, 1, 1, 0);
    if (dKd) be.depthwiseKernelGrad(dKd, col, d, rows, this.taps, g.C, this.depthMultiplier);
    if (!io.dx) return;
    be.depthwiseInputGrad(col, d, this.depthwise.ptr, rows, this.taps, g.C, this.depthMultiplier);
    be.col2im(io.dx, col, batch, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.padTop, g.padLeft);
  }

  override getConfig(): Record<string, unknown> {
    const { kernelInitializer, kernelRegularizer, ...k } = this.kernelConfig();
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: [...this.kernelSize], strides: [...this.strides], padding: this.padding,
      depthMultiplier: this.depthMultiplier, dataFormat: 'channelsLast', dilationRate: [...this.dilationRate], ...k,
      depthwiseInitializer: this.depthwiseInitializer, pointwiseInitializer: kernelInitializer,
      ...(this.depthwiseRegularizer ? { depthwiseRegularizer: this.depthwiseRegularizer } : {}),
      ...(kernelRegularizer ? { pointwiseRegularizer: kernelRegularizer } : {}),
    };
  }
}

export function separableConv2d(args: SeparableConv2DArgs): SeparableConv2D {
  return new SeparableConv2D(args);
}
