/**
 * Shapes shared by the 2-D image layers (channels-last: one sample is [height, width, channels]):
 * argument checks, output sizes and TensorFlow's 'same' padding split.
 *
 *   'valid': out = ⌊(in − span)/stride⌋ + 1, span = (k − 1)·dilation + 1, no padding;
 *   'same':  out = ⌈in/stride⌉, total padding max((out − 1)·stride + span − in, 0), of which
 *            ⌊total/2⌋ goes before (top/left) and the rest after, as TensorFlow does.
 */
import { uniqueName, type LayerArgs } from './layer.js';

export type Padding = 'valid' | 'same';

/** The numbers a kernel call needs, for one layer and one input shape. */
export interface Geometry {
  H: number; W: number; C: number;
  OH: number; OW: number;
  KH: number; KW: number;
  SH: number; SW: number;
  DH: number; DW: number;
  padTop: number; padLeft: number;
}

export const shapeStr = (s: readonly number[]) => `[${s.join(', ')}]`;

/** An int or [int, int], every entry a positive integer; returns the pair. */
export function pair(layer: string, arg: string, value: unknown, fallback?: number | [number, number]): [number, number] {
  const v = value ?? fallback;
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${layer}: ${arg} must be a positive integer or a pair of positive integers, got ${JSON.stringify(value)}`);
  }
  return [p[0], p[1]];
}

export function checkPadding(layer: string, value: unknown): Padding {
  const p = value ?? 'valid';
  if (p !== 'valid' && p !== 'same') throw new Error(`${layer}: padding must be 'valid' or 'same', got ${JSON.stringify(value)}`);
  return p;
}

/** Only channels-last data: NHWC. */
export function checkDataFormat(layer: string, value: unknown): 'channelsLast' {
  if (value !== undefined && value !== null && value !== 'channelsLast' && value !== 'channels_last') {
    throw new Error(`${layer}: only dataFormat 'channelsLast' (NHWC) is supported, got ${JSON.stringify(value)}`);
  }
  return 'channelsLast';
}

/** An image sample is [height, width, channels]. */
/** The window every 2-D convolution takes (kernelSize required; strides, dilationRate, padding, dataFormat), checked, naming the layer. */
export function windowArgs(layer: string, args: { kernelSize?: unknown; strides?: unknown; dilationRate?: unknown; padding?: unknown; dataFormat?: unknown }):
  { kernelSize: [number, number]; strides: [number, number]; dilationRate: [number, number]; padding: Padding } {
  if (args.kernelSize === undefined) throw new Error(`${layer}: kernelSize is required (an int or [height, width])`);
  const w = {
    kernelSize: pair(layer, 'kernelSize', args.kernelSize), strides: pair(layer, 'strides', args.strides, 1),
    dilationRate: pair(layer, 'dilationRate', args.dilationRate, 1), padding: checkPadding(layer, args.padding),
  };
  checkDataFormat(layer, args.dataFormat);
  return w;
}

/** A positive integer argument (filters, depthMultiplier); `fallback` when it is not given. */
export function positiveInt(layer: string, arg: string, value: unknown, fallback?: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || (v as number) <= 0) throw new Error(`${layer}: ${arg} must be a positive integer, got ${JSON.stringify(value)}`);
  return v as number;
}

export function checkImage(layer: string, inputShape: number[]): [number, number, number] {
  if (inputShape.length !== 3) {
    const hint = inputShape.length === 1
      ? `; flat data needs a reshape first, e.g. layers.reshape({ targetShape: [28, 28, 1] }) for [784]`
      : '';
    throw new Error(`${layer}: expected an input of shape [height, width, channels] per sample (rank 3, channels last), got ${shapeStr(inputShape)}${hint}`);
  }
  return [inputShape[0], inputShape[1], inputShape[2]];
}

/** Output length and padding before, along one axis. */
export function axis(layer: string, what: string, size: number, k: number, stride: number, dilation: number, padding: Padding,
  dimName: string): { out: number; before: number } {
  const span = (k - 1) * dilation + 1;
  if (padding === 'valid') {
    if (span > size) {
      throw new Error(`${layer}: the ${what} (${dimName} ${span}${dilation > 1 ? ` with dilation ${dilation}` : ''}) is larger than the input ${dimName} ${size} with padding 'valid'`);
    }
    return { out: Math.floor((size - span) / stride) + 1, before: 0 };
  }
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** Geometry of a window op (conv or pool) over an image input. */
export function geometry(layer: string, what: string, inputShape: number[], k: [number, number], s: [number, number],
  d: [number, number], padding: Padding): Geometry {
  const [H, W, C] = checkImage(layer, inputShape);
  const h = axis(layer, what, H, k[0], s[0], d[0], padding, 'height');
  const w = axis(layer, what, W, k[1], s[1], d[1], padding, 'width');
  return { H, W, C, OH: h.out, OW: w.out, KH: k[0], KW: k[1], SH: s[0], SW: s[1], DH: d[0], DW: d[1], padTop: h.before, padLeft: w.before };
}

/** Keras's default names (conv2d, max_pooling2d, …), where the generic snake_case would give conv2_d. */
export function kerasName<A extends LayerArgs>(args: A, base: string): A {
  return { ...args, name: args?.name ?? uniqueName(base) };
}

// ---- 1-D (sequences [steps, channels]): the 2-D kernels with height 1 ----------------------------

export type Padding1D = Padding | 'causal';

/** An int or [int], a positive integer; returns it. */
export function single(layer: string, arg: string, value: unknown, fallback?: number): number {
  const v = value ?? fallback;
  const p = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (!Number.isInteger(p) || (p as number) <= 0) {
    throw new Error(`${layer}: ${arg} must be a positive integer or [positive integer], got ${JSON.stringify(value)}`);
  }
  return p as number;
}

export function checkPadding1D(layer: string, value: unknown, causal: boolean): Padding1D {
  const p = value ?? 'valid';
  if (p !== 'valid' && p !== 'same' && !(causal && p === 'causal')) {
    throw new Error(`${layer}: padding must be 'valid', 'same'${causal ? " or 'causal'" : ''}, got ${JSON.stringify(value)}`);
  }
  return p as Padding1D;
}

/** A sequence sample is [steps, channels]. */
export function checkSequence(layer: string, inputShape: number[]): [number, number] {
  if (inputShape.length !== 2) {
    throw new Error(`${layer}: expected an input of shape [steps, channels] per sample (rank 2, channels last), got ${shapeStr(inputShape)}`);
  }
  return [inputShape[0], inputShape[1]];
}

/**
 * Geometry of a 1-D window op as an image of height 1 (H = KH = SH = DH = 1, padTop 0); 'causal'
 * pads (k − 1)·dilation steps before the sequence and none after (Keras 3's Conv1D).
 */
export function geometry1d(layer: string, what: string, inputShape: number[], k: number, s: number, d: number,
  padding: Padding1D): Geometry {
  const [steps, C] = checkSequence(layer, inputShape);
  let w: { out: number; before: number };
  if (padding === 'causal') {
    const before = (k - 1) * d;
    w = { out: Math.floor((steps - 1) / s) + 1, before };
  } else {
    w = axis(layer, what, steps, k, s, d, padding, 'steps');
  }
  return { H: 1, W: steps, C, OH: 1, OW: w.out, KH: 1, KW: k, SH: 1, SW: s, DH: 1, DW: d, padTop: 0, padLeft: w.before };
}
