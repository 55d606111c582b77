/**
 * A model file never makes keelnet read outside the model's folder (or, over http, outside the
 * model.json's origin and folder), never reads more bytes than its manifest declares, and never
 * hangs on a special file. Refusals name the file and the path, and never print the size or
 * content of a file outside the folder.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { LayersModel, Sequential, Tensor, layers, loadModel, ready, setSeed, tensor } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';

let root: string, good: string, model: Sequential;
/** A fresh copy of the good model's files (model.json, weights.bin) in root/case-N/model. */
let dir: string;
let n = 0;
const WEIGHT_BYTES = 4 * (4 * 8 + 8 + 8 * 3 + 3); // 268
const x = tensor(randomArray(2 * 4, 3), [2, 4]);
const predictions = (m: LayersModel) => Array.from((m.predict(x) as Tensor).dataSync());

beforeAll(async () => {
  await ready();
  root = await mkdtemp(join(tmpdir(), 'keelnet-safety-'));
  good = join(root, 'good');
  setSeed(11);
  model = new Sequential([
    layers.dense({ units: 8, activation: 'relu', inputShape: [4], name: 'hidden' }),
    layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
  ], { name: 'guarded' });
  await model.save(`file://${good}`);
  expect((await readFile(join(good, 'weights.bin'))).byteLength).toBe(WEIGHT_BYTES);
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });
beforeEach(async () => {
  dir = join(root, `case-${n++}`, 'model');
  await mkdir(dir, { recursive: true });
  await copyFile(join(good, 'model.json'), join(dir, 'model.json'));
  await copyFile(join(good, 'weights.bin'), join(dir, 'weights.bin'));
});

const jsonPath = () => join(dir, 'model.json');
async function setPaths(paths: unknown[]): Promise<void> {
  const j = JSON.parse(await readFile(jsonPath(), 'utf8'));
  j.weightsManifest[0].paths = paths;
  await writeFile(jsonPath(), JSON.stringify(j));
}
async function editJSON(edit: (j: any) => void): Promise<void> {
  const j = JSON.parse(await readFile(jsonPath(), 'utf8'));
  edit(j);
  await writeFile(jsonPath(), JSON.stringify(j));
}
const load = () => loadModel(`file://${jsonPath()}`);
const failure = (p: Promise<unknown>) => p.then(() => new Error('loaded'), (e: Error) => e);

it('a weights path that climbs out of the folder is refused, even when the outside file has exactly the right bytes', async () => {
  // A valid copy of the weights outside the folder: before, the model loaded from it.
  const elsewhere = join(dir, '..', 'elsewhere');
  await mkdir(elsewhere);
  await copyFile(join(good, 'weights.bin'), join(elsewhere, 'secret.bin'));
  await setPaths(['../elsewhere/secret.bin']);
  const err = await failure(load());
  expect(err.message).toBe(`${jsonPath()}: weights path '../elsewhere/secret.bin' leads outside the model's folder ${dir}; `
    + 'keelnet reads weights only from the folder of model.json and its subfolders');
  await setPaths(['sub/../../elsewhere/secret.bin']);
  await expect(load()).rejects.toThrow(`${jsonPath()}: weights path 'sub/../../elsewhere/secret.bin' leads outside the model's folder`);
});

it('absolute paths (/etc/passwd, /proc/self/environ, the outside copy) are refused without printing their size', async () => {
  const outside = join(dir, '..', 'copy.bin');
  await copyFile(join(good, 'weights.bin'), outside);
  for (const p of ['/etc/passwd', '/proc/self/environ', '/etc/shadow', outside]) {
    await setPaths([p]);
    const err = await failure(load());
    expect(err.message).toBe(`${jsonPath()}: weights path '${p}' is absolute; weights paths are relative to the folder of model.json`);
    expect(err.message).not.toMatch(/bytes|holds/);
  }
});

it('a symlink that resolves outside the folder is refused; one that stays inside is followed', async () => {
  const outside = join(dir, '..', 'outside.bin');
  await copyFile(join(good, 'weights.bin'), outside);
  await rm(join(dir, 'weights.bin'));
  await symlink(outside, join(dir, 'weights.bin'));
  const err = await failure(load());
  expect(err.message).toBe(`${jsonPath()}: weights path 'weights.bin' is a link that leads outside the model's folder ${dir}; `
    + 'keelnet reads weights only from the folder of model.json and its subfolders');
  // A link to /etc/passwd: same refusal, no size, no content.
  await rm(join(dir, 'weights.bin'));
  await symlink('/etc/passwd', join(dir, 'weights.bin'));
  const passwd = await failure(load());
  expect(passwd.message).toContain("weights path 'weights.bin' is a link that leads outside the model's folder");
  expect(passwd.message).not.toMatch(/bytes|root:/);
  // A link inside the folder is fine.
  await rm(join(dir, 'weights.bin'));
  await mkdir(join(dir, 'shards'));
  await copyFile(join(good, 'weights.bin'), join(dir, 'shards', 'real.bin'));
  await symlink(join(dir, 'shards', 'real.bin'), join(dir, 'weights.bin'));
  expect(predictions(await load())).toEqual(predictions(model));
});

it('a model folder reached through a symlink still loads (the folder is compared after resolving links)', async () => {
  const link = join(dir, '..', 'linked-model');
  await symlink(dir, link);
  expect(predictions(await loadModel(`file://${link}/model.json`))).toEqual(predictions(model));
  expect(predictions(await loadModel(`file://${link}`))).toEqual(predictions(model));
});

it('/dev/zero and a FIFO are refused at once, without reading (a link to /dev/zero, a FIFO in the folder)', async () => {
  await setPaths(['/dev/zero']);
  await expect(load()).rejects.toThrow(`${jsonPath()}: weights path '/dev/zero' is absolute`);
  await setPaths(['weights.bin']);
  await rm(join(dir, 'weights.bin'));
  await symlink('/dev/zero', join(dir, 'weights.bin'));
  await expect(load()).rejects.toThrow("weights path 'weights.bin' is a link that leads outside the model's folder");
  await rm(join(dir, 'weights.bin'));
  execFileSync('mkfifo', [join(dir, 'weights.bin')]);
  const started = Date.now();
  await expect(load()).rejects.toThrow(`${jsonPath()}: weights file ${join(dir, 'weights.bin')} is not a regular file`);
  expect(Date.now() - started).toBeLessThan(2000);
});

it('a weights file far larger than the manifest declares is refused from its size, without reading it', async () => {
  // 8 GiB, sparse: nothing is written to disk; reading it whole could not even fit a Node Buffer.
  await truncate(join(dir, 'weights.bin'), 2 ** 33);
  const started = Date.now();
  await expect(load()).rejects.toThrow(`${jsonPath()}: ${join(dir, 'weights.bin')} holds 8589934592 bytes but the weights manifest describes only ${WEIGHT_BYTES}`);
  expect(Date.now() - started).toBeLessThan(2000);
});

it('a manifest declaring more than a wasm32 memory holds (4 GiB) is refused before reading, naming the weight', async () => {
  await editJSON((j) => { j.weightsManifest[0].weights[0].shape = [2 ** 31, 4]; });
  await expect(load()).rejects.toThrow(`${jsonPath()}: weight 'hidden/kernel' (shape [2147483648, 4], float32) takes 32 GiB as float32; `
    + 'the weights of one model must stay under 4 GiB (the most a wasm32 memory holds)');
  await editJSON((j) => { j.weightsManifest[0].weights[0].shape = [1e308, 4]; });
  await expect(load()).rejects.toThrow(`${jsonPath()}: weight 'hidden/kernel' (shape [1e+308, 4], float32) takes more than 4 GiB as float32`);
  // Two weights that fit alone but not together: the one that crosses the limit is named.
  await editJSON((j) => {
    j.weightsManifest[0].weights[0].shape = [2 ** 29];
    j.weightsManifest[0].weights[1].shape = [2 ** 29];
  });
  await expect(load()).rejects.toThrow(`${jsonPath()}: weight 'hidden/bias' (shape [536870912], float32) brings the model's weights to 4 GiB as float32; `
    + 'the weights of one model must stay under 4 GiB (the most a wasm32 memory holds)');
});

it("a weights manifest path that is not a non-empty string, and a weight whose name is not a string, are named", async () => {
  await setPaths([42]);
  await expect(load()).rejects.toThrow(`${jsonPath()}: weightsManifest[0].paths[0] must be a file name (a non-empty string), got 42`);
  await setPaths(['']);
  await expect(load()).rejects.toThrow(`${jsonPath()}: weightsManifest[0].paths[0] must be a file name (a non-empty string), got ""`);
  await setPaths(['weights.bin']);
  await editJSON((j) => { j.weightsManifest[0].weights[1].name = 7; });
  await expect(load()).rejects.toThrow(`${jsonPath()}: weightsManifest[0].weights[1] must have a name (a string), got 7`);
  await editJSON((j) => { j.weightsManifest[0].weights[1] = null; });
  await expect(load()).rejects.toThrow(`${jsonPath()}: weightsManifest[0].weights[1] must be an object { name, shape, dtype }, got null`);
});

// --- http ------------------------------------------------------------------------------------------

let server: Server;
let base: string;
const requests: string[] = [];
/** Routes of the test server: a path → what to send. */
const routes = new Map<string, (res: ServerResponse) => void>();
/** Bytes the endless route has written before the client hung up. */
let endlessSent = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    const route = routes.get(req.url!);
    if (route) route(res);
    else { res.statusCode = 404; res.end('no'); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function serveModel(paths: string[]): Promise<void> {
  const j = JSON.parse(await readFile(join(good, 'model.json'), 'utf8'));
  j.weightsManifest[0].paths = paths;
  const bin = await readFile(join(good, 'weights.bin'));
  routes.set('/models/a/model.json', (res) => res.end(JSON.stringify(j)));
  routes.set('/models/a/weights.bin', (res) => res.end(bin));
  routes.set('/models/a-evil/weights.bin', (res) => res.end(bin));
  routes.set('/secret.bin', (res) => res.end(bin));
}

it('over http, weights load from the folder of model.json and nowhere else: other folders, origins and schemes are refused unrequested', async () => {
  await serveModel(['weights.bin']);
  expect(predictions(await loadModel(`${base}/models/a/model.json`))).toEqual(predictions(model));
  const url = `${base}/models/a/model.json`;
  for (const p of ['../a-evil/weights.bin', '/secret.bin', '../../secret.bin', '%2e%2e/a-evil/weights.bin', '..%2fa-evil/weights.bin', 'http://example.com/models/a/weights.bin',
    '//example.com/models/a/weights.bin', 'file:///etc/passwd', 'data:application/octet-stream;base64,AAAA']) {
    await serveModel([p]);
    requests.length = 0;
    const err = await failure(loadModel(url));
    expect(err.message).toMatch(new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: weights path '${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' leads outside `
      + `${base.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/models/a/; keelnet fetches weights only from the folder of model\\.json \\(same origin, same path prefix\\)$`));
    expect(requests).toEqual(['/models/a/model.json']);
  }
});

it('over http, a weights response larger than declared is cut off at the bound (endless stream, oversized Content-Length)', async () => {
  await serveModel(['weights.bin']);
  endlessSent = 0;
  // An endless body with no Content-Length: /dev/zero over http.
  routes.set('/models/a/weights.bin', (res) => {
    const chunk = Buffer.alloc(64 * 1024);
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) endlessSent += chunk.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('close', () => { res.destroy(); });
    pump();
  });
  const url = `${base}/models/a/model.json`;
  await expect(loadModel(url)).rejects.toThrow(`${url}: ${base}/models/a/weights.bin holds more than the ${WEIGHT_BYTES} bytes the weights manifest declares; `
    + 'the file does not belong to this model.json');
  await new Promise((r) => setTimeout(r, 200));
  const after = endlessSent;
  await new Promise((r) => setTimeout(r, 300));
  expect(endlessSent).toBe(after); // the client hung up: nothing more is sent
  expect(endlessSent).toBeLessThan(64 * 1024 * 1024);
  // A declared Content-Length above the bound is refused before the body is read.
  routes.set('/models/a/weights.bin', (res) => { res.setHeader('Content-Length', String(2 ** 40)); res.write(Buffer.alloc(16)); });
  await expect(loadModel(url)).rejects.toThrow(`${url}: ${base}/models/a/weights.bin holds 1099511627776 bytes but the weights manifest describes only ${WEIGHT_BYTES}`);
});

it('a failed fetch names the URL', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const url = `http://127.0.0.1:${port}/m/model.json`;
  const err = await failure(loadModel(url));
  expect(err.message).toMatch(new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot fetch \\(fetch failed: .*ECONNREFUSED.*\\)$`));
  // And for a weights file: the connection drops.
  await serveModel(['weights.bin']);
  routes.set('/models/a/weights.bin', (res) => { res.socket?.destroy(); });
  await expect(loadModel(`${base}/models/a/model.json`)).rejects.toThrow(`${base}/models/a/model.json: ${base}/models/a/weights.bin: cannot fetch (fetch failed`);
});

