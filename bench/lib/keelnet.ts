/** Timing keelnet contenders (the twin of lib/tfjs.ts's timeTfjsFit). */
import { callbacks, type LayersModel } from '../../bindings/index.js';
import type { Tensor } from '../../bindings/tensor.js';

/**
 * One shuffled epoch of `model.fit` over x and y, timed. Returns [ms, mean loss]. Silent
 * (verbose 0, no callbacks), or with `defaults` as users run it: verbose 1 (its epoch line) and a
 * callback with batch hooks (EarlyStopping watching the loss, which never stops these runs).
 */
export async function timeKeelnetFit(model: LayersModel, x: Tensor, y: Tensor, batchSize: number, defaults = false): Promise<[number, number]> {
  const t0 = performance.now();
  const h = await model.fit(x, y, defaults
    ? { epochs: 1, batchSize, shuffle: true, callbacks: [callbacks.earlyStopping({ monitor: 'loss', patience: 1000 })] }
    : { epochs: 1, batchSize, shuffle: true, verbose: 0 });
  return [performance.now() - t0, h.history.loss[0]];
}
