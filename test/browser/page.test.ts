/**
 * The live training page (examples/browser) in headless Chromium: its Vite server on 127.0.0.1
 * at a free port, MNIST served by the page, the MLP trained in a Web Worker for a few hundred
 * batches, live curves, accuracy above 80%, Stop, and no console errors; the CNN too when the
 * page offers it. A screenshot goes to test/artifacts/page.png.
 * The browser: Debian's /usr/bin/chromium, else the one in @sparticuz/chromium (test/helpers/browser.ts).
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Download, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

let server: ViteDevServer;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  server = await createServer({ configFile: `${root}examples/browser/vite.config.ts`, server: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
  await server.listen();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(server.resolvedUrls!.local[0]);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const count = (id: string) => page.$eval(`#${id}`, (e) => Number((e as HTMLElement).dataset.count));
const points = (id: string) => page.$eval(`#${id}`, (e) => Number((e as HTMLCanvasElement).dataset.points ?? 0));

it('trains the MLP in a worker with live curves, gradient health and predictions; Stop stops it', async () => {
  await page.fill('#epochs', '50'); // far more than the test waits for, so Stop is what ends it
  await page.selectOption('#model', 'mlp');
  await page.click('#train');
  await page.waitForSelector('#status[data-state="training"]');
  // A few hundred batches: 187.5 per epoch of 12,000 images, so two validation points.
  await page.waitForFunction(() => Number((document.querySelector('#batches') as HTMLElement).dataset.count) >= 400
    && Number((document.querySelector('#loss-chart') as HTMLElement).dataset.points) >= 82, null, { timeout: 120_000 });

  // The curves updated: train loss/accuracy every 5 batches, validation after each epoch.
  expect(await points('loss-chart')).toBeGreaterThanOrEqual(80 + 2);
  expect(await points('acc-chart')).toBeGreaterThanOrEqual(80 + 2);
  // The gradient monitor reported every 20 batches for both layers, with a verdict.
  expect(await points('grad-chart')).toBeGreaterThanOrEqual(2 * 20);
  expect(await page.textContent('#grad-status')).toMatch(/^(healthy|vanishing|exploding|dead|nonfinite)$/);
  expect(await page.$$eval('#grad-advice li', (li) => li.length)).toBeGreaterThan(0);
  // The accuracy shown rose above 80%.
  const valAcc = Number(await page.$eval('#val-acc', (e) => (e as HTMLElement).dataset.value));
  expect(valAcc).toBeGreaterThan(0.8);
  expect(await page.textContent('#val-acc')).toMatch(/^\d+\.\d%$/);
  expect(Number((await page.textContent('#speed'))!.replace(/,/g, ''))).toBeGreaterThan(0);
  expect(await page.textContent('#eta')).toMatch(/^\d+\.\d s$/);
  // The digit grid shows predictions, mostly right.
  const guesses = await page.$$eval('#digits .digit', (cells) => cells.map((c) => ({ text: c.textContent, wrong: c.classList.contains('wrong') })));
  expect(guesses).toHaveLength(24);
  expect(guesses.every((g) => /^\d$/.test(g.text ?? ''))).toBe(true);
  expect(guesses.filter((g) => g.wrong).length).toBeLessThan(8);

  await page.click('#stop');
  await page.waitForSelector('#status[data-state="stopped"]', { timeout: 30_000 });
  const stoppedAt = await count('batches');
  // The Stop handler noted the batch count when it ran: the worker finished at most the batch in
  // flight and the one whose callback was crossing then.
  const pressedAt = await page.$eval('#stop', (e) => Number((e as HTMLElement).dataset.at));
  expect(stoppedAt - pressedAt).toBeGreaterThanOrEqual(0);
  expect(stoppedAt - pressedAt).toBeLessThanOrEqual(2);
  await page.waitForTimeout(1000);
  expect(await count('batches')).toBe(stoppedAt);
  expect(Number(await page.textContent('#epoch'))).toBeLessThan(50);
  expect(await page.isDisabled('#stop')).toBe(true);
  expect(await page.isEnabled('#train')).toBe(true);

  mkdirSync(`${root}test/artifacts`, { recursive: true });
  await page.screenshot({ path: `${root}test/artifacts/page.png`, fullPage: true });

  // Save downloads the trained model in the TensorFlow.js Layers format (when model.save exists).
  if (await page.isVisible('#save')) {
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.click('#save');
    await page.waitForSelector('#status[data-state="saved"]', { timeout: 30_000 });
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
    const byName = Object.fromEntries(downloads.map((d) => [d.suggestedFilename(), d]));
    expect(Object.keys(byName).sort()).toEqual(['keelnet-mnist.json', 'keelnet-mnist.weights.bin']);
    const json = JSON.parse(readFileSync((await byName['keelnet-mnist.json'].path())!, 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology).toBeDefined();
    // 784·128 + 128 + 128·10 + 10 float32 weights.
    expect(statSync((await byName['keelnet-mnist.weights.bin'].path())!).size).toBe(4 * (784 * 128 + 128 + 128 * 10 + 10));
  }
  expect(errors).toEqual([]);
});

it('trains the CNN too when the page offers it', async () => {
  const models = await page.$$eval('#model option', (o) => o.map((e) => (e as HTMLOptionElement).value));
  expect(models[0]).toBe('mlp');
  if (!models.includes('cnn')) return; // layers.conv2d is not in this build
  await page.selectOption('#model', 'cnn');
  await page.click('#train');
  await page.waitForFunction(() => Number((document.querySelector('#batches') as HTMLElement).dataset.count) >= 60, null, { timeout: 120_000 });
  await page.click('#stop');
  await page.waitForSelector('#status[data-state="stopped"]', { timeout: 30_000 });
  expect(await points('loss-chart')).toBeGreaterThanOrEqual(12);
  expect(await count('batches')).toBeGreaterThanOrEqual(60);
  // Three layers with kernels (conv2d, conv2d, dense), reported at batches 1, 21, 41.
  expect(await points('grad-chart')).toBeGreaterThanOrEqual(3 * 3);
  await page.screenshot({ path: `${root}test/artifacts/page-cnn.png`, fullPage: true });
  expect(errors).toEqual([]);
});
