/**
 * Central finite differences for gradient checks. Run them on `new JsBackend({ precision: 64 })`:
 * in float64 a step of 1e-5 leaves a truncation error near h²·f''' ≈ 1e-10 and a rounding error
 * near 1e-16·|f|/h ≈ 1e-11, so analytic and numeric gradients agree to about 1e-8 relative.
 */
export const FD_STEP = 1e-5;

/** ∂f/∂x[i] ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for every i; `x` is restored afterwards. */
export function numericGradient(f: (x: Float64Array) => number, x: Float64Array, h = FD_STEP): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    x[i] = xi + h;
    const up = f(x);
    x[i] = xi - h;
    const down = f(x);
    x[i] = xi;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/** A Float64Array from any array-like (the gradient checks perturb float64 copies of the inputs). */
export function f64(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs);
}
