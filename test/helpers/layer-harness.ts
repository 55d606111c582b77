/**
 * One layer on its own planned memory (a one-layer functional model's engine), run directly:
 * `forward(x, training)` returns y, so a test sees the training-mode output that a model only
 * feeds to its loss.
 */
import { backend } from '../../bindings/backend/index.js';
import { input, model, type Layer } from '../../bindings/index.js';

export function harness(layer: Layer, shape: number[], batch: number) {
  const be = backend();
  const x = input({ shape });
  const m = model({ inputs: x, outputs: layer.apply(x) });
  const e = m.engine, acts = e.prepare(batch);
  return {
    forward(values: ArrayLike<number>, training: boolean): Float32Array {
      be.write(acts.inputs[0], values);
      e.forward(batch, training);
      return be.read(acts.outputs[0], batch * layer.outputSize);
    },
    weight(name: string): Float32Array {
      const w = layer.weights.find((w) => w.name === name)!;
      return be.read(w.ptr, w.size);
    },
    /** gradCheck's mode: every node's masks repeat. */
    fixMasks() { e.fixMasks(); },
    dispose() { m.dispose(); },
  };
}
