/**
 * The kernels a ThreadPool splits over its threads (pool.ts). For each: the argument positions of
 * its buffers (a 0 there means "none" and stays 0) and of n.
 * - Element-wise kernels (memory helpers, activations, clipping, every optimizer update): each
 *   element's result depends on that element alone, so blocks of whole f32x4, computed by
 *   whichever thread claims them, give bitwise what one call gives.
 * - Reductions (`combine`): one fixed slice per thread, each returning its own result, which the
 *   caller adds up (or takes the maximum of) in slice order. Counts and maxima are exact; the f64
 *   sums add in another order than one thread does, so they agree to a few f64 ulps (about 1e-15
 *   relative), and always split the same way for a given thread count, so repeated runs agree bitwise.
 * Dropout (a random stream by position) is not here.
 */
export interface SlicedSpec { buffers: readonly number[]; n: number; combine?: 'sum' | 'max' }

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
  sumSquares: { buffers: [0], n: 1, combine: 'sum' },
  sumAbs: { buffers: [0], n: 1, combine: 'sum' },
  sum: { buffers: [0], n: 1, combine: 'sum' },
  sumSquaredDiff: { buffers: [0, 1], n: 2, combine: 'sum' },
  countOutside: { buffers: [0], n: 1, combine: 'sum' },
  countNonFinite: { buffers: [0], n: 1, combine: 'sum' },
  maxAbs: { buffers: [0], n: 1, combine: 'max' },
} as const satisfies Record<string, SlicedSpec>;

export type SlicedName = keyof typeof SLICED;

/** The kernels in a fixed order: a call names its kernel by index in here (the worker source has the same list). */
export const SLICED_NAMES = Object.keys(SLICED) as SlicedName[];

/** Most arguments any of them takes (rmspropUpdate, adamUpdate: 11). */
export const MAX_ARGS = 11;
