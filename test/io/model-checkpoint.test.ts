/**
 * callbacks.modelCheckpoint saves during fit with Keras 3's semantics: every epoch, every N
 * batches, or only on improvement of `monitor` (here scripted, so the expected saves are known),
 * with {epoch} (1-based) and log keys formatted into the path.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Callback, ModelCheckpoint, callbacks, loadModel, ready, setSeed, type Logs } from '../../bindings/index.js';
import { formatPath } from '../../bindings/callbacks/model-checkpoint.js';
import { blobs, smallMlp } from '../helpers/models.js';

let dir: string;
beforeAll(async () => { await ready(); dir = await mkdtemp(join(tmpdir(), 'keelnet-ckpt-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** Overwrites logs[key] with the next scripted value at each epoch end (runs before the checkpoint). */
class Script extends Callback {
  private i = 0;
  constructor(private key: string, private values: number[]) { super(); }
  override async onEpochEnd(_epoch: number, logs: Logs = {}): Promise<void> { logs[this.key] = this.values[this.i++]; }
}

/** Copies of the weights at the end of every epoch (runs after the checkpoint). */
class Snapshots extends Callback {
  readonly weights: number[][][] = [];
  override async onEpochEnd(): Promise<void> { this.weights.push(this.model!.getWeights().map((w) => Array.from(w.dataSync()))); }
}

it('formats paths as Python str.format does', () => {
  const logs = { epoch: 3, loss: 0.123456, val_loss: 12.5, val_accuracy: 0.875 };
  expect(formatPath('file://ckpt/epoch-{epoch}', logs)).toBe('file://ckpt/epoch-3');
  expect(formatPath('e{epoch:02d}-{val_loss:.4f}-{loss:.2e}', logs)).toBe('e03-12.5000-1.23e-01');
  expect(formatPath('{val_accuracy:.1f}|{epoch:3d}|{loss}', logs)).toBe('0.9|  3|0.123456');
  expect(() => formatPath('{val_acc}', logs)).toThrow("modelCheckpoint: path field {val_acc} is not a log key; available: epoch, loss, val_loss, val_accuracy");
});

it('saveBestOnly saves exactly the epochs where the scripted val_loss improves, each with that epoch\'s weights', async () => {
  const model = smallMlp(1);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const { x, y } = blobs(48, 2);
  const script = [0.9, 0.7, 0.8, 0.7, 0.5, 0.6];
  const ckpt = callbacks.modelCheckpoint({ path: `file://${dir}/best/epoch-{epoch:02d}-{val_loss:.2f}`, saveBestOnly: true });
  const snaps = new Snapshots();
  await model.fit(x, y, { epochs: 6, batchSize: 16, verbose: 0, callbacks: [new Script('val_loss', script), ckpt, snaps] });
  // 0.9 (inf → 0.9), 0.7, no (0.8), no (0.7 is not < 0.7), 0.5, no.
  expect(ckpt.saved).toEqual([1, 2, 5].map((e) => `file://${dir}/best/epoch-0${e}-${script[e - 1].toFixed(2)}`));
  expect((await readdir(join(dir, 'best'))).sort()).toEqual(['epoch-01-0.90', 'epoch-02-0.70', 'epoch-05-0.50']);
  expect(ckpt.best).toBe(0.5);
  for (const e of [1, 2, 5]) {
    const saved = await loadModel(`file://${dir}/best/epoch-0${e}-${script[e - 1].toFixed(2)}`);
    expect(saved.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(snaps.weights[e - 1]);
  }
});

it("mode 'auto' maximizes accuracy-like keys; an initialValueThreshold must be beaten first", async () => {
  const saves: string[] = [];
  const fake = { stopTraining: false, name: 'fake', getWeights: () => [], setWeights: () => {}, save: async (p: string) => { saves.push(p); } };
  const ckpt = new ModelCheckpoint({ path: 'mem://{epoch}', saveBestOnly: true, monitor: 'val_accuracy', initialValueThreshold: 0.6 });
  ckpt.setModel(fake);
  await ckpt.onTrainBegin();
  for (const [e, v] of [0.5, 0.7, 0.65, 0.9].entries()) await ckpt.onEpochEnd(e, { val_accuracy: v });
  expect(saves).toEqual(['mem://2', 'mem://4']);
  // A new fit starts over.
  await ckpt.onTrainBegin();
  await ckpt.onEpochEnd(0, { val_accuracy: 0.61 });
  expect(saves).toEqual(['mem://2', 'mem://4', 'mem://1']);
});

it('without saveBestOnly it saves every epoch; a missing monitor warns once and saves nothing', async () => {
  const model = smallMlp(2);
  model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const { x, y } = blobs(32, 3);
  const every = callbacks.modelCheckpoint({ path: `file://${dir}/every/{epoch}` });
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const best = callbacks.modelCheckpoint({ path: `file://${dir}/never/{epoch}`, saveBestOnly: true });
  await model.fit(x, y, { epochs: 3, verbose: 0, callbacks: [every, best] });
  expect((await readdir(join(dir, 'every'))).sort()).toEqual(['1', '2', '3']);
  expect(best.saved).toEqual([]);
  expect(warn).toHaveBeenCalledTimes(1);
  expect(warn.mock.calls[0][0]).toMatch(/can save the best model only with 'val_loss' in the logs \(have: loss\)/);
  warn.mockRestore();
});

it('saveFreq: N saves every N batches, counting across epochs, with {batch} 1-based', async () => {
  setSeed(3);
  const model = smallMlp(3);
  model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const { x, y } = blobs(40, 4); // 3 batches of 16, 16, 8 per epoch
  const ckpt = callbacks.modelCheckpoint({ path: `file://${dir}/freq/e{epoch}-b{batch}`, saveFreq: 2 });
  await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, callbacks: [ckpt] });
  expect(ckpt.saved.map((p) => p.slice(p.lastIndexOf('/') + 1))).toEqual(['e1-b2', 'e2-b1', 'e2-b3']);
});

it('bad arguments are clear errors', () => {
  expect(() => callbacks.modelCheckpoint({} as never)).toThrow(/modelCheckpoint: path is required/);
  expect(() => callbacks.modelCheckpoint({ path: 'file://x', saveFreq: 0 })).toThrow("modelCheckpoint: saveFreq must be 'epoch' or a positive integer, got 0");
  expect(() => callbacks.modelCheckpoint({ path: 'file://x', mode: 'up' as never })).toThrow(/modelCheckpoint: mode must be 'auto', 'min' or 'max'/);
  expect(() => new ModelCheckpoint({ path: 'file://x' }).setModel({ stopTraining: false, name: 'm', getWeights: () => [], setWeights: () => {} })).toThrow('modelCheckpoint: the model has no save()');
});
