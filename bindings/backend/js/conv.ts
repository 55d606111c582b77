// im2col and col2im over channels-last images, reference twins of assembly/kernels/conv.ts.
// X, dX (batch, H, W, C); col, dcol (batch·OH·OW, KH·KW·C), columns in (ky, kx, c) order.
import type { Heap } from './heap.js';

export function im2col(h: Heap, col: number, X: number, batch: number, H: number, W: number, C: number, OH: number, OW: number,
  KH: number, KW: number, SH: number, SW: number, DH: number, DW: number, padTop: number, padLeft: number): void {
  const f = h.f, x = X >> 2;
  let d = col >> 2;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * SH - padTop + ky * DH;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * SW - padLeft + kx * DW;
            const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
            const s = x + ((b * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) f[d++] = inside ? f[s + c] : 0;
          }
        }
      }
    }
  }
}

export function col2im(h: Heap, dX: number, dcol: number, batch: number, H: number, W: number, C: number, OH: number, OW: number,
  KH: number, KW: number, SH: number, SW: number, DH: number, DW: number, padTop: number, padLeft: number): void {
  const f = h.f, dx = dX >> 2;
  let s = dcol >> 2;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * SH - padTop + ky * DH;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * SW - padLeft + kx * DW;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
              const d = dx + ((b * H + iy) * W + ix) * C;
              for (let c = 0; c < C; c++) f[d + c] += f[s + c];
            }
            s += C;
          }
        }
      }
    }
  }
}
