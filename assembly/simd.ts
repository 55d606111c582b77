// Small SIMD helpers shared by the kernels.

/**
 * a·b + c on four lanes. The relaxed build (build/keelnet-relaxed.wasm, `--enable relaxed-simd`)
 * uses f32x4.relaxed_madd, which V8 turns into one fused multiply-add where the CPU has FMA
 * (rounded once) and a multiply then an add elsewhere; the SIMD128 build always does the latter
 * (rounded twice). So each multiply-add may differ in its last bit between the builds, and a sum
 * of K of them within the usual float32 bound (~K·2⁻²⁴ relative), which the parity tests allow.
 */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Sum of the four lanes. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// Runs of n floats (conv's taps, pooling's channels): f32x4 first, then a scalar tail.

/** dst[i] = src[i], i < n. */
// @ts-ignore: decorator
@inline export function copyRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
    v128.store(dst + o, v128.load(src + o, 16), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

/** dst[i] += src[i], i < n. */
// @ts-ignore: decorator
@inline export function addRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** dst[i] = 0, i < n. */
// @ts-ignore: decorator
@inline export function zeroRun(dst: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}
