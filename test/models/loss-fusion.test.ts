/**
 * A softmax or sigmoid that ends the model — in a Dense, a Conv2D, an Activation layer, or a
 * TimeDistributed Dense — is fused into the crossentropy: the loss comes from the logits by
 * log-sum-exp, exact where probabilities would have been clipped at 1e-7.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, tensor, gradCheck, initializers } from '../../bindings/index.js';
import { expectClose, randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); });

const x = tensor(randomArray(4 * 3, 1), [4, 3]);
const y = tensor([0, 2, 1, 2], [4]);

function pair(scale: number) {
  const kernel = initializers.constant({ value: 0 });
  setSeed(1);
  const dense = new Sequential([layers.dense({ units: 3, activation: 'softmax', inputShape: [3], kernelInitializer: kernel })]);
  setSeed(1);
  const split = new Sequential([layers.dense({ units: 3, inputShape: [3], kernelInitializer: kernel }), layers.activation({ activation: 'softmax' })]);
  for (const m of [dense, split]) {
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    m.setWeights([tensor([scale, 0, 0, 0, scale, 0, 0, 0, -scale], [3, 3]), tensor([0, 0, 0], [3])]);
  }
  return { dense, split };
}

describe('loss fusion', () => {
  it('an Activation(softmax) output gives the Dense-softmax loss and gradients, and passes gradCheck', () => {
    const { dense, split } = pair(0.7);
    const a = dense.computeGradients(x, y), b = split.computeGradients(x, y);
    expect(b.loss).toBeCloseTo(a.loss, 6);
    a.grads.forEach((g, i) => expectClose(b.grads[i].dataSync(), g.dataSync(), { atol: 1e-6 }));
    expect(gradCheck(split, x, y).maxRelError).toBeLessThan(1e-5);
  });

  it('with huge logits the loss is exact (log-sum-exp), not capped by the 1e-7 probability clip', () => {
    const { split } = pair(400);
    const big = tensor([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0], [4, 3]);
    // Sample 0: logits (400, 0, 0), label 0 → loss 0; sample 2: logits (0, 0, -400), label 1 → log 2;
    // sample 1: logits (0, 400, 0), label 2 → 400 + log(1 + 2e^-400); sample 3 as sample 0 with label 2 → 400.
    const expected = (0 + 400 + Math.log(2) + 400) / 4;
    expect(split.computeGradients(big, y).loss).toBeCloseTo(expected, 3);
  });

  it('a TimeDistributed Dense softmax over a sequence and a Conv2D sigmoid output are fused too', () => {
    setSeed(2);
    const seq = new Sequential([
      layers.simpleRNN({ units: 4, returnSequences: true, inputShape: [3, 2] }),
      layers.timeDistributed({ layer: layers.dense({ units: 3, activation: 'softmax' }) }),
    ]);
    seq.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    expect(gradCheck(seq, tensor(randomArray(12, 3), [2, 3, 2]), tensor([0, 1, 2, 2, 1, 0], [2, 3])).maxRelError).toBeLessThan(1e-5);
    const conv = new Sequential([layers.conv2d({ filters: 2, kernelSize: 2, activation: 'sigmoid', inputShape: [3, 3, 1] })]);
    conv.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const t = tensor([1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1], [2, 2, 2, 2]);
    expect(gradCheck(conv, tensor(randomArray(18, 4), [2, 3, 3, 1]), t).maxRelError).toBeLessThan(1e-5);
  });
});
