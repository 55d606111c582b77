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
