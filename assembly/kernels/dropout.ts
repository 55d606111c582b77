// Inverted dropout with a counter-based mask. Element i is dropped when
// hash(seed + i·GOLDEN) < threshold, so the mask is a pure function of (seed, i): the same on the
// wasm and js cores, the same for the SIMD body and the scalar tail, and reproducible from the
// one 32-bit seed the layer draws per forward pass. The kept elements are scaled by `scale`.
import { madd } from '../simd';

/** ⌊2³²/φ⌋: consecutive indices land far apart in the hash's input (a Weyl sequence). */
const GOLDEN: u32 = 0x9e3779b9;
/** lowbias32 (Chris Wellons' hash prospector): a bijection on u32 with good avalanche. */
const M1: u32 = 0x7feb352d;
const M2: u32 = 0x846ca68b;

/** The mask hash of element i for this seed (the reference core has the same function). */
// @ts-ignore: decorator
@inline function dropoutHash(seed: u32, i: u32): u32 {
  let x: u32 = seed + i * GOLDEN;
  x ^= x >>> 16;
  x *= M1;
  x ^= x >>> 15;
  x *= M2;
  x ^= x >>> 16;
  return x;
}

/** dropoutHash on four lanes of u32 indices. */
// @ts-ignore: decorator
@inline function dropoutHash4(seed: v128, i: v128): v128 {
  let x = i32x4.add(seed, i32x4.mul(i, i32x4.splat(<i32>GOLDEN)));
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(<i32>M1));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(<i32>M2));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

/**
 * Mask[i] = dropoutHash(seed, i) ≥ threshold ? scale : 0; Y[i] = X[i]·Mask[i], for i < n.
 * threshold = ⌊rate·2³²⌋ (unsigned) drops a fraction `rate`; scale = 1/(1 − rate).
 */
export function dropoutForward(Y: usize, Mask: usize, X: usize, n: i32, seed: u32, threshold: u32, scale: f32): void {
  const vseed = i32x4.splat(<i32>seed), vthreshold = i32x4.splat(<i32>threshold), vscale = f32x4.splat(scale);
  const four = i32x4.splat(4);
  let index = i32x4(0, 1, 2, 3);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    // ge_u gives all-ones lanes where kept: AND with the scale's bits leaves scale or +0.
    const m = v128.and(i32x4.ge_u(dropoutHash4(vseed, index), vthreshold), vscale);
    v128.store(Mask + o, m);
    v128.store(Y + o, f32x4.mul(v128.load(X + o), m));
    index = i32x4.add(index, four);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const m: f32 = dropoutHash(seed, <u32>i) >= threshold ? scale : 0;
    store<f32>(Mask + o, m);
    store<f32>(Y + o, load<f32>(X + o) * m);
  }
}

/** dX[i] += dY[i]·Mask[i], with the Mask the forward pass wrote. */
export function dropoutBackward(dX: usize, dY: usize, Mask: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dX + o, madd(v128.load(dY + o), v128.load(Mask + o), v128.load(dX + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dX + o, load<f32>(dX + o) + load<f32>(dY + o) * load<f32>(Mask + o));
  }
}

// ---- masks and noise for SpatialDropout, GaussianNoise, GaussianDropout --------------------------

/** Mask[i] = dropoutHash(seed, i) ≥ threshold ? scale : 0: dropoutForward's mask alone (SpatialDropout's per-channel mask). */
export function dropoutMask(Mask: usize, n: i32, seed: u32, threshold: u32, scale: f32): void {
  for (let i = 0; i < n; i++) store<f32>(Mask + (<usize>i << 2), dropoutHash(seed, <u32>i) >= threshold ? scale : 0);
}

/**
 * Y (batch, positions, C)[b, p, c] = X[b, p, c]·Mask (batch, C)[b, c], or += when accumulate = 1:
 * SpatialDropout's forward (X the input) and backward (X = dY, Y = dX).
 */
export function channelScale(Y: usize, X: usize, Mask: usize, batch: i32, positions: i32, C: i32, accumulate: i32): void {
  for (let b = 0; b < batch; b++) {
    const m = Mask + (<usize>(b * C) << 2);
    for (let p = 0; p < positions; p++) {
      const row = <usize>((b * positions + p) * C) << 2;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const o = <usize>c << 2, prod = f32x4.mul(v128.load(X + row + o), v128.load(m + o));
        v128.store(Y + row + o, accumulate ? f32x4.add(v128.load(Y + row + o), prod) : prod);
      }
      for (; c < C; c++) {
        const o = <usize>c << 2, prod = load<f32>(X + row + o) * load<f32>(m + o);
        store<f32>(Y + row + o, accumulate ? load<f32>(Y + row + o) + prod : prod);
      }
    }
  }
}

const LN2: f64 = 0.6931471805599453;
const SQRT2: f64 = 1.4142135623730951;
const HALF_PI: f64 = 1.5707963267948966;

/**
 * ln(v) for v = h + 0.5, h a u32, from + − × ÷ only (no libm), so that the js core computes the
 * same bits: v = m·2ᵉ with m in [√½, √2), ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| < 0.172,
 * by 8 terms of its series (truncation < 1e-14 relative).
 */
function lnHalfUp(h: u32): f64 {
  const v = <f64>h + 0.5;
  if (h == 0) return -LN2;
  let e = 31 - <i32>clz(h);
  let m = v / <f64>(<u64>1 << <u64>e);
  if (m > SQRT2) { m = m / 2; e += 1; }
  const s = (m - 1) / (m + 1), s2 = s * s;
  let p: f64 = 1.0 / 17;
  for (let k = 7; k >= 0; k--) p = p * s2 + 1.0 / <f64>(2 * k + 1);
  return 2 * s * p + <f64>e * LN2;
}

/**
 * A standard normal draw for element i (Box–Muller from two hashed uniforms): u1 = (h1 + ½)/2³²
 * in (0, 1), radius √(−2 ln u1); the angle's quadrant is h2's top 2 bits and its offset
 * θ = π/2·(low 30 bits + ½)/2³⁰, with cos θ and sin θ by 10 nested Taylor terms (< 1e-16 on [0, π/2]).
 */
function gaussianAt(seed: u32, i: u32): f64 {
  const h1 = dropoutHash(seed, i << 1), h2 = dropoutHash(seed, (i << 1) | 1);
  const r = Math.sqrt(-2 * (lnHalfUp(h1) - 32 * LN2));
  const t = HALF_PI * ((<f64>(h2 & 0x3fffffff) + 0.5) / 1073741824.0), t2 = t * t;
  let c: f64 = 1, s: f64 = 1;
  for (let k = 10; k >= 1; k--) {
    c = 1 - t2 * c / <f64>((2 * k - 1) * (2 * k));
    s = 1 - t2 * s / <f64>((2 * k) * (2 * k + 1));
  }
  s *= t;
  const q = h2 >>> 30;
  return r * (q == 0 ? c : q == 1 ? -s : q == 2 ? -c : s);
}

/** Y[i] = f32(mean + stddev·zᵢ), zᵢ a standard normal draw that is a pure function of (seed, i). */
export function gaussianFill(Y: usize, n: i32, seed: u32, mean: f64, stddev: f64): void {
  for (let i = 0; i < n; i++) store<f32>(Y + (<usize>i << 2), <f32>(mean + stddev * gaussianAt(seed, <u32>i)));
}
