// Convolution over channels-last (NHWC) images, as im2col + the core GEMM.
//
// im2col gathers every receptive field into one row of a matrix, so that a convolution is one
// GEMM against the Keras kernel [KH, KW, C, F] read as a (KH·KW·C, F) matrix:
//   X (batch, H, W, C) → col (batch·OH·OW, KH·KW·C), columns in (ky, kx, c) order.
// Input position of output (oy, ox) and tap (ky, kx): iy = oy·SH − padTop + ky·DH,
// ix = ox·SW − padLeft + kx·DW; taps outside the image read 0 (zero padding). col2im is the
// adjoint: it scatters the rows back, adding into dX (backward passes accumulate).
// With a 1×1 kernel, stride 1 and padding (padTop, padLeft) the same pair is zeroPadding2d.
//
// Channels are contiguous in NHWC, so each tap moves a run of C floats; when the whole row of
// taps is inside the image and undilated, the run is KW·C floats. Runs move with f32x4.

/** dst[i] = src[i], i < n. */
// @ts-ignore: decorator
@inline function copyRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
    v128.store(dst + o, v128.load(src + o, 16), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

/** dst[i] += src[i], i < n. */
// @ts-ignore: decorator
@inline function addRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** dst[i] = 0, i < n. */
// @ts-ignore: decorator
@inline function zeroRun(dst: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/**
 * col (batch·OH·OW, KH·KW·C) = the receptive fields of X (batch, H, W, C), zeros where a tap
 * falls in the padding. Overwrites col.
 */
export function im2col(col: usize, X: usize, batch: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, padTop: i32, padLeft: i32): void {
  let dst = col;
  const run = <usize>C << 2;
  for (let b = 0; b < batch; b++) {
    const image = X + (<usize>b * <usize>H * <usize>W * <usize>C << 2);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const ix0 = ox * SW - padLeft;
        const rowInside = ix0 >= 0 && ix0 + (KW - 1) * DW < W;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * SH - padTop + ky * DH;
          if (iy < 0 || iy >= H) {
            zeroRun(dst, KW * C);
            dst += run * <usize>KW;
            continue;
          }
          const line = image + (<usize>iy * <usize>W * <usize>C << 2);
          if (rowInside && DW == 1) {
            copyRun(dst, line + (<usize>ix0 * run), KW * C);
            dst += run * <usize>KW;
            continue;
          }
          for (let kx = 0; kx < KW; kx++) {
            const ix = ix0 + kx * DW;
            if (ix < 0 || ix >= W) zeroRun(dst, C);
            else copyRun(dst, line + (<usize>ix * run), C);
            dst += run;
          }
        }
      }
    }
  }
}

/**
 * dX (batch, H, W, C) += the rows of dcol (batch·OH·OW, KH·KW·C) scattered back to their taps
 * (taps in the padding are dropped). Rows are walked in order, as the reference core does.
 */
export function col2im(dX: usize, dcol: usize, batch: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, padTop: i32, padLeft: i32): void {
  let src = dcol;
  const run = <usize>C << 2;
  for (let b = 0; b < batch; b++) {
    const image = dX + (<usize>b * <usize>H * <usize>W * <usize>C << 2);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const ix0 = ox * SW - padLeft;
        const rowInside = ix0 >= 0 && ix0 + (KW - 1) * DW < W;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * SH - padTop + ky * DH;
          if (iy < 0 || iy >= H) {
            src += run * <usize>KW;
            continue;
          }
          const line = image + (<usize>iy * <usize>W * <usize>C << 2);
          if (rowInside && DW == 1) {
            addRun(line + (<usize>ix0 * run), src, KW * C);
            src += run * <usize>KW;
            continue;
          }
          for (let kx = 0; kx < KW; kx++) {
            const ix = ix0 + kx * DW;
            if (ix >= 0 && ix < W) addRun(line + (<usize>ix * run), src, C);
            src += run;
          }
        }
      }
    }
  }
}
