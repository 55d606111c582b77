/** Keras-semantics callbacks, the NaN terminator and the gradient monitor. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, tensor, callbacks, optimizers, type Logs, type CallbackHooks } from '../../bindings/index.js';
import { blobs, smallMlp } from '../helpers/models.js';

beforeAll(async () => { await ready(); });

/** A callback that overwrites a log key with a scripted value per epoch (runs before the callback under test). */
const script = (key: string, values: number[]): CallbackHooks => ({ onEpochEnd: (e: number, logs?: Logs) => { logs![key] = values[e]; } });

function model(lr = 0.05) {
  const m = smallMlp(1);
  m.compile({ optimizer: optimizers.sgd({ learningRate: lr }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('earlyStopping', () => {
  const { x, y } = blobs(30, 1);
  it('stops after `patience` epochs without improvement and restores the best weights', async () => {
    const m = model();
    const seen: number[][][] = [];
    const record: CallbackHooks = { onEpochEnd: () => { seen.push(m.getWeights().map((w) => Array.from(w.dataSync()))); } };
    const es = callbacks.earlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true });
    const h = await m.fit(x, y, { epochs: 10, verbose: 0, callbacks: [record, script('val_loss', [5, 4, 3, 3.5, 3.6, 3.7, 3.8, 1, 1, 1]), es] });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(es.stoppedEpoch).toBe(4);
    expect(es.best).toBe(3);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(seen[2]);
  });

  it('minDelta, max mode for accuracy, and a missing monitor is a clear error', async () => {
    const m = model();
    const es = callbacks.earlyStopping({ monitor: 'val_accuracy', minDelta: 0.05, patience: 1 });
    expect(es.mode).toBe('max');
    const h = await m.fit(x, y, { epochs: 10, verbose: 0, callbacks: [script('val_accuracy', [0.5, 0.52, 0.53, 0.9]), es] });
    expect(h.epoch).toEqual([0, 1]);
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [callbacks.earlyStopping()] })).rejects.toThrow(/monitor 'val_loss' is not in the logs; available: loss, accuracy/);
  });
});

describe('learning rate callbacks', () => {
  const { x, y } = blobs(30, 2);
  it('reduceLROnPlateau multiplies the rate by factor after patience, then cools down', async () => {
    const m = model(0.1);
    const cb = callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, cooldown: 1, minLr: 0.02 });
    const h = await m.fit(x, y, { epochs: 8, verbose: 0, callbacks: [script('loss', [1, 1, 1, 1, 1, 1, 1, 1]), cb] });
    // Reduced after epochs 2 and 5 (patience 2, one cooldown epoch), floored at minLr.
    expect(h.history.learning_rate.map((v) => +v.toFixed(6))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]);
    expect(m.optimizer!.learningRate).toBeCloseTo(0.025, 10);
    expect(() => callbacks.reduceLROnPlateau({ factor: 1 })).toThrow(/factor must be in \(0, 1\), got 1/);
  });

  it('learningRateScheduler sets lr = schedule(epoch, lr) at each epoch start', async () => {
    const m = model(0.1);
    const h = await m.fit(x, y, { epochs: 4, verbose: 0, callbacks: [callbacks.learningRateScheduler((epoch, lr) => (epoch === 0 ? lr : lr / 2))] });
    expect(h.history.learning_rate).toEqual([0.1, 0.05, 0.025, 0.0125]);
    await expect(m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [callbacks.learningRateScheduler(() => NaN)] })).rejects.toThrow(/schedule returned NaN for epoch 0/);
  });
});

describe('terminateOnNaN', () => {
  it('stops at the first non-finite loss and names where it began', async () => {
    setSeed(3);
    const m = new Sequential([layers.dense({ units: 8, activation: 'relu', inputShape: [4] }), layers.dense({ units: 2 })]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 1e3 }), loss: 'mse' });
    const x = tensor(Float32Array.from({ length: 400 }, (_, i) => ((i * 37) % 11) - 5), [100, 4]);
    const y = tensor(Float32Array.from({ length: 200 }, (_, i) => ((i * 13) % 7) * 100), [100, 2]);
    const reports: unknown[] = [];
    const cb = callbacks.terminateOnNaN({ verbose: 0, onNaN: (r) => reports.push(r) });
    const h = await m.fit(x, y, { epochs: 50, batchSize: 10, verbose: 0, callbacks: [cb] });
    expect(cb.report).toBeDefined();
    expect(reports).toHaveLength(1);
    expect(h.epoch.length).toBeLessThan(50);
    expect(Number.isFinite(cb.report!.loss)).toBe(false);
    expect(cb.report!.activation ?? cb.report!.gradient).toMatch(/^dense/);
    expect(cb.report!.message).toMatch(/invalid loss (NaN|Infinity), terminating training; (activations|gradients) first non-finite in dense/);
  });
});

describe('gradientMonitor', () => {
  it('records per-layer gradient norms every N batches into logs and history', async () => {
    const { x, y } = blobs(60, 4);
    const m = model();
    const statuses: string[] = [];
    const mon = callbacks.gradientMonitor({ every: 2, onReport: (r) => statuses.push(r.status) });
    const h = await m.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0, callbacks: [mon] });
    expect(mon.records).toHaveLength(9); // 18 batches, every 2nd
    const names = m.layers.map((l) => l.name);
    expect(Object.keys(mon.records[0].gradNorms)).toEqual(names);
    for (const n of names) {
      expect(h.history[`gradNorm/${n}`]).toHaveLength(3);
      expect(h.history[`gradNorm/${n}`][0]).toBeGreaterThan(0);
    }
    expect(statuses.every((s) => s === 'healthy')).toBe(true);
    const w = mon.last!.layers[0].weights[0];
    expect(w.updateRatio).toBeGreaterThan(0);
    // The measured update is the one SGD applied: lr·‖g‖ / ‖w‖.
    expect(w.updateRatio!).toBeCloseTo(0.05 * w.gradNorm / w.weightNorm, 2);
    expect(() => callbacks.gradientMonitor({ every: 0 })).toThrow(/every must be a positive integer, got 0/);
  });
});
