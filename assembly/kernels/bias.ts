// Bias add and its gradient (column sums). Y, dY: (rows, cols); b, dB: (cols).

/** Y[r, c] += b[c]. */
export function biasAdd(Y: usize, b: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const y = Y + (<usize>r * <usize>cols << 2);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(b + o)));
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      store<f32>(y + o, load<f32>(y + o) + load<f32>(b + o));
    }
  }
}

/** dB[c] += Σ_r dY[r, c]. Rows are walked in order so each dB vector stays in a register-friendly stream. */
export function biasGrad(dB: usize, dY: usize, rows: i32, cols: i32): void {
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const o = <usize>c << 2;
    let acc = v128.load(dB + o);
    for (let r = 0; r < rows; r++) acc = f32x4.add(acc, v128.load(dY + (<usize>r * <usize>cols << 2) + o));
    v128.store(dB + o, acc);
  }
  for (; c < cols; c++) {
    const o = <usize>c << 2;
    let acc = load<f32>(dB + o);
    for (let r = 0; r < rows; r++) acc += load<f32>(dY + (<usize>r * <usize>cols << 2) + o);
    store<f32>(dB + o, acc);
  }
}
