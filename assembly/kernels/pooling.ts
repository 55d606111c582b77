// 2-D pooling over channels-last (NHWC) images. X, dX (batch, H, W, C); Y, dY, Arg (batch, OH, OW, C).
// Window (oy, ox) covers iy = oy·SH − padTop + ky, ix = ox·SW − padLeft + kx for ky < PH,
// kx < PW; taps in the padding are ignored, as TensorFlow does: max pooling never picks them and
// average pooling divides by the number of taps inside the image. Global pooling is the same
// kernels with one window the size of the image.
// Channels are contiguous, so every tap updates a run of C outputs: f32x4 over channels.
import { addRun, zeroRun } from '../simd';

/**
 * Y = the maximum over each window; Arg (int32) = the element index within its image (H·W·C
 * elements) of the first maximum in tap order (ky, then kx). Counting from the image, not the
 * batch, leaves every image's outputs independent of the others: a thread pool can run any run
 * of images on its own.
 */
export function maxPoolForward(Y: usize, Arg: usize, X: usize, batch: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  PH: i32, PW: i32, SH: i32, SW: i32, padTop: i32, padLeft: i32): void {
  const lanes = i32x4(0, 1, 2, 3);
  for (let b = 0; b < batch; b++) {
    const imageIndex = b * H * W * C;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const out = <usize>(((b * OH + oy) * OW + ox) * C) << 2;
        const y = Y + out, arg = Arg + out;
        let first = true;
        for (let ky = 0; ky < PH; ky++) {
          const iy = oy * SH - padTop + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < PW; kx++) {
            const ix = ox * SW - padLeft + kx;
            if (ix < 0 || ix >= W) continue;
            const index = (iy * W + ix) * C;
            const x = X + (<usize>(imageIndex + index) << 2);
            let c = 0;
            if (first) {
              for (; c + 4 <= C; c += 4) {
                const o = <usize>c << 2;
                v128.store(y + o, v128.load(x + o));
                v128.store(arg + o, i32x4.add(i32x4.splat(index + c), lanes));
              }
              for (; c < C; c++) {
                const o = <usize>c << 2;
                store<f32>(y + o, load<f32>(x + o));
                store<i32>(arg + o, index + c);
              }
              first = false;
              continue;
            }
            for (; c + 4 <= C; c += 4) {
              const o = <usize>c << 2;
              const v = v128.load(x + o), m = v128.load(y + o);
              const gt = f32x4.gt(v, m);
              v128.store(y + o, v128.bitselect(v, m, gt));
              v128.store(arg + o, v128.bitselect(i32x4.add(i32x4.splat(index + c), lanes), v128.load(arg + o), gt));
            }
            for (; c < C; c++) {
              const o = <usize>c << 2;
              const v = load<f32>(x + o);
              if (v > load<f32>(y + o)) {
                store<f32>(y + o, v);
                store<i32>(arg + o, index + c);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * dX[image b][Arg[i]] += dY[i] for each output i of image b: images of inSize (H·W·C) elements in
 * dX and outSize (OH·OW·C) in dY and Arg.
 */
export function maxPoolBackward(dX: usize, dY: usize, Arg: usize, batch: i32, inSize: i32, outSize: i32): void {
  for (let b = 0; b < batch; b++) {
    const dx = dX + (<usize>(b * inSize) << 2), out = <usize>(b * outSize) << 2;
    for (let i = 0; i < outSize; i++) {
      const o = out + (<usize>i << 2);
      const p = dx + (<usize>load<i32>(Arg + o) << 2);
      store<f32>(p, load<f32>(p) + load<f32>(dY + o));
    }
  }
}

/** Number of taps of a window that fall inside the image, one axis: i0 + k in [0, size) for k < P. */
// @ts-ignore: decorator
@inline function inside(i0: i32, P: i32, size: i32): i32 {
  const lo = max(i0, 0), hi = min(i0 + P, size);
  return hi > lo ? hi - lo : 0;
}

/** Y = the mean over each window of the taps inside the image. */
export function avgPoolForward(Y: usize, X: usize, batch: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  PH: i32, PW: i32, SH: i32, SW: i32, padTop: i32, padLeft: i32): void {
  for (let b = 0; b < batch; b++) {
    const image = X + (<usize>(b * H * W * C) << 2);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const y = Y + (<usize>(((b * OH + oy) * OW + ox) * C) << 2);
        zeroRun(y, C);
        for (let ky = 0; ky < PH; ky++) {
          const iy = oy * SH - padTop + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < PW; kx++) {
            const ix = ox * SW - padLeft + kx;
            if (ix < 0 || ix >= W) continue;
            addRun(y, image + (<usize>((iy * W + ix) * C) << 2), C);
          }
        }
        const count = <f32>(inside(oy * SH - padTop, PH, H) * inside(ox * SW - padLeft, PW, W));
        const n4 = f32x4.splat(count);
        let c = 0;
        for (; c + 4 <= C; c += 4) {
          const o = <usize>c << 2;
          v128.store(y + o, f32x4.div(v128.load(y + o), n4));
        }
        for (; c < C; c++) {
          const o = <usize>c << 2;
          store<f32>(y + o, load<f32>(y + o) / count);
        }
      }
    }
  }
}

/** dX += dY/count spread over each window's taps inside the image. */
export function avgPoolBackward(dX: usize, dY: usize, batch: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  PH: i32, PW: i32, SH: i32, SW: i32, padTop: i32, padLeft: i32): void {
  for (let b = 0; b < batch; b++) {
    const image = dX + (<usize>(b * H * W * C) << 2);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const dy = dY + (<usize>(((b * OH + oy) * OW + ox) * C) << 2);
        const count = <f32>(inside(oy * SH - padTop, PH, H) * inside(ox * SW - padLeft, PW, W));
        const n4 = f32x4.splat(count);
        for (let ky = 0; ky < PH; ky++) {
          const iy = oy * SH - padTop + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < PW; kx++) {
            const ix = ox * SW - padLeft + kx;
            if (ix < 0 || ix >= W) continue;
            const x = image + (<usize>((iy * W + ix) * C) << 2);
            let c = 0;
            for (; c + 4 <= C; c += 4) {
              const o = <usize>c << 2;
              v128.store(x + o, f32x4.add(v128.load(x + o), f32x4.div(v128.load(dy + o), n4)));
            }
            for (; c < C; c++) {
              const o = <usize>c << 2;
              store<f32>(x + o, load<f32>(x + o) + load<f32>(dy + o) / count);
            }
          }
        }
      }
    }
  }
}
