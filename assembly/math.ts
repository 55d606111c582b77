// Scalar math shared by the kernels (not kernels themselves, so index.ts does not export them);
// the reference core's twins are in bindings/backend/js/scalar.ts.

/** Numerically stable logistic function. */
// @ts-ignore: decorator
@inline export function sigmoidf(z: f32): f32 {
  if (z >= 0) return 1 / (1 + Mathf.exp(-z));
  const e = Mathf.exp(z);
  return e / (1 + e);
}

/**
 * erf in f64, accurate to ~1e-15, so that gelu's forward and backward agree to float64
 * precision in the gradient checks: the Taylor series below 2, a 60-term continued fraction
 * for erfc above. The reference core uses the same formula.
 */
export function erf64(x: f64): f64 {
  const a = Math.abs(x);
  if (a < 2) {
    const x2 = x * x;
    let term = x, sum = x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / <f64>n;
      const t = term / <f64>(2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return sum * 1.1283791670955126; // 2/√π
  }
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + (<f64>k * 0.5) / f;
  const r = 1 - Math.exp(-a * a) * 0.5641895835477563 / f; // 1/√π
  return x < 0 ? -r : r;
}
