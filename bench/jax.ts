/**
 * jax-js (@jax-js/jax 0.1.25, JAX in JavaScript, generating wasm kernels) as a training
 * contender: the same MNIST MLP as bench/training.ts (784-500(relu)-10(softmax), sparse
 * categorical crossentropy, Adam 0.001 with Keras's defaults, batch 100), one jitted step:
 * valueAndGrad of the loss, then the Adam update of every parameter, all in one traced function.
 *
 * Its `wasm` device, as a user gets it in Node: jax-js starts its worker pool only where a global
 * `Worker` exists, so in Node it runs on one thread (REFERENCE.md). Reading an array's data
 * consumes it, so each step hands its outputs to the next one and only the loss is read; the
 * clock stops after the new parameters are ready (blockUntilReady).
 *
 * Adam, written out (Keras 3's form, as keelnet's): t += 1; α = lr·√(1−β2ᵗ)/(1−β1ᵗ);
 * m += (g − m)(1 − β1); v += (g² − v)(1 − β2); w −= α·m/(√v + ε). α is an argument, so the jitted
 * step is traced once.
 */
import { blockUntilReady, defaultDevice, init, jit, nn, numpy as np, valueAndGrad } from '@jax-js/jax';

type Params = { w1: np.Array; b1: np.Array; w2: np.Array; b2: np.Array };
const KEYS = ['w1', 'b1', 'w2', 'b2'] as const;
const B1 = 0.9, B2 = 0.999, EPS = 1e-7;

export interface JaxMlp {
  /** Mean loss of one step on these samples (the step is taken: it updates the weights). */
  step(x: Float32Array, labels: Int32Array): Promise<number>;
  /** Train `steps` batches of `batch` rows from x/labels (in order); returns [ms, mean loss of the last step]. */
  train(x: Float32Array, labels: Int32Array, steps: number): Promise<[number, number]>;
  dispose(): void;
}

let initialized: Promise<unknown> | undefined;

/**
 * A jax-js MLP with these initial weights (keelnet's getWeights order: kernel 784×500, bias
 * 500, kernel 500×10, bias 10) on the wasm device.
 */
export async function jaxMlp(initial: Float32Array[], dims: { input: number; hidden: number; classes: number; batch: number; lr: number }): Promise<JaxMlp> {
  await (initialized ??= init('wasm'));
  defaultDevice('wasm');
  const { input, hidden, classes, batch, lr } = dims;
  const shapes = { w1: [input, hidden], b1: [hidden], w2: [hidden, classes], b2: [classes] };
  let p = Object.fromEntries(KEYS.map((k, i) => [k, np.array(initial[i]).reshape(shapes[k])])) as Params;
  let m = Object.fromEntries(KEYS.map((k) => [k, np.zeros(shapes[k])])) as Params;
  let v = Object.fromEntries(KEYS.map((k) => [k, np.zeros(shapes[k])])) as Params;
  let t = 0;

  // Every jax-js function takes ownership of its array arguments: `.ref` where one is used again.
  const loss = (q: Params, x: np.Array, y: np.Array) => {
    const h = nn.relu(np.matmul(x, q.w1).add(q.b1));
    const logits = np.matmul(h, q.w2).add(q.b2);
    return nn.logSoftmax(logits).mul(y).sum().mul(-1 / batch);
  };
  const step = jit((q: Params, mq: Params, vq: Params, x: np.Array, y: np.Array, alpha: np.Array) => {
    const [value, g] = valueAndGrad(loss)({ w1: q.w1.ref, b1: q.b1.ref, w2: q.w2.ref, b2: q.b2.ref }, x, y);
    const next = {} as Params, nm = {} as Params, nv = {} as Params;
    for (const k of KEYS) {
      const gk = g[k];
      nm[k] = mq[k].ref.add(gk.ref.sub(mq[k]).mul(1 - B1));
      nv[k] = vq[k].ref.add(gk.ref.mul(gk).sub(vq[k]).mul(1 - B2));
      next[k] = q[k].sub(nm[k].ref.mul(alpha.ref).div(np.sqrt(nv[k].ref).add(EPS)));
    }
    alpha.dispose();
    return [value, next, nm, nv] as [np.Array, Params, Params, Params];
  });

  const oneStep = (xb: Float32Array, lb: Int32Array): np.Array => {
    t++;
    const alpha = lr * Math.sqrt(1 - B2 ** t) / (1 - B1 ** t);
    const x = np.array(xb).reshape([batch, input]);
    const y = nn.oneHot(np.array(lb, { dtype: np.int32 }), classes);
    const [value, next, nm, nv] = step(p, m, v, x, y, np.array([alpha]).reshape([]));
    p = next; m = nm; v = nv;
    return value;
  };

  return {
    async step(x, labels) {
      const value = oneStep(x.subarray(0, batch * input), labels.subarray(0, batch));
      return (await value.data())[0];
    },
    async train(x, labels, steps) {
      const t0 = performance.now();
      let last: np.Array | undefined;
      for (let s = 0; s < steps; s++) {
        last?.dispose();
        last = oneStep(x.subarray(s * batch * input, (s + 1) * batch * input), labels.subarray(s * batch, (s + 1) * batch));
      }
      await blockUntilReady([p.w1.ref, p.b1.ref, p.w2.ref, p.b2.ref]).then((a) => a.forEach((r) => r.dispose()));
      const ms = performance.now() - t0;
      return [ms, (await last!.data())[0]];
    },
    dispose() {
      for (const tr of [p, m, v]) for (const k of KEYS) tr[k].dispose();
      step.dispose();
    },
  };
}
