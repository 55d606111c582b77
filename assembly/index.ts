// The wasm core: every kernel, re-exported. Kernels take raw pointers into this module's memory;
// the JS side owns allocation (bindings/backend/memory.ts), starting at heapBase().
import { scratchEnd } from './kernels/gemm';
export * from './kernels/elementwise';
export { gemmStrided, wholeACapacity, gemmTileRows } from './kernels/gemm';
export * from './kernels/gemm-halves';
export * from './kernels/bias';
export * from './kernels/activations';
export * from './kernels/losses';
export * from './kernels/metrics';
export * from './kernels/optimizers';
export * from './kernels/norms';
export * from './kernels/regularizers';
export * from './kernels/stats';
export * from './kernels/prelu';
export * from './kernels/normalization';
export * from './kernels/dropout';
export * from './kernels/conv';
export * from './kernels/pooling';
export * from './kernels/recurrent';
export * from './kernels/merge';
export * from './kernels/layout';
export * from './kernels/depthwise';

/** First byte above static data and the packing scratch of `threads` threads: where the JS allocator may start. */
export function heapBase(threads: i32): usize {
  return scratchEnd(threads);
}
