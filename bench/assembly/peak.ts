//
// The one-core WASM SIMD peak that GEMM is measured against: 12 independent chains of
// f32x4.mul then f32x4.add — the two instructions GEMM's micro-kernel is made of.
// Why 12: a chain step is mul→add (about 5–6 cycles of latency) and a core retires about two
// mul+add pairs per cycle, so ~10–12 chains must be in flight to keep the FP ports busy.
// Measured here (Node 20, Zen 5): 8 chains 35, 10 chains 42, 12 chains 48 GFLOP/s; 14 chains
// spill (14 accumulators + 2 constants leave V8 no scratch xmm register) and drop to 27–38.
// A variant with the multiplies off the chain (acc += load·m, as in GEMM) topped out at the
// same ~47, so this loop does measure the FP ports, not latency.

/** Runs `rounds` × 2 × 12 f32x4 mul+add pairs; returns one lane so nothing is dead code. */
export function peak(rounds: i32, seed: f32): f32 {
  const m = f32x4.splat(0.9999); // |m| < 1 and c small: values converge, no overflow or denormals
  const c = f32x4.splat(seed);
  let a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c;
  let a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
  for (let r = 0; r < rounds; r++) {
    // Two steps per iteration so the loop counter and V8's stack-guard check are amortized.
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c); a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c); a11 = f32x4.add(f32x4.mul(a11, m), c);
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c); a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c); a11 = f32x4.add(f32x4.mul(a11, m), c);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(a4, a5)),
    f32x4.add(f32x4.add(f32x4.add(a6, a7), f32x4.add(a8, a9)), f32x4.add(a10, a11)));
  return f32x4.extract_lane(s, 0);
}
