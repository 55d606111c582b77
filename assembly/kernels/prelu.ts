// PReLU: a leaky ReLU whose slope is learned per position. X, Y, dX, dY: (rows, cols);
// alpha, dAlpha: (cols). A slope shared over leading axes makes `cols` the slope's size and
// `rows` = batch × the shared positions, so one layout serves every supported sharedAxes.
// f32x4 over cols: each lane picks x or α·x with a compare mask (bitselect), no branches.

/** Y[r, c] = X[r, c] > 0 ? X[r, c] : alpha[c]·X[r, c]; Y may alias X. */
export function preluForward(Y: usize, X: usize, alpha: usize, rows: i32, cols: i32): void {
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * <usize>cols << 2;
    const x = X + row, y = Y + row;
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      const v = v128.load(x + o);
      v128.store(y + o, v128.bitselect(v, f32x4.mul(v128.load(alpha + o), v), f32x4.gt(v, zero)));
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      const v = load<f32>(x + o);
      store<f32>(y + o, v > 0 ? v : load<f32>(alpha + o) * v);
    }
  }
}

/**
 * dX[r, c] += X > 0 ? dY : alpha[c]·dY (skipped when dX = 0);
 * dAlpha[c] += Σ_r (X > 0 ? 0 : dY·X) (skipped when dAlpha = 0). Rows are walked in order,
 * the same order as the reference core, so both round the sums alike.
 */
export function preluBackward(dX: usize, dAlpha: usize, dY: usize, X: usize, alpha: usize, rows: i32, cols: i32): void {
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * <usize>cols << 2;
    const x = X + row, dy = dY + row, dx = dX + row;
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      const xv = v128.load(x + o), g = v128.load(dy + o);
      const pos = f32x4.gt(xv, zero);
      if (dX != 0) {
        v128.store(dx + o, f32x4.add(v128.load(dx + o), v128.bitselect(g, f32x4.mul(v128.load(alpha + o), g), pos)));
      }
      if (dAlpha != 0) {
        v128.store(dAlpha + o, f32x4.add(v128.load(dAlpha + o), v128.bitselect(zero, f32x4.mul(g, xv), pos)));
      }
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      const xv = load<f32>(x + o), g = load<f32>(dy + o);
      if (dX != 0) store<f32>(dx + o, load<f32>(dx + o) + (xv > 0 ? g : load<f32>(alpha + o) * g));
      if (dAlpha != 0) store<f32>(dAlpha + o, load<f32>(dAlpha + o) + (xv > 0 ? 0 : g * xv));
    }
  }
}
