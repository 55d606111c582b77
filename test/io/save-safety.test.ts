/**
 * model.save always settles and writes only what it says: /proc, /sys and /dev are refused up
 * front (Node's recursive mkdir loops forever in /proc), a hung filesystem call is cut off by a
 * time limit, stale temporaries (a FIFO, a planted link) neither block nor redirect the write,
 * and a layer name with '/' — which could not be loaded back — is refused before anything is
 * written.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LayersModel, Sequential, Tensor, layers, loadModel, ready, setSeed, tensor } from '../../bindings/index.js';
import { settleWithin } from '../../bindings/io/handlers.js';
import { randomArray } from '../helpers/close.js';

let root: string, model: Sequential;
const x = tensor(randomArray(2 * 3, 4), [2, 3]);
const predictions = (m: LayersModel) => Array.from((m.predict(x) as Tensor).dataSync());

beforeAll(async () => {
  await ready();
  root = await mkdtemp(join(tmpdir(), 'keelnet-save-'));
  setSeed(13);
  model = new Sequential([layers.dense({ units: 4, activation: 'tanh', inputShape: [3] }), layers.dense({ units: 2 })]);
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

/** The promise's outcome, or 'pending' if it has not settled within ms (so a hang fails the test instead of stalling it). */
async function outcome(p: Promise<unknown>, ms = 5000): Promise<Error | 'saved' | 'pending'> {
  return Promise.race([p.then(() => 'saved' as const, (e: Error) => e), new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

it('saving under /proc or /sys is refused at once with a clear error (before, under /proc it never settled)', async () => {
  for (const [target, folder] of [['file:///proc/keelnet-test/model', '/proc'], ['file:///proc/self/keelnet', '/proc'], ['file:///sys/keelnet-test/m', '/sys']]) {
    const result = await outcome(model.save(target));
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toBe(`save: '${target.slice('file://'.length)}' is in ${folder}, the kernel's virtual files, not a place for models; save to an ordinary folder`);
  }
});

it('/dev, and a link that leads into /proc, are refused the same way, and nothing is created there', async () => {
  const result = await outcome(model.save('file:///dev/keelnet-test/model'));
  expect((result as Error).message).toBe("save: '/dev/keelnet-test/model' is in /dev, the kernel's virtual files, not a place for models; save to an ordinary folder");
  await expect(stat('/dev/keelnet-test')).rejects.toThrow(/ENOENT/);
  await symlink('/proc', join(root, 'proc-link'));
  const linked = await outcome(model.save(`file://${root}/proc-link/keelnet/model`));
  expect((linked as Error).message).toBe(`save: '${root}/proc-link/keelnet/model' is in /proc, the kernel's virtual files, not a place for models; save to an ordinary folder`);
});

it('a save that does not finish in time is rejected naming the target (the time limit under every file save)', async () => {
  const never = new Promise<never>(() => {});
  const started = Date.now();
  await expect(settleWithin(never, 50, "save: writing to '/mnt/stuck/model'")).rejects.toThrow("save: writing to '/mnt/stuck/model' did not finish within 50 ms; the filesystem is not answering");
  expect(Date.now() - started).toBeLessThan(1000);
  // A save that finishes is not touched by it.
  await expect(settleWithin(Promise.resolve(7), 50, 'x')).resolves.toBe(7);
});

it('a stale temporary that is a FIFO neither blocks the save nor survives it', async () => {
  const dir = join(root, 'fifo');
  await mkdir(dir);
  execFileSync('mkfifo', [join(dir, 'weights.bin.tmp')]);
  expect(await outcome(model.save(`file://${dir}`))).toBe('saved');
  expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
  expect(predictions(await loadModel(`file://${dir}`))).toEqual(predictions(model));
});

it('a stale temporary that is a link does not redirect the write outside the folder', async () => {
  const dir = join(root, 'planted');
  await mkdir(dir);
  const victim = join(root, 'victim.txt');
  await writeFile(victim, 'keep me');
  await symlink(victim, join(dir, 'weights.bin.tmp'));
  await symlink(victim, join(dir, 'model.json.tmp'));
  expect(await outcome(model.save(`file://${dir}`))).toBe('saved');
  expect(await readFile(victim, 'utf8')).toBe('keep me');
  expect(predictions(await loadModel(`file://${dir}`))).toEqual(predictions(model));
});

it("a layer name with '/' is refused where the layer is made, as Keras does (before, it saved and could not be loaded back)", () => {
  expect(() => layers.dense({ units: 4, inputShape: [3], name: 'enc/dense' })).toThrow("Dense: name must be a non-empty string without '/' "
    + '(it separates the layer from the weight in saved weight names), got "enc/dense"');
  expect(() => layers.dense({ units: 3, name: '' })).toThrow(/Dense: name must be a non-empty string/);
  expect(() => layers.dense({ units: 3, name: 42 as never })).toThrow(/Dense: name must be a non-empty string without '\/' .*got 42/);
});

it("a file whose layer name has '/' (or is not a string) is refused at load, naming the layer", async () => {
  const dir = join(root, 'edited');
  await model.save(`file://${dir}`);
  const j = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  j.modelTopology.config.layers[1].config.name = 'a/b';
  await writeFile(join(dir, 'model.json'), JSON.stringify(j));
  await expect(loadModel(`file://${dir}`)).rejects.toThrow(`file://${dir}: layer 1 'a/b' (Dense): name "a/b" is not a layer name; it must be a non-empty string without '/'`);
  j.modelTopology.config.layers[1].config.name = 42;
  await writeFile(join(dir, 'model.json'), JSON.stringify(j));
  await expect(loadModel(`file://${dir}`)).rejects.toThrow(`file://${dir}: layer 1 (Dense): name 42 is not a layer name; it must be a non-empty string without '/'`);
});
