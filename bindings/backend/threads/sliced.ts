/**
 * The kernels a ThreadPool splits over its threads (pool.ts). For each: the argument positions of
 * its buffers (a 0 there means "none" and stays 0) and of n, the count it is split along.
 * - Element-wise kernels (memory helpers, activations, clipping, every optimizer update): each
 *   element's result depends on that element alone, so blocks of whole f32x4, computed by
 *   whichever thread claims them, give bitwise what one call gives.
 * - Per-image kernels (`unit`: im2col, col2im, pooling): n is the batch, and each image's part of every
 *   buffer (unit writes its floats per image, buffer by buffer) is read and written by that image
 *   alone, so blocks of whole images give bitwise what one call gives.
 * - Reductions (`combine`): one fixed slice per thread, each returning its own result, which the
 *   caller adds up (or takes the maximum of) in slice order. Counts and maxima are exact; the f64
 *   sums add in another order than one thread does, so they agree to a few f64 ulps (about 1e-15
 *   relative), and always split the same way for a given thread count, so repeated runs agree bitwise.
 * Dropout (a random stream by position) is not here.
 */
export interface SlicedSpec {
  buffers: readonly number[];
  n: number;
  combine?: 'sum' | 'max';
  /** Per-image kernels: writes into `out`, buffer by buffer, the floats of one image, from the arguments `a`. */
  unit?: (a: Float64Array, out: Int32Array) => void;
}

/**
 * Floats per image, from the arguments of im2col and col2im (…, batch, H, W, C, OH, OW, KH, KW, …):
 * of the input (H·W·C) and of the im2col matrix (OH·OW·KH·KW·C); and from those of the pooling
 * kernels (…, batch at p, H, W, C, OH, OW, …): of the input and of the output (OH·OW·C).
 */
const image = (a: Float64Array) => a[3] * a[4] * a[5];
const patches = (a: Float64Array) => a[6] * a[7] * a[8] * a[9] * a[5];
const poolIn = (a: Float64Array, p: number) => a[p + 1] * a[p + 2] * a[p + 3];
const poolOut = (a: Float64Array, p: number) => a[p + 4] * a[p + 5] * a[p + 3];

export const SLICED = {
  fill: { buffers: [0], n: 2 },
  copy: { buffers: [0, 1], n: 2 },
  addInto: { buffers: [0, 1], n: 2 },
  scale: { buffers: [0], n: 2 },
  axpy: { buffers: [0, 1], n: 2 },
  clipByValue: { buffers: [0], n: 1 },
  activationForward: { buffers: [0, 1], n: 2 },
  activationBackward: { buffers: [0, 1, 2, 3], n: 4 },
  sgdUpdate: { buffers: [0, 1, 2], n: 3 },
  adamUpdate: { buffers: [0, 1, 2, 3, 4], n: 5 },
  rmspropUpdate: { buffers: [0, 1, 2, 3, 4], n: 5 },
  adagradUpdate: { buffers: [0, 1, 2], n: 3 },
  // (C, P, rows, N, bias, relu): by rows; every block adds the whole bias.
  addHalves: { buffers: [0, 1, 4], n: 2, unit: (a, out) => { out[0] = out[1] = a[3]; out[2] = 0; } },
  sumSquares: { buffers: [0], n: 1, combine: 'sum' },
  sumAbs: { buffers: [0], n: 1, combine: 'sum' },
  sum: { buffers: [0], n: 1, combine: 'sum' },
  sumSquaredDiff: { buffers: [0, 1], n: 2, combine: 'sum' },
  countOutside: { buffers: [0], n: 1, combine: 'sum' },
  countNonFinite: { buffers: [0], n: 1, combine: 'sum' },
  maxAbs: { buffers: [0], n: 1, combine: 'max' },
  // (col, X, batch, H, W, C, OH, OW, KH, KW, …) and (dX, dcol, batch, …): by images.
  im2col: { buffers: [0, 1], n: 2, unit: (a, out) => { out[0] = patches(a); out[1] = image(a); } },
  col2im: { buffers: [0, 1], n: 2, unit: (a, out) => { out[0] = image(a); out[1] = patches(a); } },
  // (Y, Arg, X, batch, H, W, C, OH, OW, …): Arg counts within each image.
  maxPoolForward: { buffers: [0, 1, 2], n: 3, unit: (a, out) => { out[0] = out[1] = poolOut(a, 3); out[2] = poolIn(a, 3); } },
  // (dX, dY, Arg, batch, inSize, outSize)
  maxPoolBackward: { buffers: [0, 1, 2], n: 3, unit: (a, out) => { out[0] = a[4]; out[1] = out[2] = a[5]; } },
  // (Y, X, batch, H, W, C, OH, OW, …) and (dX, dY, batch, …)
  avgPoolForward: { buffers: [0, 1], n: 2, unit: (a, out) => { out[0] = poolOut(a, 2); out[1] = poolIn(a, 2); } },
  avgPoolBackward: { buffers: [0, 1], n: 2, unit: (a, out) => { out[0] = poolIn(a, 2); out[1] = poolOut(a, 2); } },
} as const satisfies Record<string, SlicedSpec>;

export type SlicedName = keyof typeof SLICED;

/** The kernels in a fixed order: a call names its kernel by index in here (the worker source has the same list). */
export const SLICED_NAMES = Object.keys(SLICED) as SlicedName[];

/** Most arguments any of them takes (im2col, col2im: 16). */
export const MAX_ARGS = 16;

/**
 * Into `out`: the arguments `args` of a kernel (its buffers at positions `buffers`, its count at
 * `n`) cut to the part that starts s0 units in and is `count` units long. Buffer j moves
 * perUnit[perAt + j] floats a unit (1 for an element-wise kernel); a buffer of 0 stays 0. The
 * pool and its workers share it: worker-source.ts writes this function's source into its code,
 * so it must use nothing from outside.
 */
export function partArgs(out: Float64Array, args: Float64Array, buffers: readonly number[], n: number,
  perUnit: ArrayLike<number>, perAt: number, s0: number, count: number): void {
  out.set(args);
  for (let j = 0; j < buffers.length; j++) if (args[buffers[j]]) out[buffers[j]] = args[buffers[j]] + s0 * perUnit[perAt + j] * 4;
  out[n] = count;
}
