/**
 * Keras files in headless Chromium: test/fixtures/keras/browser is served by Vite on 127.0.0.1;
 * its runKeras loads Keras 3.15.1's .keras and .h5 fixtures (Sequential and functional) from their bytes, predicts within
 * 1e-5 of Keras, and round-trips each model through a .keras archive. fflate and h5wasm are
 * fetched only once the page first opens a Keras file.
 * Needs Debian's chromium at /usr/bin/chromium (.ci/run installs it).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { DownloadRun, KerasRun } from '../fixtures/keras/browser/main.js';
import { ready, tensor, type Tensor } from '../../bindings/index.js';
import { loadKeras } from '../../bindings/io/keras/index.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/keras/', import.meta.url));

let server: ViteDevServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  server = await createServer({
    configFile: false,
    root: fixtures,
    // The page imports ../../../../bindings and fetches build/keelnet.wasm; the fixtures are at /.
    server: { host: '127.0.0.1', port: 0, fs: { allow: [root] } },
    // Pre-bundled at start, so that their first dynamic import does not make Vite reload the page.
    optimizeDeps: { include: ['h5wasm', 'fflate', 'comlink'] },
    logLevel: 'warn',
  });
  await server.listen();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('loads Keras 3 .keras and .h5 files from bytes, predicts within 1e-5, round-trips, and fetches fflate and h5wasm only when needed', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.goto(new URL('browser/index.html', server.resolvedUrls!.local[0]).href);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
  const run: KerasRun = await page.evaluate(() => window.runKeras());

  expect(run.files.map((f) => f.file)).toEqual(['mlp.keras', 'cnn.keras', 'lstm.h5', 'bn.h5', 'functional.keras', 'nested.h5']);
  for (const f of run.files) {
    expect(f.maxDiff, f.file).toBeLessThan(1e-5);
    expect(f.roundTripIdentical, f.file).toBe(true);
    expect(f.archiveBytes, f.file).toBeGreaterThan(1000);
  }
  const lazy = (urls: string[]) => ['h5wasm', 'fflate'].filter((lib) => urls.some((u) => u.includes(lib)));
  expect(lazy(run.scriptsBefore)).toEqual([]);
  expect(lazy(run.scriptsAfter)).toEqual(['h5wasm', 'fflate']);
  expect(run.pathError).toBe("'file:///model.keras': reading and writing paths needs Node; in a browser pass the bytes to loadKeras, and save with kerasArchive");
  expect(run.relativeLayers).toBe(6);
  expect(run.missing).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/missing\.keras: HTTP 404/);
  // The one error the page logs is the browser's own line for that deliberate 404.
  expect(errors).toEqual([expect.stringMatching(/^console: Failed to load resource: .*404/)]);
});

it("model.save('downloads://m.keras' | 'm.h5') downloads the one Keras file, which loads back and predicts the same", async () => {
  await ready();
  const page = await browser.newPage({ acceptDownloads: true });
  const downloads: Array<{ name: string; path: Promise<string | null> }> = [];
  page.on('download', (d) => downloads.push({ name: d.suggestedFilename(), path: d.path() }));
  await page.goto(new URL('browser/index.html', server.resolvedUrls!.local[0]).href);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
  const run: DownloadRun = await page.evaluate(() => window.saveDownloads());
  await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
  expect(downloads.map((d) => d.name)).toEqual(['keelnet_download.keras', 'keelnet_download.h5']);
  for (const d of downloads) {
    const back = await loadKeras(new Uint8Array(await readFile((await d.path)!)), { name: d.name });
    expect(back.name).toBe('keelnet_download');
    const y = back.predict(run.inputs.map((t) => tensor(t.values, t.shape))) as Tensor;
    expect(Array.from(y.values)).toEqual(run.outputs);
    back.dispose();
  }
  await page.close();
});
