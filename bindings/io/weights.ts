/**
 * Weight bytes in the TF.js layout (tfjs-core io_utils encodeWeights/decodeWeights): every
 * tensor's values concatenated in manifest order, no headers or padding, little-endian. A
 * quantized entry holds uint8/uint16 codes (value = code·scale + min) or float16 halves.
 */
import type { WeightSpec } from './types.js';

export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Bytes one entry takes in the buffer (its quantized dtype if it has one). */
export function specBytes(spec: WeightSpec, where: string): number {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const per = BYTES[stored];
  if (per === undefined) {
    throw new Error(`${where}: weight '${spec.name}' has dtype '${stored}', which keelnet cannot read (float32, int32, bool, complex64, uint8, uint16, float16)`);
  }
  if (!Array.isArray(spec.shape) || spec.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${where}: weight '${spec.name}' has an invalid shape ${JSON.stringify(spec.shape)}`);
  }
  return count(spec.shape) * per;
}

/** The float32 bytes (little-endian) of each weight, concatenated, and their specs. */
export function encodeWeights(weights: NamedWeight[]): { specs: WeightSpec[]; data: ArrayBuffer } {
  const total = weights.reduce((s, w) => s + w.values.length * 4, 0);
  const data = new ArrayBuffer(total);
  const view = new DataView(data);
  let offset = 0;
  for (const w of weights) {
    for (let i = 0; i < w.values.length; i++, offset += 4) view.setFloat32(offset, w.values[i], true);
  }
  return { specs: weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'float32' })), data };
}

/** One buffer from several (shards, or TF.js's split weightData). */
export function concatBuffers(buffers: ArrayBuffer | ArrayBuffer[] | undefined): ArrayBuffer {
  if (buffers === undefined) return new ArrayBuffer(0);
  if (!Array.isArray(buffers)) return buffers;
  if (buffers.length === 1) return buffers[0];
  const out = new Uint8Array(buffers.reduce((s, b) => s + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) { out.set(new Uint8Array(b), offset); offset += b.byteLength; }
  return out.buffer;
}

/**
 * Check that `bytes` is exactly what `specs` need; otherwise name the first weight that does
 * not fit (or the surplus). `files` names where the bytes came from, for the message.
 */
export function checkWeightBytes(specs: WeightSpec[], bytes: number, files: string, where: string): void {
  let offset = 0;
  for (const spec of specs) {
    const n = specBytes(spec, where);
    if (offset + n > bytes) {
      const need = specs.reduce((s, sp) => s + specBytes(sp, where), 0);
      throw new Error(`${where}: ${files} holds ${bytes} bytes but the weights manifest needs ${need}: weight '${spec.name}' `
        + `(shape [${spec.shape.join(', ')}], ${spec.quantization?.dtype ?? spec.dtype}) at bytes ${offset}–${offset + n} is cut off; `
        + 'the file is truncated or does not belong to this model.json');
    }
    offset += n;
  }
  if (offset !== bytes) {
    throw new Error(`${where}: ${files} holds ${bytes} bytes but the weights manifest describes only ${offset}; `
      + 'the file does not belong to this model.json (or the manifest is missing entries)');
  }
}

/** IEEE 754 half → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Walk the specs over the buffer and return each model weight as float32 (dequantized);
 * optimizer-group entries are skipped, as keelnet keeps no optimizer state in files.
 */
export function decodeWeights(specs: WeightSpec[], data: ArrayBuffer, where: string): NamedWeight[] {
  checkWeightBytes(specs, data.byteLength, 'the weight data', where);
  const view = new DataView(data);
  const out: NamedWeight[] = [];
  let offset = 0;
  for (const spec of specs) {
    const bytes = specBytes(spec, where);
    const start = offset;
    offset += bytes;
    if (spec.group === 'optimizer') continue;
    const n = count(spec.shape), values = new Float32Array(n);
    const q = spec.quantization;
    if (q) {
      if (spec.dtype !== 'float32' && spec.dtype !== 'int32') throw new Error(`${where}: weight '${spec.name}' is quantized from dtype '${spec.dtype}', which keelnet cannot read`);
      const scale = q.scale ?? 1, min = q.min ?? 0;
      for (let i = 0; i < n; i++) {
        if (q.dtype === 'float16') values[i] = halfToFloat(view.getUint16(start + 2 * i, true));
        else values[i] = (q.dtype === 'uint8' ? view.getUint8(start + i) : view.getUint16(start + 2 * i, true)) * scale + min;
      }
    } else if (spec.dtype === 'float32') {
      for (let i = 0; i < n; i++) values[i] = view.getFloat32(start + 4 * i, true);
    } else if (spec.dtype === 'int32') {
      for (let i = 0; i < n; i++) values[i] = view.getInt32(start + 4 * i, true);
    } else {
      throw new Error(`${where}: weight '${spec.name}' has dtype '${spec.dtype}'; keelnet model weights are float32`);
    }
    out.push({ name: spec.name, shape: [...spec.shape], values });
  }
  return out;
}
