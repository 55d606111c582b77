/**
 * The element-wise kernels a ThreadPool runs on equal slices of their buffers (pool.ts): memory
 * helpers, activations, clipping and every optimizer update. Each element's result depends on
 * that element alone, so slices of whole f32x4 give bitwise what one call gives. For each
 * kernel: the argument positions of its buffers (a 0 there means "none" and stays 0) and of n.
 * Dropout (a random stream by position) and reductions (sums over all of n) are not here.
 */
export interface SlicedSpec { buffers: readonly number[]; n: number }

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
} as const satisfies Record<string, SlicedSpec>;

export type SlicedName = keyof typeof SLICED;

/** The kernels in a fixed order: a call names its kernel by index in here (the worker source has the same list). */
export const SLICED_NAMES = Object.keys(SLICED) as SlicedName[];

/** Most arguments any of them takes (rmspropUpdate, adamUpdate: 11). */
export const MAX_ARGS = 11;
