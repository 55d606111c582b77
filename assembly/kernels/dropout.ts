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
