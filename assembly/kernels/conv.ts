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
// taps is inside the image and undilated, the run is KW·C floats. Runs move with f32x4 (../simd).
import { addRun, copyRun, zeroRun } from '../simd';

/**
 * The walk im2col and col2im share: each row of col (batch·OH·OW rows of KH·KW·C floats)
 * against its taps in image (batch, H, W, C). Gather (scatter = false) copies the taps into the
 * row, zeros for taps in the padding; scatter adds the row back into the taps, dropping those in
 * the padding. Inlined with a constant flag, each export compiles to its own branch only.
 */
// @ts-ignore: decorator
@inline function walkReceptiveFields(scatter: bool, image0: usize, col: usize, batch: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, padTop: i32, padLeft: i32): void {
  let row = col;
  const run = <usize>C << 2;
  for (let b = 0; b < batch; b++) {
    const image = image0 + (<usize>b * <usize>H * <usize>W * <usize>C << 2);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const ix0 = ox * SW - padLeft;
        const rowInside = ix0 >= 0 && ix0 + (KW - 1) * DW < W;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * SH - padTop + ky * DH;
          if (iy < 0 || iy >= H) {
            if (!scatter) zeroRun(row, KW * C);
            row += run * <usize>KW;
            continue;
          }
          const line = image + (<usize>iy * <usize>W * <usize>C << 2);
          if (rowInside && DW == 1) {
            if (scatter) addRun(line + (<usize>ix0 * run), row, KW * C);
            else copyRun(row, line + (<usize>ix0 * run), KW * C);
            row += run * <usize>KW;
            continue;
          }
          for (let kx = 0; kx < KW; kx++) {
            const ix = ix0 + kx * DW;
            if (ix < 0 || ix >= W) {
              if (!scatter) zeroRun(row, C);
            } else if (scatter) addRun(line + (<usize>ix * run), row, C);
            else copyRun(row, line + (<usize>ix * run), C);
            row += run;
          }
        }
      }
    }
  }
}

/**
 * col (batch·OH·OW, KH·KW·C) = the receptive fields of X (batch, H, W, C), zeros where a tap
 * falls in the padding. Overwrites col.
 */
export function im2col(col: usize, X: usize, batch: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, padTop: i32, padLeft: i32): void {
  walkReceptiveFields(false, X, col, batch, H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, padTop, padLeft);
}

/**
 * dX (batch, H, W, C) += the rows of dcol (batch·OH·OW, KH·KW·C) scattered back to their taps
 * (taps in the padding are dropped). Rows are walked in order, as the reference core does.
 */
export function col2im(dX: usize, dcol: usize, batch: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, padTop: i32, padLeft: i32): void {
  walkReceptiveFields(true, dX, dcol, batch, H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, padTop, padLeft);
}
