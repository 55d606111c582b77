//
// The one-core relaxed-SIMD peak that the relaxed build's GEMM is measured against: 12
// independent chains of f32x4.relaxed_madd (one FMA on x64 with FMA3 and on arm64), the one
// instruction the relaxed micro-kernel is made of. Twelve chains as in peak.ts: an FMA has 4–5
// cycles of latency and a core retires two per cycle, so ~10 must be in flight.
// Built with relaxed SIMD enabled (bench/peak.ts compiles it on demand); Node 20 runs it only
// with --experimental-wasm-relaxed-simd.

/** Runs `rounds` × 2 × 12 f32x4 fused multiply-adds; returns one lane so nothing is dead code. */
export function peakRelaxed(rounds: i32, seed: f32): f32 {
  const m = f32x4.splat(0.9999); // |m| < 1 and c small: values converge, no overflow or denormals
  const c = f32x4.splat(seed);
  let a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c;
  let a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
  for (let r = 0; r < rounds; r++) {
    a0 = f32x4.relaxed_madd(a0, m, c); a1 = f32x4.relaxed_madd(a1, m, c);
    a2 = f32x4.relaxed_madd(a2, m, c); a3 = f32x4.relaxed_madd(a3, m, c);
    a4 = f32x4.relaxed_madd(a4, m, c); a5 = f32x4.relaxed_madd(a5, m, c);
    a6 = f32x4.relaxed_madd(a6, m, c); a7 = f32x4.relaxed_madd(a7, m, c);
    a8 = f32x4.relaxed_madd(a8, m, c); a9 = f32x4.relaxed_madd(a9, m, c);
    a10 = f32x4.relaxed_madd(a10, m, c); a11 = f32x4.relaxed_madd(a11, m, c);
    a0 = f32x4.relaxed_madd(a0, m, c); a1 = f32x4.relaxed_madd(a1, m, c);
    a2 = f32x4.relaxed_madd(a2, m, c); a3 = f32x4.relaxed_madd(a3, m, c);
    a4 = f32x4.relaxed_madd(a4, m, c); a5 = f32x4.relaxed_madd(a5, m, c);
    a6 = f32x4.relaxed_madd(a6, m, c); a7 = f32x4.relaxed_madd(a7, m, c);
    a8 = f32x4.relaxed_madd(a8, m, c); a9 = f32x4.relaxed_madd(a9, m, c);
    a10 = f32x4.relaxed_madd(a10, m, c); a11 = f32x4.relaxed_madd(a11, m, c);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(a4, a5)),
    f32x4.add(f32x4.add(f32x4.add(a6, a7), f32x4.add(a8, a9)), f32x4.add(a10, a11)));
  return f32x4.extract_lane(s, 0);
}
