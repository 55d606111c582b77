// Norms and clipping over flat buffers: the gradient-health kernels.

/** Σ x² in f64 lanes, so that a million squared gradients do not lose their small terms. */
export function sumSquares(X: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(X + (<usize>i << 2));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    acc0 = f64x2.add(acc0, f64x2.mul(lo, lo));
    acc1 = f64x2.add(acc1, f64x2.mul(hi, hi));
  }
  const acc = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const x = <f64>load<f32>(X + (<usize>i << 2));
    s += x * x;
  }
  return s;
}

/** max |x|; NaN when any element is NaN (f32.max propagates it). */
export function maxAbs(X: usize, n: i32): f64 {
  let m: f32 = 0;
  for (let i = 0; i < n; i++) m = Mathf.max(m, Mathf.abs(load<f32>(X + (<usize>i << 2))));
  return <f64>m;
}

/** x = min(max(x, −v), v). */
export function clipByValue(X: usize, n: i32, v: f32): void {
  const hi = f32x4.splat(v), lo = f32x4.splat(-v);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = X + (<usize>i << 2);
    v128.store(p, f32x4.min(f32x4.max(v128.load(p), lo), hi));
  }
  for (; i < n; i++) {
    const p = X + (<usize>i << 2);
    store<f32>(p, Mathf.min(Mathf.max(load<f32>(p), -v), v));
  }
}
