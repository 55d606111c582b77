// 2-D pooling over channels-last images, reference twins of assembly/kernels/pooling.ts.
// X, dX (batch, H, W, C); Y, dY, Arg (batch, OH, OW, C); taps in the padding are ignored.
import type { Heap } from './heap.js';

export function maxPoolForward(h: Heap, Y: number, Arg: number, X: number, batch: number, H: number, W: number, C: number,
  OH: number, OW: number, PH: number, PW: number, SH: number, SW: number, padTop: number, padLeft: number): void {
  const f = h.f, ints = h.i, x = X >> 2;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const out = ((b * OH + oy) * OW + ox) * C, y = (Y >> 2) + out, arg = (Arg >> 2) + out;
        let first = true;
        for (let ky = 0; ky < PH; ky++) {
          const iy = oy * SH - padTop + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < PW; kx++) {
            const ix = ox * SW - padLeft + kx;
            if (ix < 0 || ix >= W) continue;
            const index = (iy * W + ix) * C, image = b * H * W * C;
            for (let c = 0; c < C; c++) {
              const v = f[x + image + index + c];
              if (first || v > f[y + c]) { f[y + c] = v; ints[arg + c] = index + c; }
            }
            first = false;
          }
        }
      }
    }
  }
}

export function maxPoolBackward(h: Heap, dX: number, dY: number, Arg: number, batch: number, inSize: number, outSize: number): void {
  const f = h.f, ints = h.i;
  for (let b = 0; b < batch; b++) {
    const dx = (dX >> 2) + b * inSize, dy = (dY >> 2) + b * outSize, arg = (Arg >> 2) + b * outSize;
    for (let i = 0; i < outSize; i++) f[dx + ints[arg + i]] += f[dy + i];
  }
}

/** Taps of a window inside the image along one axis: i0 + k in [0, size) for k < P. */
function inside(i0: number, P: number, size: number): number {
  return Math.max(Math.min(i0 + P, size) - Math.max(i0, 0), 0);
}

export function avgPoolForward(h: Heap, Y: number, X: number, batch: number, H: number, W: number, C: number,
  OH: number, OW: number, PH: number, PW: number, SH: number, SW: number, padTop: number, padLeft: number): void {
  const f = h.f, x = X >> 2;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const y = (Y >> 2) + ((b * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) f[y + c] = 0;
        for (let ky = 0; ky < PH; ky++) {
          const iy = oy * SH - padTop + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < PW; kx++) {
            const ix = ox * SW - padLeft + kx;
            if (ix < 0 || ix >= W) continue;
            const s = x + ((b * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) f[y + c] += f[s + c];
          }
        }
        const count = inside(oy * SH - padTop, PH, H) * inside(ox * SW - padLeft, PW, W);
        for (let c = 0; c < C; c++) f[y + c] /= count;
      }
    }
  }
}

export function avgPoolBackward(h: Heap, dX: number, dY: number, batch: number, H: number, W: number, C: number,
  OH: number, OW: number, PH: number, PW: number, SH: number, SW: number, padTop: number, padLeft: number): void {
  const f = h.f, dx = dX >> 2;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const dy = (dY >> 2) + ((b * OH + oy) * OW + ox) * C;
        const count = inside(oy * SH - padTop, PH, H) * inside(ox * SW - padLeft, PW, W);
        for (let ky = 0; ky < PH; ky++) {
          const iy = oy * SH - padTop + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < PW; kx++) {
            const ix = ox * SW - padLeft + kx;
            if (ix < 0 || ix >= W) continue;
            const d = dx + ((b * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) f[d + c] += f[dy + c] / count;
          }
        }
      }
    }
  }
}
