// Layout layers (Permute, RepeatVector, Cropping2D, UpSampling2D): one strided copy moves every
// element of a view of up to four axes. Both sides are addressed by per-axis strides (in
// elements), so a stride of 0 repeats (RepeatVector's forward) or sums (its backward, accumulate),
// and an offset base pointer crops. Forward and backward are the same kernel with accumulate 0/1.

/**
 * For i0 < d0, i1 < d1, i2 < d2, i3 < d3, in that (row-major) order:
 * Y[i0·ys0 + i1·ys1 + i2·ys2 + i3·ys3] = (or += when accumulate = 1) X[i0·xs0 + … + i3·xs3].
 * Strides count elements; the innermost axis runs on f32x4 when both its strides are 1.
 * Element writes happen in that order, so a Y element hit several times (a 0 stride) sums
 * its terms in index order, on both cores.
 */
export function copyStrided(Y: usize, X: usize, d0: i32, d1: i32, d2: i32, d3: i32,
  ys0: i32, ys1: i32, ys2: i32, ys3: i32, xs0: i32, xs1: i32, xs2: i32, xs3: i32, accumulate: i32): void {
  // A 0 stride on the destination's innermost axis would make four lanes hit one element: scalar then.
  const contiguous = ys3 == 1 && xs3 == 1;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const y = Y + (<usize>(i0 * ys0 + i1 * ys1 + i2 * ys2) << 2);
        const x = X + (<usize>(i0 * xs0 + i1 * xs1 + i2 * xs2) << 2);
        let i3 = 0;
        if (contiguous) {
          if (accumulate) {
            for (; i3 + 4 <= d3; i3 += 4) {
              const o = <usize>i3 << 2;
              v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(x + o)));
            }
          } else {
            for (; i3 + 4 <= d3; i3 += 4) {
              const o = <usize>i3 << 2;
              v128.store(y + o, v128.load(x + o));
            }
          }
        }
        for (; i3 < d3; i3++) {
          const yo = y + (<usize>(i3 * ys3) << 2), xo = x + (<usize>(i3 * xs3) << 2);
          store<f32>(yo, accumulate ? load<f32>(yo) + load<f32>(xo) : load<f32>(xo));
        }
      }
    }
  }
}
