/**
 * keelnet as a user gets it from npm: `npm pack`, then the tarball installed into a fresh project
 * that (1) trains a tiny model from a Node ESM script, on the main thread and in a worker, (2)
 * type-checks a TypeScript file against the published .d.ts with `tsc --noEmit`, and (3) bundles
 * a browser entry with Vite (no configuration) and runs it in Chromium. The wasm core must be
 * found everywhere with no setWasmSource.
 *
 * The package is packed from a copy of the sources in a temporary directory (TypeScript compiled
 * there, the wasm files taken from build/, which `npm ci` / `npm run build` made), so the test
 * never writes into the working tree other tests read from.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => path.join(repo, 'node_modules', '.bin', name);

let tmp: string;
let app: string;
let files: string[];
const WASM_FILES = ['build/keelnet.wasm', 'build/keelnet-relaxed.wasm', 'build/keelnet-threads.wasm', 'build/keelnet-threads-relaxed.wasm'];

async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd, maxBuffer: 64 << 20, env: { ...process.env, npm_config_update_notifier: 'false' } });
    return stdout;
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}\n${err.stderr ?? err.message}`);
  }
}

beforeAll(async () => {
  for (const f of WASM_FILES) {
    if (!existsSync(path.join(repo, f))) throw new Error(`${f} is missing: run 'npm run build' first`);
  }
  tmp = mkdtempSync(path.join(tmpdir(), 'keelnet-pack-'));
  const src = path.join(tmp, 'src');
  for (const f of ['package.json', 'README.md', 'tsconfig.json', 'bindings', 'build']) {
    cpSync(path.join(repo, f), path.join(src, f), { recursive: true, filter: (p) => !p.endsWith('.wat') });
  }
  symlinkSync(path.join(repo, 'node_modules'), path.join(src, 'node_modules'), 'dir');
  await sh(bin('tsc'), ['-p', 'tsconfig.json'], src);
  const packed = JSON.parse(await sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], src)) as { filename: string; files: { path: string }[] }[];
  files = packed[0].files.map((f) => f.path).sort();

  app = path.join(tmp, 'app');
  cpSync(path.join(repo, 'test/package/app'), app, { recursive: true });
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(tmp, packed[0].filename)], app);
}, 120_000);

afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

it('the tarball holds the built wasm, JS and .d.ts files and nothing else of note', () => {
  const other = files.filter((f) => !/^dist\/.*\.(js|d\.ts)$/.test(f));
  expect(other).toEqual(['README.md', ...[...WASM_FILES].sort(), 'package.json']);
  // Each core is ~55 KB; the threads builds' packing scratch lies above static data, not in the
  // file (as a data segment on a shared memory it would be 1.5 MiB of zeros).
  for (const f of WASM_FILES) expect(statSync(path.join(repo, f)).size, f).toBeLessThan(100_000);
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/worker/index.js', 'dist/worker/index.d.ts', 'dist/worker/entry.js', 'dist/backend/wasm.js']) expect(files).toContain(f);
  expect(files.some((f) => f.endsWith('.map') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false);
  const pkg = JSON.parse(readFileSync(path.join(app, 'node_modules/keelnet/package.json'), 'utf8'));
  expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './worker']));
  expect(Object.keys(pkg.dependencies ?? {})).toEqual(['comlink', 'fflate', 'h5wasm']);
});

it('imports from a Node ESM script and trains, on the main thread and in a worker', async () => {
  const out = JSON.parse(await sh(process.execPath, ['node-train.mjs'], app));
  expect(out.backend).toBe('wasm');
  expect(out.main.loss[out.main.loss.length - 1]).toBeLessThan(out.main.loss[0]);
  expect(out.main.accuracy).toBeGreaterThan(0.9);
  expect(out.worker.loss[out.worker.loss.length - 1]).toBeLessThan(out.worker.loss[0]);
  expect(out.worker.accuracy).toBeGreaterThan(0.9);
});

/** A user's TypeScript (kept here, not as a .ts file in the tree, so the repo's own type-check never sees it). */
const USES_API = `
import { Sequential, callbacks, layers, optimizers, ready, tensor, type FitArgs, type History, type Logs, type Tensor } from 'keelnet';
import { createTrainer, type Trainer } from 'keelnet/worker';

export async function train(x: Tensor, y: Tensor): Promise<{ history: History; accuracy: number }> {
  await ready();
  const model = new Sequential([layers.dense({ units: 16, activation: 'relu', inputShape: [4] }), layers.dense({ units: 3, activation: 'softmax' })]);
  model.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const options: FitArgs = {
    epochs: 3, batchSize: 32, validationSplit: 0.1, verbose: 0,
    callbacks: [callbacks.gradientMonitor({ every: 10, onReport: (r) => console.log(r.status, r.advice.join('; ')) }),
      { onBatchEnd: (batch: number, logs?: Logs) => console.log(batch, logs?.loss) }],
  };
  const trainer: Trainer = await createTrainer(model);
  const history = await trainer.fit(x, y, options);
  await trainer.stop();
  await trainer.terminate();
  const weights: Tensor[] = model.getWeights();
  const first: Float32Array | Int32Array = weights[0].values;
  console.log(first.length, model.predict(tensor(new Float32Array(8), [2, 4])).shape);
  return { history, accuracy: (await model.evaluate(x, y)).accuracy };
}
`;

it('type-checks a TypeScript file that uses the API with tsc --noEmit', async () => {
  writeFileSync(path.join(app, 'uses-api.ts'), USES_API);
  await sh(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], app);
  // And a mistake is caught: the types are real, not any.
  writeFileSync(path.join(app, 'bad.ts'), "import { Sequential } from 'keelnet';\nconst m: Sequential = new Sequential();\nm.fit('not a tensor', [1]);\n");
  await expect(sh(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], app)).rejects.toThrow(/bad\.ts.*TS2345/s);
  rmSync(path.join(app, 'bad.ts'));
});

it('bundles a browser entry with Vite and runs it in Chromium, main thread and worker', async () => {
  await sh(process.execPath, [path.join(repo, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], app);
  const dist = path.join(app, 'dist');
  const emitted = await sh('find', ['.', '-type', 'f'], dist);
  expect(emitted).toMatch(/\.wasm/);
  const server = await serve(dist);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    const { port } = server.address() as { port: number };
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.body.dataset.result !== undefined, null, { timeout: 60_000 });
    const result = JSON.parse((await page.$eval('body', (b) => b.dataset.result))!);
    expect(result.error).toBeUndefined();
    expect(result.main.accuracy).toBeGreaterThan(0.9);
    expect(result.worker.accuracy).toBeGreaterThan(0.9);
    expect(result.worker.loss[result.worker.loss.length - 1]).toBeLessThan(result.worker.loss[0]);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
    server.close();
  }
});

/** A static file server for the bundle on 127.0.0.1, at a free port. */
async function serve(dir: string): Promise<Server> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const rel = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const file = path.join(dir, rel === '/' ? 'index.html' : rel);
    if (!file.startsWith(dir) || !existsSync(file)) { res.statusCode = 404; res.end(); return; }
    res.setHeader('Content-Type', types[path.extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mkdirSync(dir, { recursive: true });
  return server;
}
