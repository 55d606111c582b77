/** Timing keelnet contenders (the twin of lib/tfjs.ts's timeTfjsFit). */
import type { Sequential } from '../../bindings/index.js';
import type { Tensor } from '../../bindings/tensor.js';

/** One shuffled, silent epoch of `model.fit` over x and y, timed. Returns [ms, mean loss]. */
export async function timeKeelnetFit(model: Sequential, x: Tensor, y: Tensor, batchSize: number): Promise<[number, number]> {
  const t0 = performance.now();
  const h = await model.fit(x, y, { epochs: 1, batchSize, shuffle: true, verbose: 0 });
  return [performance.now() - t0, h.history.loss[0]];
}
