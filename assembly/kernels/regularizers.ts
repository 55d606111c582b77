// Weight and activity penalties: L1 needs Σ|w| and g += a·sign(w); L2 reuses sumSquares and axpy.

/** Σ |x| in f64. */
export function sumAbs(X: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += <f64>Mathf.abs(load<f32>(X + (<usize>i << 2)));
  return s;
}

/** G[i] += a·sign(W[i]), sign(0) = 0 (the subgradient TensorFlow uses for |w| at 0). */
export function addScaledSign(G: usize, W: usize, n: i32, a: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const w = load<f32>(W + o);
    const s: f32 = w > 0 ? 1 : w < 0 ? -1 : 0;
    store<f32>(G + o, load<f32>(G + o) + a * s);
  }
}
