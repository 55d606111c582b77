/**
 * Metrics through the engine against Keras 3 (test/fixtures/metrics/keras-metrics.json, written by
 * keras_metrics.py beside it): an identity model outputs the fixture's predictions, so evaluate
 * and fit report exactly the metric of those predictions. Precision, recall and auc count over the
 * whole epoch (not a mean of per-batch values); the rest are means weighted by samples. Keys are
 * what the user asked for ('acc' → acc and val_acc).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, metrics, optimizers, ready, tensor, initializers, input, model as functionalModel, type MetricIdentifier } from '../../bindings/index.js';
import { computeMetric, finalizeMetric, getMetric } from '../../bindings/metrics.js';
import { getLoss } from '../../bindings/losses.js';
import { backendByName } from '../helpers/backends.js';
import { expectCloseNamed, runKernel } from '../helpers/kernel-run.js';

interface Fixture {
  keras: string; rows: number; cols: number; batch: number; yPred: number[]; yTrue: number[]; labels: number[];
  metrics: Record<string, { targets: 'binary' | 'onehot' | 'sparse'; epoch: number; batches: number[] }>;
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/metrics/keras-metrics.json', import.meta.url), 'utf8')) as Fixture;
const { rows: N, cols: C, batch: B } = fx;

/** The fixture's metric names as keelnet metrics. */
const IDS: Record<string, MetricIdentifier> = {
  precision: 'precision',
  'precision threshold=0.3': metrics.precision({ threshold: 0.3 }),
  recall: 'recall',
  auc: 'auc',
  'auc numThresholds=7': metrics.auc({ numThresholds: 7 }),
  binaryAccuracy: 'binary_accuracy',
  mae: 'mae',
  mse: 'mse',
  categoricalAccuracy: 'categoricalAccuracy',
  'topKCategoricalAccuracy k=2': metrics.topKCategoricalAccuracy({ k: 2 }),
  'sparseTopKCategoricalAccuracy k=2': metrics.sparseTopKCategoricalAccuracy({ k: 2 }),
};
const LOSS = { binary: 'binaryCrossentropy', onehot: 'categoricalCrossentropy', sparse: 'sparseCategoricalCrossentropy' } as const;
const oneHot = Float32Array.from({ length: N * C }, (_, i) => (fx.labels[Math.floor(i / C)] === i % C ? 1 : 0));
const targetsOf = (kind: 'binary' | 'onehot' | 'sparse') =>
  kind === 'binary' ? tensor(fx.yTrue, [N, C]) : kind === 'onehot' ? tensor(oneHot, [N, C]) : tensor(fx.labels, [N]);

beforeAll(async () => { await ready(); });

/** A linear Dense with identity weights: its output is its input, the fixture's predictions. */
function identityModel(kind: 'binary' | 'onehot' | 'sparse', ids: MetricIdentifier[], lr = 0) {
  const m = new Sequential([layers.dense({ units: C, inputShape: [C], useBias: false, kernelInitializer: initializers.identity() })]);
  m.compile({ optimizer: optimizers.sgd({ learningRate: lr }), loss: LOSS[kind], metrics: ids });
  return m;
}

describe('metrics on a batch, by kernel, against Keras 3 (each batch of 8, 8, 7 alone)', () => {
  describe.each(['wasm', 'js', 'js64'] as const)('%s', (beName) => {
    it.each(Object.entries(fx.metrics))('%s', async (name, ref) => {
      const be = await backendByName(beName);
      const m = getMetric(IDS[name], getLoss(LOSS[ref.targets]));
      ref.batches.forEach((want, b) => {
        const lo = b * B, hi = Math.min(N, lo + B), rows = hi - lo;
        const T = ref.targets === 'binary' ? fx.yTrue.slice(lo * C, hi * C) : ref.targets === 'onehot' ? oneHot.slice(lo * C, hi * C) : Int32Array.from(fx.labels.slice(lo, hi));
        const state = new Float64Array(m.stateSize);
        const r = runKernel(be, { P: fx.yPred.slice(lo * C, hi * C), T }, (be, p) => computeMetric(be, m, p.P, p.T, rows, C, state, 0));
        const got = m.stateSize ? finalizeMetric(m, state, 0) : r.value / rows;
        expectCloseNamed(`${name} batch ${b}`, [got], [want], { atol: 1e-6, rtol: 1e-6 });
      });
    });
  });
});

describe('metrics over an epoch through the engine, against Keras 3', () => {
  it('the fixture comes from Keras 3', () => { expect(fx.keras).toMatch(/^3\./); });

  it.each(Object.entries(fx.metrics))('%s: evaluate (batches of 8) gives Keras\'s epoch value', async (name, ref) => {
    const model = identityModel(ref.targets, [IDS[name]]);
    const logs = await model.evaluate(tensor(fx.yPred, [N, C]), targetsOf(ref.targets), { batchSize: B });
    const key = typeof IDS[name] === 'string' ? IDS[name] as string : (IDS[name] as { name: string }).name;
    expectCloseNamed(name, [logs[key]], [ref.epoch], { atol: name.startsWith('auc') ? 1e-4 : 1e-6, rtol: 1e-6 });
    // AUC in fact agrees to float32 rounding.
    if (name.startsWith('auc')) expectCloseNamed(name, [logs[key]], [ref.epoch], { atol: 1e-6, rtol: 0 });
  });

  it('counting metrics are not means of per-batch values: precision over the epoch differs from the mean of the batches', () => {
    const ref = fx.metrics.precision;
    const meanOfBatches = (ref.batches[0] * 8 + ref.batches[1] * 8 + ref.batches[2] * 7) / N;
    expect(Math.abs(meanOfBatches - ref.epoch)).toBeGreaterThan(1e-3);
  });

  it('fit (learning rate 0, no shuffle) reports the epoch totals under the keys asked for, val_ too', async () => {
    const ids: MetricIdentifier[] = ['acc', 'precision', metrics.recall({ name: 'rec' }), 'auc', 'mae'];
    const model = identityModel('binary', ids);
    const x = tensor(fx.yPred, [N, C]), y = targetsOf('binary');
    const h = await model.fit(x, y, { epochs: 2, batchSize: B, shuffle: false, verbose: 0, validationData: [x, y] });
    expect(Object.keys(h.history).sort()).toEqual(['acc', 'auc', 'loss', 'mae', 'precision', 'rec',
      'val_acc', 'val_auc', 'val_loss', 'val_mae', 'val_precision', 'val_rec']);
    const want = { acc: fx.metrics.binaryAccuracy.epoch, precision: fx.metrics.precision.epoch, rec: fx.metrics.recall.epoch, auc: fx.metrics.auc.epoch, mae: fx.metrics.mae.epoch };
    for (const [k, v] of Object.entries(want)) {
      for (const epoch of [0, 1]) {
        expectCloseNamed(k, [(h.history[k] as number[])[epoch]], [v], { atol: 1e-6, rtol: 1e-6 });
        expectCloseNamed(`val_${k}`, [(h.history[`val_${k}`] as number[])[epoch]], [v], { atol: 1e-6, rtol: 1e-6 });
      }
    }
  });

  it('trainOnBatch and onBatchEnd logs give the counting metrics from the totals so far', async () => {
    const model = identityModel('binary', ['precision']);
    const x = tensor(fx.yPred.slice(0, B * C), [B, C]), y = tensor(fx.yTrue.slice(0, B * C), [B, C]);
    expectCloseNamed('precision', [model.trainOnBatch(x, y).precision], [fx.metrics.precision.batches[0]], { atol: 1e-6, rtol: 1e-6 });
    const seen: number[] = [];
    await model.fit(tensor(fx.yPred, [N, C]), tensor(fx.yTrue, [N, C]), {
      batchSize: B, shuffle: false, verbose: 0, callbacks: { onBatchEnd: async (_: number, logs?: Record<string, number>) => { seen.push(logs!.precision); } },
    });
    expectCloseNamed('after batch 0', [seen[0]], [fx.metrics.precision.batches[0]], { atol: 1e-6, rtol: 1e-6 });
    expectCloseNamed('after the epoch', [seen[2]], [fx.metrics.precision.epoch], { atol: 1e-6, rtol: 1e-6 });
  });

  it("'acc' and Keras snake_case names with sparse labels: keys follow what was written", async () => {
    const model = identityModel('sparse', ['acc', 'sparse_top_k_categorical_accuracy']);
    const logs = await model.evaluate(tensor(fx.yPred, [N, C]), targetsOf('sparse'));
    expect(Object.keys(logs).sort()).toEqual(['acc', 'loss', 'sparse_top_k_categorical_accuracy']);
    // k = 5 (Keras's default) ≥ 3 classes: every row is a hit.
    expect(logs.sparse_top_k_categorical_accuracy).toBe(1);
  });
});

describe('counting metrics with several outputs and with positions', () => {
  it('two outputs keep their counts apart: out_a_auc and out_b_precision', async () => {
    const x = input({ shape: [C] });
    const identity = (name: string) => layers.dense({ units: C, useBias: false, kernelInitializer: initializers.identity(), name }).apply(x);
    const m = functionalModel({ inputs: x, outputs: [identity('out_a'), identity('out_b')] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: 'binaryCrossentropy', metrics: { out_a: ['auc', 'mae'], out_b: ['precision'] } });
    const y = tensor(fx.yTrue, [N, C]);
    const logs = await m.evaluate(tensor(fx.yPred, [N, C]), [y, y], { batchSize: B });
    expect(Object.keys(logs).sort()).toEqual(['loss', 'out_a_auc', 'out_a_loss', 'out_a_mae', 'out_b_loss', 'out_b_precision']);
    expectCloseNamed('out_a_auc', [logs.out_a_auc], [fx.metrics.auc.epoch], { atol: 1e-6, rtol: 0 });
    expectCloseNamed('out_a_mae', [logs.out_a_mae], [fx.metrics.mae.epoch], { atol: 1e-6, rtol: 1e-6 });
    expectCloseNamed('out_b_precision', [logs.out_b_precision], [fx.metrics.precision.epoch], { atol: 1e-6, rtol: 1e-6 });
  });

  it('an output with positions ([3, 1] per sample) counts every position, as Keras flattens', async () => {
    const m = new Sequential([
      layers.dense({ units: C, inputShape: [C], useBias: false, kernelInitializer: initializers.identity() }),
      layers.reshape({ targetShape: [C, 1] }),
    ]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: 'binaryCrossentropy', metrics: ['precision', 'recall', 'auc', 'mae'] });
    const logs = await m.evaluate(tensor(fx.yPred, [N, C]), tensor(fx.yTrue, [N, C, 1]), { batchSize: B });
    for (const k of ['precision', 'recall', 'auc', 'mae'] as const) expectCloseNamed(k, [logs[k]], [fx.metrics[k].epoch], { atol: 1e-6, rtol: 1e-6 });
  });
});

describe('metric names and errors', () => {
  const sce = getLoss('sparseCategoricalCrossentropy'), bce = getLoss('binaryCrossentropy');
  it('TF.js and Keras names resolve', () => {
    const kinds = (ids: string[], loss = bce) => ids.map((i) => getMetric(i, loss).kind);
    expect(kinds(['binaryAccuracy', 'binary_accuracy', 'acc', 'accuracy'])).toEqual(['binaryAccuracy', 'binaryAccuracy', 'binaryAccuracy', 'binaryAccuracy']);
    expect(kinds(['mae', 'MSE', 'mean_absolute_error', 'precision', 'Recall', 'AUC'])).toEqual(['meanAbsoluteError', 'meanSquaredError', 'meanAbsoluteError', 'precision', 'recall', 'auc']);
    expect(kinds(['acc', 'sparse_top_k_categorical_accuracy'], sce)).toEqual(['sparseCategoricalAccuracy', 'sparseTopKCategoricalAccuracy']);
    expect(getMetric('categorical_accuracy', getLoss('categoricalCrossentropy')).kind).toBe('categoricalAccuracy');
    expect(getMetric('top_k_categorical_accuracy', getLoss('categoricalCrossentropy')).k).toBe(5);
  });

  it('errors name the metric and the argument', () => {
    expect(() => getMetric('precission', bce)).toThrow(/Unknown metric 'precission'; valid names: .*precision/);
    expect(() => metrics.topKCategoricalAccuracy({ k: 0 })).toThrow(/topKCategoricalAccuracy: k must be a positive integer, got 0/);
    expect(() => metrics.auc({ numThresholds: 1 })).toThrow(/auc: numThresholds must be an integer > 1, got 1/);
    expect(() => metrics.precision({ threshold: 2 })).toThrow(/precision: threshold must be in \[0, 1\], got 2/);
    expect(() => getMetric({ name: 'auc', curve: 'PR' } as never, bce)).toThrow(/auc: unknown option 'curve' \(it takes numThresholds\)/);
    expect(() => getMetric({ name: 'mae', k: 3 }, bce)).toThrow(/meanAbsoluteError: unknown option 'k' \(it takes none\)/);
    expect(() => getMetric('categoricalAccuracy', sce)).toThrow(/takes class ids as targets.*use 'accuracy'/);
    expect(() => getMetric('top_k_categorical_accuracy', sce)).toThrow(/use sparseTopKCategoricalAccuracy/);
    expect(() => getMetric('sparseTopKCategoricalAccuracy', bce)).toThrow(/needs class ids as targets, but the loss binaryCrossentropy/);
    const m = new Sequential([layers.dense({ units: 2, inputShape: [2] })]);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['recal'] })).toThrow(/Unknown metric 'recal'/);
  });
});
