/**
 * DepthwiseConv2D (Keras 3): each input channel convolved with its own `depthMultiplier` filters,
 * y[·, c·M + m] = f(Σ_taps x[·, c]·K[tap, c, m] + b[c·M + m]). Depthwise kernel
 * [kh, kw, inC, depthMultiplier] (named depthwise_kernel, as TF.js writes it), bias [inC·M].
 *
 * Forward: im2col, then depthwiseForward over the columns, bias, activation.
 * Backward: dZ = f'(z)·dy; db += colsum(dZ); dK += depthwiseKernelGrad(col, dZ);
 * dcol = depthwiseInputGrad(dZ, K) written over col, then col2im adds it into dx.
 */
import { getInitializer, type InitializerIdentifier } from '../initializers.js';
import type { RegularizerIdentifier } from '../regularizers.js';
import type { Backend } from '../backend/backend.js';
import { geometry, kerasName, type Geometry, type Padding, positiveInt, windowArgs } from './conv-geometry.js';
import { KernelLayer } from './kernel-layer.js';
import type { LayerArgs, NodeIO, RunContext } from './layer.js';

export interface DepthwiseConv2DArgs extends LayerArgs {
  /** Kernel height and width: an int or [kh, kw]. */
  kernelSize: number | [number, number];
  /** Step between windows: an int or [sh, sw]. Default 1. */
  strides?: number | [number, number];
  /** 'valid' (default) or 'same'. */
  padding?: Padding;
  /** Filters per input channel (M): a positive integer. Default 1. */
  depthMultiplier?: number;
  /** Only 'channelsLast' (NHWC), the default. */
  dataFormat?: 'channelsLast';
  /** Spacing between kernel taps: an int or [dh, dw]. Default 1. */
  dilationRate?: number | [number, number];
  /** Activation after the bias (default linear). */
  activation?: string;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Depthwise kernel initializer (default 'glorotUniform'). */
  depthwiseInitializer?: InitializerIdentifier;
  /** Bias initializer (default 'zeros'). */
  biasInitializer?: InitializerIdentifier;
  /** Penalty on the depthwise kernel. */
  depthwiseRegularizer?: RegularizerIdentifier;
  /** Penalty on the bias. */
  biasRegularizer?: RegularizerIdentifier;
}

/** y = f(z) for layers with no GEMM epilogue: relu in place on y (z = y), the rest from z. */
export function finishActivation(layer: KernelLayer, be: Backend, io: NodeIO, rows: number, units: number): void {
  const act = layer.activation, z = layer.preActivation(io);
  if (act.id === -1) be.softmaxForward(io.y, z, rows, units);
  else if (act.name !== 'linear') be.activationForward(io.y, z, rows * units, act.id, act.alpha);
}

/** The z buffer of such a layer: needed unless the activation is linear or relu (which runs in place). */
export function unfusedPreActivation(layer: KernelLayer): Record<string, number> {
  const name = layer.activation.name;
  return name === 'linear' || name === 'relu' ? {} : { z: layer.outputSize };
}

export class DepthwiseConv2D extends KernelLayer {
  static className = 'DepthwiseConv2D';
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly depthMultiplier: number;
  readonly dilationRate: [number, number];
  private g!: Geometry;

  constructor(args: DepthwiseConv2DArgs) {
    const a = kerasName(args, 'depthwise_conv2d');
    // Checked here, so that a bad one is named by its Keras argument rather than KernelLayer's kernelInitializer.
    getInitializer(a.depthwiseInitializer ?? 'glorotUniform', `${a.name}: depthwiseInitializer`);
    super({ ...a, kernelInitializer: a.depthwiseInitializer, kernelRegularizer: a.depthwiseRegularizer });
    ({ kernelSize: this.kernelSize, strides: this.strides, dilationRate: this.dilationRate, padding: this.padding } = windowArgs(this.name, args));
    this.depthMultiplier = positiveInt(this.name, 'depthMultiplier', args.depthMultiplier, 1);
  }

  private geometryFor(inputShape: number[]): Geometry {
    return geometry(this.name, `kernel ${this.kernelSize.join('×')}`, inputShape, this.kernelSize, this.strides, this.dilationRate, this.padding);
  }

  computeOutputShape(inputShape: number[]): number[] {
    const g = this.geometryFor(inputShape);
    return [g.OH, g.OW, g.C * this.depthMultiplier];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    this.g = this.geometryFor(inputShape);
    const units = this.g.C * this.depthMultiplier;
    this.kernel = this.addWeight('depthwise_kernel', [...this.kernelSize, this.g.C, this.depthMultiplier], this.kernelInitializer, true, this.kernelRegularizer);
    if (this.useBias) this.bias = this.addWeight('bias', [units], this.biasInitializer, true, this.biasRegularizer);
  }

  private get taps(): number { return this.g.KH * this.g.KW; }
  private get units(): number { return this.g.C * this.depthMultiplier; }

  override buffersPerSample(): Record<string, number> {
    return { col: this.g.OH * this.g.OW * this.taps * this.g.C, ...unfusedPreActivation(this) };
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g, col = io.buffers.col, z = this.preActivation(io), rows = batch * g.OH * g.OW;
    be.im2col(col, io.x, batch, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.padTop, g.padLeft);
    be.depthwiseForward(z, col, this.kernel.ptr, rows, this.taps, g.C, this.depthMultiplier);
    if (this.bias) be.biasAdd(z, this.bias.ptr, rows, this.units);
    finishActivation(this, be, io, rows, this.units);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g, col = io.buffers.col, rows = batch * g.OH * g.OW;
    const dz = this.preActivationGrad(be, io, rows, this.units);
    this.biasGradient(be, io, dz, rows, this.units);
    const dK = io.grad(this.kernel);
    if (dK) be.depthwiseKernelGrad(dK, col, dz, rows, this.taps, g.C, this.depthMultiplier);
    if (!io.dx) return;
    be.depthwiseInputGrad(col, dz, this.kernel.ptr, rows, this.taps, g.C, this.depthMultiplier);
    be.col2im(io.dx, col, batch, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.padTop, g.padLeft);
  }

  override getConfig(): Record<string, unknown> {
    const { kernelInitializer, kernelRegularizer, ...k } = this.kernelConfig();
    return {
      ...super.getConfig(), kernelSize: [...this.kernelSize], strides: [...this.strides], padding: this.padding,
      depthMultiplier: this.depthMultiplier, dataFormat: 'channelsLast', dilationRate: [...this.dilationRate], ...k,
      depthwiseInitializer: kernelInitializer, ...(kernelRegularizer ? { depthwiseRegularizer: kernelRegularizer } : {}),
    };
  }
}

export function depthwiseConv2d(args: DepthwiseConv2DArgs): DepthwiseConv2D {
  return new DepthwiseConv2D(args);
}
