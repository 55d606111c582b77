// Statistics for the gradient-health diagnostics: sums, saturation and dead-unit counts,
// and the distance between two buffers (the size of an optimizer update).

/** Σ x in f64. */
export function sum(X: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += <f64>load<f32>(X + (<usize>i << 2));
  return s;
}

/** Σ (a − b)² in f64. */
export function sumSquaredDiff(A: usize, B: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = <f64>load<f32>(A + (<usize>i << 2)) - <f64>load<f32>(B + (<usize>i << 2));
    s += d * d;
  }
  return s;
}

/** How many x fall outside [lo, hi] (x < lo or x > hi). */
export function countOutside(X: usize, n: i32, lo: f32, hi: f32): f64 {
  let c = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f32>(X + (<usize>i << 2));
    if (x < lo || x > hi) c++;
  }
  return <f64>c;
}

/** How many columns of Y (rows, cols) are ≤ 0 in every row: units dead for the whole batch. */
export function deadColumns(Y: usize, rows: i32, cols: i32): f64 {
  let dead = 0;
  for (let c = 0; c < cols; c++) {
    let alive = false;
    for (let r = 0; r < rows && !alive; r++) alive = load<f32>(Y + ((<usize>r * <usize>cols + <usize>c) << 2)) > 0;
    if (!alive) dead++;
  }
  return <f64>dead;
}

/** How many x are NaN or ±Infinity. */
export function countNonFinite(X: usize, n: i32): f64 {
  let c = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f32>(X + (<usize>i << 2));
    if (x - x != 0) c++;
  }
  return <f64>c;
}
