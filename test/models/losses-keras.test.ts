/**
 * Models compiled with each of the losses taken from Keras 3 (by TF.js name, Keras name or alias):
 * the whole-model gradient passes gradCheck, a few epochs of Adam lower the loss, and a wrong
 * name or option is an error that names it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, losses, ready, setSeed, tensor, gradCheck, optimizers, type Tensor } from '../../bindings/index.js';
import { getLoss } from '../../bindings/losses.js';
import { randomArray } from '../helpers/close.js';

beforeAll(async () => { await ready(); });

const N = 32, IN = 4, OUT = 3;
const x = tensor(randomArray(N * IN, 5), [N, IN]);

/** Targets a Dense layer can fit: a fixed linear map of x, shaped by `f`. */
function targets(f: (v: number, i: number) => number): Tensor {
  const W = randomArray(IN * OUT, 9), xs = x.dataSync(), t = new Float32Array(N * OUT);
  for (let n = 0; n < N; n++) for (let o = 0; o < OUT; o++) {
    let s = 0;
    for (let i = 0; i < IN; i++) s += xs[n * IN + i] * W[i * OUT + o];
    t[n * OUT + o] = f(s, n * OUT + o);
  }
  return tensor(t, [N, OUT]);
}
const softmaxRows = (t: Tensor) => {
  const v = t.dataSync().slice();
  for (let n = 0; n < N; n++) {
    const row = v.subarray(n * OUT, n * OUT + OUT), e = Array.from(row, (z) => Math.exp(2 * z)), s = e.reduce((a, b) => a + b);
    row.set(e.map((z) => z / s));
  }
  return tensor(v, [N, OUT]);
};
const oneHotArgmax = (t: Tensor) => {
  const v = t.dataSync(), o = new Float32Array(N * OUT);
  for (let n = 0; n < N; n++) { let k = 0; for (let c = 1; c < OUT; c++) if (v[n * OUT + c] > v[n * OUT + k]) k = c; o[n * OUT + k] = 1; }
  return tensor(o, [N, OUT]);
};

const CASES: { loss: string; activation: 'linear' | 'softmax' | 'softplus' | 'tanh'; y: () => Tensor }[] = [
  { loss: 'kld', activation: 'softmax', y: () => softmaxRows(targets((s) => s)) },
  { loss: 'hinge', activation: 'tanh', y: () => targets((s) => (s > 0 ? 1 : 0)) },
  { loss: 'squared_hinge', activation: 'linear', y: () => targets((s) => (s > 0 ? 1 : -1)) },
  { loss: 'categoricalHinge', activation: 'linear', y: () => oneHotArgmax(targets((s) => s)) },
  { loss: 'logcosh', activation: 'linear', y: () => targets((s) => 3 * s) },
  { loss: 'poisson', activation: 'softplus', y: () => targets((s) => Math.round(Math.exp(s))) },
  { loss: 'cosine_similarity', activation: 'linear', y: () => targets((s) => s) },
  { loss: 'mape', activation: 'linear', y: () => targets((s) => 2 + s) },
  { loss: 'msle', activation: 'softplus', y: () => targets((s) => Math.exp(s)) },
];

describe('a model compiled with each Keras 3 loss', () => {
  it.each(CASES.map((c) => [c.loss, c] as const))('%s: gradCheck passes and 30 epochs of Adam lower the loss', async (_, c) => {
    setSeed(3);
    const model = new Sequential([layers.dense({ units: OUT, activation: c.activation, inputShape: [IN] })]);
    model.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: c.loss });
    const y = c.y();
    expect(gradCheck(model, x, y).maxRelError).toBeLessThan(1e-4);
    const h = await model.fit(x, y, { epochs: 30, batchSize: 8, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss.every(Number.isFinite)).toBe(true);
    expect(loss[loss.length - 1]).toBeLessThan(0.8 * loss[0] + (c.loss === 'cosine_similarity' ? -0.2 : 0));
    // evaluate reports the same loss the kernel gives for the whole set.
    const ev = await model.evaluate(x, y, { batchSize: N });
    expect(Number.isFinite(ev.loss)).toBe(true);
  });
});

describe('loss names and options', () => {
  it('takes the TF.js name, the Keras function and class names, and the short aliases', () => {
    const same: [string, string][] = [
      ['kld', 'kullbackLeiblerDivergence'], ['KLD', 'kullbackLeiblerDivergence'], ['kl_divergence', 'kullbackLeiblerDivergence'],
      ['KLDivergence', 'kullbackLeiblerDivergence'], ['kullback_leibler_divergence', 'kullbackLeiblerDivergence'],
      ['squared_hinge', 'squaredHinge'], ['CategoricalHinge', 'categoricalHinge'], ['log_cosh', 'logcosh'], ['LogCosh', 'logcosh'],
      ['Poisson', 'poisson'], ['cosine_similarity', 'cosineSimilarity'], ['cosineProximity', 'cosineSimilarity'],
      ['mape', 'meanAbsolutePercentageError'], ['MAPE', 'meanAbsolutePercentageError'], ['mean_absolute_percentage_error', 'meanAbsolutePercentageError'],
      ['msle', 'meanSquaredLogarithmicError'], ['MeanSquaredLogarithmicError', 'meanSquaredLogarithmicError'],
    ];
    for (const [given, name] of same) expect(getLoss(given).name, given).toBe(name);
    expect(losses.hinge().name).toBe('hinge');
  });

  it('an unknown name lists the valid ones; an option the loss does not have is an error naming it', () => {
    expect(() => getLoss('hingee')).toThrow(/Unknown loss 'hingee'; valid names: .*squaredHinge/);
    expect(() => losses.hinge({ fromLogits: true })).toThrow(/hinge: fromLogits is not an option/);
    expect(() => losses.poisson({ delta: 2 })).toThrow(/poisson: delta is not an option/);
    expect(() => getLoss({ name: 'kld', fromLogits: true, delta: 1 } as never)).toThrow(/kullbackLeiblerDivergence: fromLogits/);
    const m = new Sequential([layers.dense({ units: 1, inputShape: [2] })]);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'cosine' })).toThrow(/Unknown loss 'cosine'/);
  });
});
