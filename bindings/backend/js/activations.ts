// Activations, reference twins of assembly/kernels/activations.ts (same formulas, same erf).
import type { Heap } from './heap.js';
import { Act } from '../backend.js';

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;
const INV_SQRT2 = 0.7071067811865476;
const INV_SQRT_2PI = 0.3989422804014327;

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7), as in the wasm core. */
export function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

export function activate(z: number, act: Act, alpha: number): number {
  switch (act) {
    case Act.relu: return Math.max(z, 0);
    case Act.relu6: return Math.min(Math.max(z, 0), 6);
    case Act.leakyRelu: return z > 0 ? z : alpha * z;
    case Act.elu: return z > 0 ? z : alpha * (Math.exp(z) - 1);
    case Act.selu: return z > 0 ? SELU_SCALE * z : SELU_SCALE * SELU_ALPHA * (Math.exp(z) - 1);
    case Act.sigmoid: return sigmoid(z);
    case Act.hardSigmoid: return Math.min(Math.max(z / 6 + 0.5, 0), 1);
    case Act.tanh: return Math.tanh(z);
    case Act.softplus: return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    case Act.softsign: return z / (1 + Math.abs(z));
    case Act.swish: return z * sigmoid(z);
    case Act.gelu: return 0.5 * z * (1 + erf(z * INV_SQRT2));
    default: return z;
  }
}

export function activateGrad(dy: number, z: number, y: number, act: Act, alpha: number): number {
  switch (act) {
    case Act.relu: return z > 0 ? dy : 0;
    case Act.relu6: return z > 0 && z < 6 ? dy : 0;
    case Act.leakyRelu: return z > 0 ? dy : alpha * dy;
    case Act.elu: return z > 0 ? dy : dy * (y + alpha);
    case Act.selu: return z > 0 ? dy * SELU_SCALE : dy * (y + SELU_SCALE * SELU_ALPHA);
    case Act.sigmoid: return dy * y * (1 - y);
    case Act.hardSigmoid: return z > -3 && z < 3 ? dy / 6 : 0;
    case Act.tanh: return dy * (1 - y * y);
    case Act.softplus: return dy * sigmoid(z);
    case Act.softsign: { const d = 1 + Math.abs(z); return dy / (d * d); }
    case Act.swish: { const s = sigmoid(z); return dy * (s + z * s * (1 - s)); }
    case Act.gelu: return dy * (0.5 * (1 + erf(z * INV_SQRT2)) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z));
    default: return dy;
  }
}

export function activationForward(h: Heap, Y: number, Z: number, n: number, act: Act, alpha: number): void {
  const f = h.f, y = Y >> 2, z = Z >> 2;
  for (let i = 0; i < n; i++) f[y + i] = activate(f[z + i], act, alpha);
}

export function activationBackward(h: Heap, dZ: number, dY: number, Z: number, Y: number, n: number, act: Act, alpha: number): void {
  const f = h.f, dz = dZ >> 2, dy = dY >> 2, z = Z >> 2, y = Y >> 2;
  for (let i = 0; i < n; i++) f[dz + i] = activateGrad(f[dy + i], f[z + i], f[y + i], act, alpha);
}

export function softmaxForward(h: Heap, Y: number, Z: number, rows: number, cols: number): void {
  const f = h.f;
  for (let r = 0; r < rows; r++) {
    const z = (Z >> 2) + r * cols, y = (Y >> 2) + r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, f[z + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) { const e = Math.exp(f[z + c] - m); f[y + c] = e; s += e; }
    for (let c = 0; c < cols; c++) f[y + c] /= s;
  }
}

export function softmaxBackward(h: Heap, dZ: number, dY: number, Y: number, rows: number, cols: number): void {
  const f = h.f;
  for (let r = 0; r < rows; r++) {
    const o = r * cols, dz = (dZ >> 2) + o, dy = (dY >> 2) + o, y = (Y >> 2) + o;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += f[dy + c] * f[y + c];
    for (let c = 0; c < cols; c++) f[dz + c] = f[y + c] * (f[dy + c] - dot);
  }
}
