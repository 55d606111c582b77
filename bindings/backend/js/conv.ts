// im2col and col2im over channels-last images, reference twins of assembly/kernels/conv.ts.
// X, dX (batch, H, W, C); col, dcol (batch·OH·OW, KH·KW·C), columns in (ky, kx, c) order.
import type { Heap } from './heap.js';

/**
 * The walk im2col and col2im share, as in the wasm core: each row of col against its taps in
 * the image. Gather (scatter = false) copies the taps into the row, zeros for taps in the
 * padding; scatter adds the row back into its taps, in row order, dropping those in the padding.
 */
function walkReceptiveFields(scatter: boolean, h: Heap, image: number, col: number, batch: number, H: number, W: number,
  C: number, OH: number, OW: number, KH: number, KW: number, SH: number, SW: number, DH: number, DW: number,
  padTop: number, padLeft: number): void {
  const f = h.f, x = image >> 2;
  let r = col >> 2;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * SH - padTop + ky * DH;
          for (let kx = 0; kx < KW; kx++, r += C) {
            const ix = ox * SW - padLeft + kx * DW;
            const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
            const t = x + ((b * H + iy) * W + ix) * C;
            if (!scatter) for (let c = 0; c < C; c++) f[r + c] = inside ? f[t + c] : 0;
            else if (inside) for (let c = 0; c < C; c++) f[t + c] += f[r + c];
          }
        }
      }
    }
  }
}

export function im2col(h: Heap, col: number, X: number, batch: number, H: number, W: number, C: number, OH: number, OW: number,
  KH: number, KW: number, SH: number, SW: number, DH: number, DW: number, padTop: number, padLeft: number): void {
  walkReceptiveFields(false, h, X, col, batch, H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, padTop, padLeft);
}

export function col2im(h: Heap, dX: number, dcol: number, batch: number, H: number, W: number, C: number, OH: number, OW: number,
  KH: number, KW: number, SH: number, SW: number, DH: number, DW: number, padTop: number, padLeft: number): void {
  walkReceptiveFields(true, h, dX, dcol, batch, H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, padTop, padLeft);
}
