// Activations forward and backward, elementwise, plus row-wise softmax.
// Ids match `Act` in bindings/backend/backend.ts. ReLU-family kernels use f32x4; the
// transcendental ones are scalar — they cost O(n) against the GEMM's O(n·k) around them.

const LINEAR = 0, RELU = 1, RELU6 = 2, LEAKY_RELU = 3, ELU = 4, SELU = 5, SIGMOID = 6,
  HARD_SIGMOID = 7, TANH = 8, SOFTPLUS = 9, SOFTSIGN = 10, SWISH = 11, GELU = 12;

import { erf64, sigmoidf } from '../math';

const SELU_SCALE: f32 = 1.0507009873554805;
const SELU_ALPHA: f32 = 1.6732632423543772;
const INV_SQRT2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

// @ts-ignore: decorator
@inline function erff(x: f32): f32 {
  return <f32>erf64(<f64>x);
}

// @ts-ignore: decorator
@inline function forward1(z: f32, act: i32, alpha: f32): f32 {
  switch (act) {
    case RELU: return Mathf.max(z, 0); // propagates NaN, as the SIMD lanes do
    case RELU6: return Mathf.min(Mathf.max(z, 0), 6);
    case LEAKY_RELU: return z > 0 ? z : alpha * z;
    // expm1, not exp − 1: near z = 0 the subtraction would cancel away the low bits.
    case ELU: return z > 0 ? z : alpha * Mathf.expm1(z);
    case SELU: return z > 0 ? SELU_SCALE * z : SELU_SCALE * SELU_ALPHA * Mathf.expm1(z);
    case SIGMOID: return sigmoidf(z);
    case HARD_SIGMOID: return Mathf.min(Mathf.max(z / 6 + 0.5, 0), 1);
    case TANH: return Mathf.tanh(z);
    case SOFTPLUS: return Mathf.max(z, 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(z)));
    case SOFTSIGN: return z / (1 + Mathf.abs(z));
    case SWISH: return z * sigmoidf(z);
    case GELU: return 0.5 * z * (1 + erff(z * INV_SQRT2));
    default: return z;
  }
}

/** f'(z)·dy given z and y = f(z). */
// @ts-ignore: decorator
@inline function backward1(dy: f32, z: f32, y: f32, act: i32, alpha: f32): f32 {
  switch (act) {
    case RELU: return z > 0 ? dy : 0;
    case RELU6: return z > 0 && z < 6 ? dy : 0;
    case LEAKY_RELU: return z > 0 ? dy : alpha * dy;
    // α·eᶻ from z, not y + α: for very negative z, y ≈ −α and y + α keeps only the rounding of y.
    case ELU: return z > 0 ? dy : dy * alpha * Mathf.exp(z);
    case SELU: return z > 0 ? dy * SELU_SCALE : dy * SELU_SCALE * SELU_ALPHA * Mathf.exp(z);
    case SIGMOID: return dy * y * (1 - y);
    case HARD_SIGMOID: return z > -3 && z < 3 ? dy / 6 : 0;
    case TANH: return dy * (1 - y * y);
    case SOFTPLUS: return dy * sigmoidf(z);
    case SOFTSIGN: { const d: f32 = 1 + Mathf.abs(z); return dy / (d * d); }
    case SWISH: { const s = sigmoidf(z); return dy * (s + z * s * (1 - s)); }
    case GELU: return dy * (0.5 * (1 + erff(z * INV_SQRT2)) + z * INV_SQRT_2PI * Mathf.exp(-0.5 * z * z));
    default: return dy;
  }
}

/** Y = f(Z) over n elements; Y may alias Z. */
export function activationForward(Y: usize, Z: usize, n: i32, act: i32, alpha: f32): void {
  let i = 0;
  if (act == RELU) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(Y + o, f32x4.max(v128.load(Z + o), zero));
    }
  } else if (act == LINEAR) {
    if (Y != Z) memory.copy(Y, Z, <usize>n << 2);
    return;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(Y + o, forward1(load<f32>(Z + o), act, alpha));
  }
}

/** dZ = dY · f'(Z) over n elements; dZ may alias dY. */
export function activationBackward(dZ: usize, dY: usize, Z: usize, Y: usize, n: i32, act: i32, alpha: f32): void {
  let i = 0;
  if (act == RELU) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      // Lanes where z > 0 keep dy, others become 0.
      v128.store(dZ + o, v128.and(v128.load(dY + o), f32x4.gt(v128.load(Z + o), zero)));
    }
  } else if (act == LINEAR) {
    if (dZ != dY) memory.copy(dZ, dY, <usize>n << 2);
    return;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dZ + o, backward1(load<f32>(dY + o), load<f32>(Z + o), load<f32>(Y + o), act, alpha));
  }
}

/** Y = softmax(Z) per row of (rows, cols), max-subtracted for stability; Y may alias Z. */
export function softmaxForward(Y: usize, Z: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const z = Z + (<usize>r * <usize>cols << 2);
    const y = Y + (<usize>r * <usize>cols << 2);
    let m = -Infinity as f32;
    for (let c = 0; c < cols; c++) m = Mathf.max(m, load<f32>(z + (<usize>c << 2)));
    let s: f32 = 0;
    for (let c = 0; c < cols; c++) {
      const e = Mathf.exp(load<f32>(z + (<usize>c << 2)) - m);
      store<f32>(y + (<usize>c << 2), e);
      s += e;
    }
    const inv: f32 = 1 / s;
    for (let c = 0; c < cols; c++) store<f32>(y + (<usize>c << 2), load<f32>(y + (<usize>c << 2)) * inv);
  }
}

/** dZ = Y ⊙ (dY − Σ_c dY·Y) per row; dZ may alias dY. */
export function softmaxBackward(dZ: usize, dY: usize, Y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * <usize>cols << 2;
    let dot: f32 = 0;
    for (let c = 0; c < cols; c++) dot += load<f32>(dY + off + (<usize>c << 2)) * load<f32>(Y + off + (<usize>c << 2));
    for (let c = 0; c < cols; c++) {
      const o = off + (<usize>c << 2);
      store<f32>(dZ + o, load<f32>(Y + o) * (load<f32>(dY + o) - dot));
    }
  }
}

// ---- the ReLU layer (Keras 3 ReLU, TF.js ThresholdedReLU) ------------------------------------
// f(x) = x > threshold ? min(x, maxValue) : negativeSlope·(x − threshold)
// f'(x) = x > threshold ? (x < maxValue ? 1 : 0) : negativeSlope
// (maxValue = +Infinity: no cap.) Keras 3's ReLU(max_value, negative_slope, threshold) with
// threshold ≥ 0, and TF.js's ThresholdedReLU(theta) with maxValue = ∞ and slope 0.

/** Y = f(X) elementwise, n elements. */
export function reluForward(Y: usize, X: usize, n: i32, maxValue: f32, negativeSlope: f32, threshold: f32): void {
  const vmax = f32x4.splat(maxValue), vslope = f32x4.splat(negativeSlope), vthr = f32x4.splat(threshold);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(X + o);
    const above = f32x4.gt(x, vthr);
    // The lanes above the threshold take min(x, max) — f32x4.min agrees with the scalar select
    // below for every non-NaN x; the others the slope line.
    v128.store(Y + o, v128.bitselect(f32x4.min(x, vmax), f32x4.mul(vslope, f32x4.sub(x, vthr)), above));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(X + o);
    store<f32>(Y + o, x > threshold ? (x < maxValue ? x : maxValue) : negativeSlope * (x - threshold));
  }
}

/** dX += dY·f'(X), n elements. */
export function reluBackward(dX: usize, dY: usize, X: usize, n: i32, maxValue: f32, negativeSlope: f32, threshold: f32): void {
  const vmax = f32x4.splat(maxValue), vslope = f32x4.splat(negativeSlope), vthr = f32x4.splat(threshold);
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(X + o);
    const g = v128.bitselect(v128.bitselect(one, zero, f32x4.lt(x, vmax)), vslope, f32x4.gt(x, vthr));
    v128.store(dX + o, f32x4.add(v128.load(dX + o), f32x4.mul(v128.load(dY + o), g)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(X + o);
    const g: f32 = x > threshold ? (x < maxValue ? 1 : 0) : negativeSlope;
    store<f32>(dX + o, load<f32>(dX + o) + load<f32>(dY + o) * g);
  }
}
