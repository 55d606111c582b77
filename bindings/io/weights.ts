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

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
/** Quantized storage keelnet dequantizes (TF.js's quantization dtypes). */
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * The most a wasm32 memory holds (65536 pages of 64 KiB). A model's weights, as float32, must
 * stay under it, so a manifest declaring more is refused before anything is read.
 */
export const MAX_WEIGHT_BYTES = 2 ** 32;

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const shown = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v));

/**
 * Check one manifest entry's fields before anything uses them: a string name, a shape of
 * non-negative integers, a dtype keelnet can read and, for a model weight (not the optimizer
 * group), float32 — stored as is or quantized to uint8, uint16 or float16. `label` says where
 * the entry is (`weightsManifest[0].weights[3]`).
 */
export function checkSpec(spec: WeightSpec, where: string, label: string): void {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new Error(`${where}: ${label} must be an object { name, shape, dtype }, got ${shown(spec)}`);
  }
  if (typeof spec.name !== 'string') throw new Error(`${where}: ${label} must have a name (a string), got ${shown(spec.name)}`);
  if (!Array.isArray(spec.shape) || spec.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${where}: weight '${spec.name}' has an invalid shape ${shown(spec.shape)}; expected a list of non-negative integers`);
  }
  if (BYTES[spec.dtype] === undefined) {
    throw new Error(`${where}: weight '${spec.name}' has dtype ${shown(spec.dtype)}, which keelnet cannot read (float32, int32, bool, complex64)`);
  }
  const q = spec.quantization;
  if (q !== undefined && q !== null) {
    if (typeof q !== 'object' || QUANTIZED_BYTES[q.dtype] === undefined) {
      throw new Error(`${where}: weight '${spec.name}' has quantization ${shown(q)}; keelnet reads quantization dtypes uint8, uint16 and float16`);
    }
    for (const k of ['scale', 'min'] as const) {
      if (q[k] !== undefined && q[k] !== null && !(typeof q[k] === 'number' && Number.isFinite(q[k]))) {
        throw new Error(`${where}: weight '${spec.name}' has quantization ${k} ${shown(q[k])}; expected a finite number`);
      }
    }
  }
  if (spec.group !== 'optimizer' && spec.dtype !== 'float32') {
    throw new Error(`${where}: weight '${spec.name}' has dtype '${spec.dtype}'; keelnet model weights are float32 `
      + '(stored as float32, or quantized from float32 to uint8, uint16 or float16)');
  }
}

/** Bytes one (checked) entry takes in the buffer (its quantized dtype if it has one). */
export function specBytes(spec: WeightSpec, where: string): number {
  checkSpec(spec, where, `weight '${String(spec?.name)}'`);
  return count(spec.shape) * (spec.quantization ? QUANTIZED_BYTES[spec.quantization.dtype] : BYTES[spec.dtype]);
}

function gib(bytes: number): string {
  if (!Number.isSafeInteger(bytes)) return 'more than 4 GiB';
  const g = bytes / 2 ** 30;
  return Number.isInteger(g) ? `${g} GiB` : `${g.toFixed(2)} GiB`;
}

/**
 * The bytes the specs declare, refused before anything is read when the model's weights would
 * not fit a wasm32 memory (as float32, after dequantizing), naming the weight that crosses it.
 */
export function declaredBytes(specs: WeightSpec[], where: string): number {
  let stored = 0, total = 0;
  for (const spec of specs) {
    const n = specBytes(spec, where);
    const cost = Math.max(n, spec.group === 'optimizer' ? 0 : count(spec.shape) * 4);
    stored += n;
    total += cost;
    if (total >= MAX_WEIGHT_BYTES) {
      const what = `weight '${spec.name}' (shape [${spec.shape.join(', ')}], ${spec.dtype})`;
      throw new Error(`${where}: ${what} ${cost === total ? `takes ${gib(cost)}` : `brings the model's weights to ${gib(total)}`} as float32; `
        + 'the weights of one model must stay under 4 GiB (the most a wasm32 memory holds)');
    }
  }
  return stored;
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
  if (!Array.isArray(specs)) throw new Error(`${where}: weightSpecs must be a list of { name, shape, dtype }, got ${shown(specs)}`);
  specs.forEach((spec, i) => checkSpec(spec, where, `weightSpecs[${i}]`));
  declaredBytes(specs, where);
  checkWeightBytes(specs, data.byteLength, 'the weight data', where);
  const view = new DataView(data);
  const out: NamedWeight[] = [];
  let offset = 0;
  for (const spec of specs) {
    const bytes = specBytes(spec, where);
    const start = offset;
    offset += bytes;
    if (spec.group === 'optimizer') continue;
    // checkSpec let through only float32 model weights, stored as is or quantized.
    const n = count(spec.shape), values = new Float32Array(n);
    const q = spec.quantization;
    if (q) {
      const scale = q.scale ?? 1, min = q.min ?? 0;
      for (let i = 0; i < n; i++) {
        if (q.dtype === 'float16') values[i] = halfToFloat(view.getUint16(start + 2 * i, true));
        else values[i] = (q.dtype === 'uint8' ? view.getUint8(start + i) : view.getUint16(start + 2 * i, true)) * scale + min;
      }
    } else {
      for (let i = 0; i < n; i++) values[i] = view.getFloat32(start + 4 * i, true);
    }
    out.push({ name: spec.name, shape: [...spec.shape], values });
  }
  return out;
}
