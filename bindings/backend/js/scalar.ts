// Scalar activation math shared by the reference kernels (activations, losses).
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

/** erf accurate to ~1e-15: series below 2, continued fraction above (as the wasm core's erf64). */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2) {
    const x2 = x * x;
    let term = x, sum = x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return sum * 1.1283791670955126;
  }
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + (k * 0.5) / f;
  const r = 1 - Math.exp(-a * a) * 0.5641895835477563 / f;
  return x < 0 ? -r : r;
}

export function activate(z: number, act: Act, alpha: number): number {
  switch (act) {
    case Act.relu: return Math.max(z, 0);
    case Act.relu6: return Math.min(Math.max(z, 0), 6);
    case Act.leakyRelu: return z > 0 ? z : alpha * z;
    case Act.elu: return z > 0 ? z : alpha * Math.expm1(z);
    case Act.selu: return z > 0 ? SELU_SCALE * z : SELU_SCALE * SELU_ALPHA * Math.expm1(z);
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
    case Act.elu: return z > 0 ? dy : dy * alpha * Math.exp(z);
    case Act.selu: return z > 0 ? dy * SELU_SCALE : dy * SELU_SCALE * SELU_ALPHA * Math.exp(z);
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

