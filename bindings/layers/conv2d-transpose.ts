/**
 * Conv2DTranspose (Keras 3): the adjoint of Conv2D's input map — each input pixel scatters
 * x·Wᵀ over a window of the output — then bias and activation. Kernel W [kh, kw, filters, inC]
 * (the Keras/TF.js layout), bias [filters]. Output size per axis (Keras's deconv_output_length,
 * span = (k − 1)·dilation + 1): 'valid' in·s + max(span − s, 0), 'same' in·s.
 *
 * Forward: col = x·Wᵀ (GEMM NT: (batch·H·W, inC)·(kh·kw·F, inC)ᵀ), then col2im scatters col into
 * the zeroed output with the geometry of the Conv2D that maps the output back to the input size;
 * bias; activation.
 * Backward: dZ = f'(z)·dy; db += colsum(dZ); dcol = im2col(dZ); dW += dcolᵀ·x (TN);
 * dx += dcol·W (NN).
 */
import { shapeStr, checkImage, kerasName, type Geometry, type Padding, positiveInt, windowArgs } from './conv-geometry.js';
import { KernelLayer } from './kernel-layer.js';
import type { NodeIO, RunContext } from './layer.js';
import type { Conv2DArgs } from './conv2d.js';

export interface Conv2DTransposeArgs extends Conv2DArgs {
  /** Only null/undefined (Keras's default: the output size from the formula above). */
  outputPadding?: null;
}

export class Conv2DTranspose extends KernelLayer {
  static className = 'Conv2DTranspose';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  /** The Conv2D geometry from this layer's output (its "input") back to its input (its "output"). */
  private g!: Geometry;

  constructor(args: Conv2DTransposeArgs) {
    super(kerasName(args, 'conv2d_transpose'));
    this.filters = positiveInt(this.name, 'filters', args?.filters);
    ({ kernelSize: this.kernelSize, strides: this.strides, dilationRate: this.dilationRate, padding: this.padding } = windowArgs(this.name, args));
    if (args.outputPadding !== undefined && args.outputPadding !== null) {
      throw new Error(`${this.name}: outputPadding is not supported (only null, the default), got ${JSON.stringify(args.outputPadding)}`);
    }
  }

  private geometryFor(inputShape: number[]): Geometry {
    const [H, W] = checkImage(this.name, inputShape);
    const along = (size: number, k: number, s: number, d: number) => {
      const span = (k - 1) * d + 1, extra = Math.max(span - s, 0);
      return this.padding === 'valid' ? { out: size * s + extra, before: 0 } : { out: size * s, before: Math.floor(extra / 2) };
    };
    const h = along(H, this.kernelSize[0], this.strides[0], this.dilationRate[0]);
    const w = along(W, this.kernelSize[1], this.strides[1], this.dilationRate[1]);
    // In the kernels' terms the output is the image (H, W ← OH, OW) and the input the positions.
    return { H: h.out, W: w.out, C: this.filters, OH: H, OW: W, KH: this.kernelSize[0], KW: this.kernelSize[1],
      SH: this.strides[0], SW: this.strides[1], DH: this.dilationRate[0], DW: this.dilationRate[1], padTop: h.before, padLeft: w.before };
  }

  computeOutputShape(inputShape: number[]): number[] {
    const g = this.geometryFor(inputShape);
    if (!(g.H > 0 && g.W > 0)) throw new Error(`${this.name}: no output for an input of shape ${shapeStr(inputShape)}`);
    return [g.H, g.W, this.filters];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    this.g = this.geometryFor(inputShape);
    this.addKernelWeights([...this.kernelSize, this.filters, inputShape[2]], this.filters);
  }

  private get inC(): number { return this.inputShape[2]; }
  /** Columns of col: one output window, (ky, kx, filter). */
  private get patch(): number { return this.g.KH * this.g.KW * this.filters; }

  override buffersPerSample(): Record<string, number> {
    // relu has no z here (no GEMM epilogue to fuse it into): it runs in place on y.
    const buffers: Record<string, number> = { col: this.g.OH * this.g.OW * this.patch };
    if (this.activation.name !== 'linear' && this.activation.name !== 'relu') buffers.z = this.outputSize;
    return buffers;
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g, col = io.buffers.col, z = this.preActivation(io), act = this.activation;
    const rows = batch * g.H * g.W;
    be.gemm(col, io.x, this.kernel.ptr, batch * g.OH * g.OW, this.patch, this.inC, 0, 1, 1, 0);
    be.fill(z, 0, rows * this.filters);
    be.col2im(z, col, batch, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.padTop, g.padLeft);
    if (this.bias) be.biasAdd(z, this.bias.ptr, rows, this.filters);
    if (act.id === -1) be.softmaxForward(io.y, z, rows, this.filters);
    else if (act.name !== 'linear') be.activationForward(io.y, z, rows * this.filters, act.id, act.alpha);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const g = this.g, col = io.buffers.col, positions = batch * g.OH * g.OW;
    const dz = this.preActivationGrad(be, io, batch * g.H * g.W, this.filters);
    this.biasGradient(be, io, dz, batch * g.H * g.W, this.filters);
    be.im2col(col, dz, batch, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.padTop, g.padLeft);
    const dW = io.grad(this.kernel);
    if (dW) be.gemm(dW, col, io.x, this.patch, this.inC, positions, 1, 0, 1, io.overwrites(this.kernel) ? 0 : 1);
    if (io.dx) be.gemm(io.dx, col, this.kernel.ptr, positions, this.inC, this.patch, 0, 0, 1, 1);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: [...this.kernelSize], strides: [...this.strides],
      padding: this.padding, outputPadding: null, dataFormat: 'channelsLast', dilationRate: [...this.dilationRate], ...this.kernelConfig(),
    };
  }
}

export function conv2dTranspose(args: Conv2DTransposeArgs): Conv2DTranspose {
  return new Conv2DTranspose(args);
}
