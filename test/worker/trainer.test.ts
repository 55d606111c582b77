/**
 * createTrainer in Node (worker_threads): the same History and weights as model.fit on the main
 * thread (on one thread, and on two: the worker's own pool), callbacks on the calling thread,
 * stop(), and the worker-side callbacks' reports.
 */
import { isMainThread } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Callback, GradientReport, Sequential, callbacks, input, layers, model, optimizers, ready, setSeed, tensor, threadCount, type Logs, type Tensor } from '../../bindings/index.js';
import { createTrainer, type Trainer } from '../../bindings/worker/index.js';
import { randomArray } from '../helpers/close.js';
import { blobs, smallMlp } from '../helpers/models.js';

beforeAll(async () => { await ready(); });

const trainers: Trainer[] = [];
afterEach(async () => { while (trainers.length) await trainers.pop()!.terminate(); });
async function start(model: Sequential): Promise<Trainer> {
  const t = await createTrainer(model);
  trainers.push(t);
  return t;
}

function compiled(seed = 1): Sequential {
  const m = smallMlp(seed);
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const flat = (ws: Tensor[]) => ws.flatMap((w) => Array.from(w.values));

describe('trainer.fit', () => {
  it('a functional model with two inputs and two outputs: the worker rebuilds the graph and trains bitwise like model.fit', async () => {
    const make = () => {
      setSeed(5);
      const a = input({ shape: [4], name: 'a' }), b = input({ shape: [3], name: 'b' });
      const h = layers.concatenate({}).apply([layers.dense({ units: 6, activation: 'relu' }).apply(a), b]);
      const m = model({ inputs: [a, b], outputs: [layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h), layers.dense({ units: 1, name: 'reg' }).apply(h)] });
      m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: { cls: 'sparseCategoricalCrossentropy', reg: 'meanSquaredError' }, lossWeights: { cls: 1, reg: 0.5 }, metrics: { cls: ['accuracy'] } });
      return m;
    };
    const n = 60;
    const x = { a: tensor(randomArray(n * 4, 1), [n, 4]), b: tensor(randomArray(n * 3, 2), [n, 3]) };
    const y = [tensor(Int32Array.from({ length: n }, (_, i) => i % 3), [n]), tensor(randomArray(n, 3), [n, 1])];
    const options = { epochs: 2, batchSize: 16, shuffle: false, verbose: 0 as const };
    const main = make();
    const expected = await main.fit(x, y, options);
    const remote = make();
    const trainer = await createTrainer(remote);
    trainers.push(trainer);
    const history = await trainer.fit(x, y, options);
    expect(Object.keys(history.history)).toEqual(['loss', 'cls_loss', 'cls_accuracy', 'reg_loss']);
    for (const k of Object.keys(expected.history)) expect(history.history[k]).toEqual(expected.history[k]);
    expect(flat(remote.getWeights())).toEqual(flat(main.getWeights()));
  });

  it('trains like model.fit on the main thread: same History, same weights, copied back', async () => {
    const { x, y } = blobs(150, 3);
    const val = blobs(30, 4);
    const options = { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 as const, validationData: [val.x, val.y] as [Tensor, Tensor] };
    const main = compiled();
    const expected = await main.fit(x, y, options);
    const model = compiled();
    const before = flat(model.getWeights());
    const xBefore = Array.from(x.values);
    const trainer = await start(model);
    const history = await trainer.fit(x, y, options);
    expect(history.epoch).toEqual(expected.epoch);
    expect(history.params).toEqual(expected.params);
    expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    for (const k of Object.keys(expected.history)) expect(history.history[k]).toEqual(expected.history[k]);
    // The trained weights are in the model, and the caller's data is still there (copied, then transferred).
    expect(flat(model.getWeights())).toEqual(flat(main.getWeights()));
    expect(flat(model.getWeights())).not.toEqual(before);
    expect(Array.from(x.values)).toEqual(xBefore);
    expect(model.optimizer!.iterations).toBe(main.optimizer!.iterations);
    // A second fit continues from there, with the optimizer state the worker kept.
    const again = await trainer.fit(x, y, options);
    const expectedAgain = await main.fit(x, y, options);
    expect(again.history.loss).toEqual(expectedAgain.history.loss);
    expect(again.history.loss[2]).toBeLessThan(history.history.loss[0]);
  });

  it('on two threads: the worker runs a pool of its own and trains bitwise like model.fit on two threads', async () => {
    // 256-256-10 at batch 64: its gemms (4.2 M multiply-adds) and Adam update (68 k parameters) are split.
    const wide = () => {
      setSeed(11);
      const m = new Sequential([layers.dense({ units: 256, activation: 'relu', inputShape: [256] }), layers.dense({ units: 10, activation: 'softmax' })]);
      m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
      return m;
    };
    const x = tensor(randomArray(256 * 256, 5), [256, 256]), y = tensor(Int32Array.from({ length: 256 }, (_, i) => i % 10), [256]);
    const options = { epochs: 2, batchSize: 64, shuffle: false, verbose: 0 as const };
    await ready({ threads: 2 });
    try {
      const main = wide();
      const expected = await main.fit(x, y, options);
      const model = wide();
      const trainer = await start(model);
      expect([threadCount(), trainer.threads]).toEqual([2, 2]);
      const history = await trainer.fit(x, y, options);
      expect(history.history.loss).toEqual(expected.history.loss);
      expect(flat(model.getWeights())).toEqual(flat(main.getWeights()));
    } finally {
      await ready({ threads: 1 });
    }
    // On one thread the worker has no pool either.
    const trainer = await start(wide());
    expect(trainer.threads).toBe(1);
  });

  it('runs callbacks on the calling thread, at most once per batch, with the logs model.fit gives', async () => {
    const { x, y } = blobs(100, 5);
    const trainer = await start(compiled());
    const seen: string[] = [];
    const batchLogs: Logs[] = [];
    let onMain = true;
    const history = await trainer.fit(x, y, {
      epochs: 2, batchSize: 25, verbose: 0, validationSplit: 0.2,
      callbacks: {
        onTrainBegin: () => { seen.push('trainBegin'); },
        onEpochBegin: (e) => { seen.push(`epochBegin ${e}`); },
        onBatchEnd: (b, logs) => { onMain &&= isMainThread; seen.push(`batch ${b}`); batchLogs.push({ ...logs }); },
        onEpochEnd: (e, logs) => { seen.push(`epochEnd ${e} ${Object.keys(logs!).sort().join(',')}`); },
        onTrainEnd: () => { seen.push('trainEnd'); },
      },
    });
    expect(onMain).toBe(true);
    // 80 training samples in batches of 25: 4 steps per epoch.
    expect(seen).toEqual([
      'trainBegin',
      'epochBegin 0', 'batch 0', 'batch 1', 'batch 2', 'batch 3', 'epochEnd 0 accuracy,loss,val_accuracy,val_loss',
      'epochBegin 1', 'batch 0', 'batch 1', 'batch 2', 'batch 3', 'epochEnd 1 accuracy,loss,val_accuracy,val_loss',
      'trainEnd',
    ]);
    expect(batchLogs[3]).toMatchObject({ batch: 3, size: 5 });
    expect(batchLogs[3].loss).toBeCloseTo(history.history.loss[0], 12);
  });

  it('Callback subclasses drive the worker through their model: stopTraining, learning rate, weights', async () => {
    const { x, y } = blobs(120, 6);
    const model = compiled();
    const trainer = await start(model);
    class StopAtThree extends Callback {
      override async onBatchEnd(batch: number): Promise<void> { if (batch === 3) this.model!.stopTraining = true; }
    }
    const stopped = await trainer.fit(x, y, { epochs: 5, batchSize: 10, verbose: 0, callbacks: new StopAtThree() });
    expect(stopped.epoch).toEqual([0]);
    expect(model.optimizer!.iterations).toBe(4);

    const schedule = callbacks.learningRateScheduler((epoch) => 0.1 / (epoch + 1));
    const h = await trainer.fit(x, y, { epochs: 3, batchSize: 40, verbose: 0, callbacks: schedule });
    expect(h.history.learning_rate).toEqual([0.1, 0.05, 0.1 / 3]);
    expect(model.optimizer!.learningRate).toBeCloseTo(0.1 / 3, 12);

    // earlyStopping with restoreBestWeights reads and writes weights through the calling-side model.
    const es = callbacks.earlyStopping({ monitor: 'loss', patience: 0, restoreBestWeights: true, mode: 'max' });
    let afterEpoch0: number[] = [];
    class Recorder extends Callback {
      override async onEpochEnd(epoch: number): Promise<void> { if (epoch === 0) afterEpoch0 = flat(this.model!.getWeights()); }
    }
    const hs = await trainer.fit(x, y, { epochs: 4, batchSize: 40, verbose: 0, callbacks: [new Recorder(), es] });
    expect(hs.epoch).toEqual([0, 1]);
    expect(hs.history.loss[1]).toBeLessThan(hs.history.loss[0]);
    expect(afterEpoch0).toHaveLength(4 * 16 + 16 + 16 * 3 + 3);
    expect(flat(model.getWeights())).toEqual(afterEpoch0);
  });

  it('stop() stops after the current batch and keeps what was learned', async () => {
    const { x, y } = blobs(3000, 7);
    const model = compiled();
    const before = flat(model.getWeights());
    const trainer = await start(model);
    let batches = 0;
    const history = await trainer.fit(x, y, {
      epochs: 100, batchSize: 10, shuffle: false, verbose: 0,
      callbacks: { onBatchEnd: () => { if (++batches === 5) void trainer.stop(); } },
    });
    // The stop message lands while the worker waits for a batch's callback: it finishes that batch or the next.
    expect(batches).toBeGreaterThanOrEqual(5);
    expect(batches).toBeLessThanOrEqual(7);
    expect(history.epoch).toEqual([0]);
    expect(model.optimizer!.iterations).toBe(batches);
    expect(flat(model.getWeights())).not.toEqual(before);
    // What was learned is exactly those batches: the same steps on the main thread give the same weights.
    const main = compiled();
    let mainBatches = 0;
    const stopAt = batches;
    await main.fit(x, y, { epochs: 100, batchSize: 10, shuffle: false, verbose: 0, callbacks: { onBatchEnd: () => { if (++mainBatches === stopAt) main.stopTraining = true; } } });
    expect(flat(model.getWeights())).toEqual(flat(main.getWeights()));
  });

  it('gradientMonitor runs beside the model; its reports arrive on the calling thread', async () => {
    const { x, y } = blobs(200, 8);
    const model = compiled();
    const [first, second] = model.layers.map((l) => l.name);
    const trainer = await start(model);
    const reports: { status: string; advice: string[]; step: number; isReport: boolean }[] = [];
    const monitor = callbacks.gradientMonitor({ every: 5, onReport: (r, at) => reports.push({ status: r.status, advice: r.advice, step: at.step, isReport: r instanceof GradientReport }) });
    const norms: number[] = [];
    const history = await trainer.fit(x, y, {
      epochs: 2, batchSize: 20, verbose: 0,
      callbacks: [monitor, { onBatchEnd: (_b, logs) => { if (logs![`gradNorm/${first}`] !== undefined) norms.push(logs![`gradNorm/${first}`]); } }],
    });
    expect(reports.map((r) => r.step)).toEqual([0, 5, 10, 15]);
    expect(reports.every((r) => r.isReport && r.status === 'healthy' && Array.isArray(r.advice))).toBe(true);
    expect(norms).toHaveLength(4);
    expect(norms.every((n) => n > 0 && Number.isFinite(n))).toBe(true);
    expect(monitor.records.map((r) => r.step)).toEqual([0, 5, 10, 15]);
    expect(monitor.last).toBeInstanceOf(GradientReport);
    expect(monitor.last!.layers.map((l) => l.name)).toEqual([first, second]);
    expect(history.history[`gradNorm/${first}`]).toHaveLength(2);
  });

  it('builds a model without an input shape from the data, on both threads', async () => {
    const model = new Sequential([layers.dense({ units: 8, activation: 'relu' }), layers.dense({ units: 3, activation: 'softmax' })]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const trainer = await start(model);
    const { x, y } = blobs(60, 9);
    await trainer.fit(x, y, { epochs: 1, verbose: 0 });
    expect(model.built).toBe(true);
    expect(model.inputShape).toEqual([4]);
    expect(model.predict(tensor(new Float32Array(8), [2, 4])).shape).toEqual([2, 3]);
  });
});
