/**
 * The reference core's linear memory. Pointers are byte offsets as in wasm, so an element lives
 * at index `ptr >> 2`. Floats and int32 labels sit in two arrays indexed alike: in float32 mode
 * they share one buffer, in float64 mode (the gradient-check oracle) floats get their own
 * Float64Array, so every kernel runs unchanged in double precision.
 */
export interface Heap {
  f: Float32Array | Float64Array;
  i: Int32Array;
}
