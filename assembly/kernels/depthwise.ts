// Depthwise convolution over im2col columns (DepthwiseConv2D, SeparableConv2D): each input
// channel c has its own M filters (the depth multiplier), so output channel c·M + m sums only
// its own channel's taps. col (rows, taps·C) holds the receptive fields in (tap, c) order, as
// im2col writes them; K (taps, C, M) is the Keras depthwise kernel [kh, kw, C, M] flattened.
// M = 1 (the common case) walks channels on f32x4; other M run scalar.

/** Y (rows, C·M)[r, c·M + m] = Σ_t col[r, t·C + c]·K[t, c, m] (Y overwritten). */
export function depthwiseForward(Y: usize, col: usize, K: usize, rows: i32, taps: i32, C: i32, M: i32): void {
  const CM = C * M;
  for (let r = 0; r < rows; r++) {
    const y = Y + (<usize>(r * CM) << 2), x = col + (<usize>(r * taps * C) << 2);
    for (let j = 0; j < CM; j++) store<f32>(y + (<usize>j << 2), 0);
    for (let t = 0; t < taps; t++) {
      const xt = x + (<usize>(t * C) << 2), kt = K + (<usize>(t * CM) << 2);
      let c = 0;
      if (M == 1) {
        for (; c + 4 <= C; c += 4) {
          const o = <usize>c << 2;
          v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(v128.load(xt + o), v128.load(kt + o))));
        }
      }
      for (; c < C; c++) {
        const v = load<f32>(xt + (<usize>c << 2));
        for (let m = 0; m < M; m++) {
          const o = <usize>(c * M + m) << 2;
          store<f32>(y + o, load<f32>(y + o) + v * load<f32>(kt + o));
        }
      }
    }
  }
}

/** dK (taps, C, M)[t, c, m] += Σ_r col[r, t·C + c]·dY[r, c·M + m]. */
export function depthwiseKernelGrad(dK: usize, col: usize, dY: usize, rows: i32, taps: i32, C: i32, M: i32): void {
  const CM = C * M;
  for (let r = 0; r < rows; r++) {
    const dy = dY + (<usize>(r * CM) << 2), x = col + (<usize>(r * taps * C) << 2);
    for (let t = 0; t < taps; t++) {
      const xt = x + (<usize>(t * C) << 2), kt = dK + (<usize>(t * CM) << 2);
      let c = 0;
      if (M == 1) {
        for (; c + 4 <= C; c += 4) {
          const o = <usize>c << 2;
          v128.store(kt + o, f32x4.add(v128.load(kt + o), f32x4.mul(v128.load(xt + o), v128.load(dy + o))));
        }
      }
      for (; c < C; c++) {
        const v = load<f32>(xt + (<usize>c << 2));
        for (let m = 0; m < M; m++) {
          const o = <usize>(c * M + m) << 2;
          store<f32>(kt + o, load<f32>(kt + o) + v * load<f32>(dy + o));
        }
      }
    }
  }
}

/** dcol (rows, taps·C)[r, t·C + c] = Σ_m dY[r, c·M + m]·K[t, c, m] (dcol overwritten; then col2im). */
export function depthwiseInputGrad(dcol: usize, dY: usize, K: usize, rows: i32, taps: i32, C: i32, M: i32): void {
  const CM = C * M;
  for (let r = 0; r < rows; r++) {
    const dy = dY + (<usize>(r * CM) << 2), d = dcol + (<usize>(r * taps * C) << 2);
    for (let t = 0; t < taps; t++) {
      const dt = d + (<usize>(t * C) << 2), kt = K + (<usize>(t * CM) << 2);
      let c = 0;
      if (M == 1) {
        for (; c + 4 <= C; c += 4) {
          const o = <usize>c << 2;
          v128.store(dt + o, f32x4.mul(v128.load(dy + o), v128.load(kt + o)));
        }
      }
      for (; c < C; c++) {
        let s: f32 = 0;
        for (let m = 0; m < M; m++) {
          const o = <usize>(c * M + m) << 2;
          s += load<f32>(dy + o) * load<f32>(kt + o);
        }
        store<f32>(dt + (<usize>c << 2), s);
      }
    }
  }
}
