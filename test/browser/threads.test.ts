/**
 * The threads backend in headless Chromium. test/browser/threads-page is served by two Vite
 * servers on 127.0.0.1: one with Cross-Origin-Opener-Policy: same-origin and
 * Cross-Origin-Embedder-Policy: require-corp on every response (the page is crossOriginIsolated,
 * so SharedArrayBuffer and the worker pool work), one without (ready({ threads: 2 }) warns and
 * runs on one thread). The page's runTraining trains the same seeded MLP; 2 threads must give
 * bitwise the weights of 1.
 * The browser: Debian's /usr/bin/chromium, else the one in @sparticuz/chromium (test/helpers/browser.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import type { TrainingRun } from './threads-page/main.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pageDir = fileURLToPath(new URL('./threads-page/', import.meta.url));

/** Sets COOP and COEP on every response the server sends, the page, its modules and the .wasm alike. */
function crossOriginIsolation(): Plugin {
  return {
    name: 'keelnet-cross-origin-isolation',
    configureServer(server) {
      server.middlewares.use((_req, res, next) => {
        res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
        res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
        next();
      });
    },
  };
}

async function serve(isolated: boolean): Promise<ViteDevServer> {
  const server = await createServer({
    configFile: false,
    root: pageDir,
    plugins: isolated ? [crossOriginIsolation()] : [],
    // The page imports ../../../bindings and fetches ../../../build/keelnet-threads.wasm.
    server: { host: '127.0.0.1', port: 0, fs: { allow: [root] } },
    optimizeDeps: { include: ['comlink'] },
    worker: { format: 'es' },
    logLevel: 'warn',
  });
  await server.listen();
  return server;
}

/** A fresh page on `server`, with its console (errors and warnings) and page errors collected. */
async function openPage(server: ViteDevServer) {
  const page = await browser.newPage();
  const errors: string[] = [], warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    if (m.type() === 'warning') warnings.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(server.resolvedUrls!.local[0]);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
  return { page, errors, warnings };
}

const train = (page: Page, threads: number, simd: 'simd' | 'relaxed' = 'simd', inWorker = false, shuffle = true): Promise<TrainingRun> =>
  page.evaluate(([threads, simd, inWorker, shuffle]) => window.runTraining({ threads, simd, inWorker, shuffle }), [threads, simd, inWorker, shuffle] as const);

/** Index of the first weight that differs (Object.is: -0 ≠ 0, NaN = NaN), or -1. */
const firstDifference = (a: number[], b: number[]) => a.findIndex((x, i) => !Object.is(x, b[i]));

/** Largest |a − b| / max(|a|, |b|, 1e-30) over all elements. */
const maxRelativeDifference = (a: number[], b: number[]) =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]) / Math.max(Math.abs(x), Math.abs(b[i]), 1e-30)), 0);

/** The training ran: finite losses, and every weight tensor moved. */
function expectTrained(run: TrainingRun) {
  expect(run.losses).toHaveLength(2);
  for (const loss of run.losses) expect(Number.isFinite(loss)).toBe(true);
  // Two epochs of Adam at 0.01 on learnable data: the loss went down.
  expect(run.losses[1]).toBeLessThan(run.losses[0]);
  run.weights.forEach((w, k) => {
    expect(w.every(Number.isFinite), `weights[${k}] finite`).toBe(true);
    expect(firstDifference(w, run.initialWeights[k]), `weights[${k}] changed`).not.toBe(-1);
  });
}

let browser: Browser;
const servers: ViteDevServer[] = [];

beforeAll(async () => {
  if (!existsSync(`${root}build/keelnet-threads.wasm`)) throw new Error('build/keelnet-threads.wasm is missing: npm run build:wasm');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
});

describe('threads in the browser', () => {
  // Chromium runs relaxed SIMD, so both threads builds: keelnet-threads.wasm and keelnet-threads-relaxed.wasm.
  it.each(['simd', 'relaxed'] as const)('crossOriginIsolated, %s build: 2 threads split the work and give bitwise the weights of 1 thread', async (simd) => {
    const server = await serve(true);
    servers.push(server);
    const { page, errors } = await openPage(server);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    const two = await train(page, 2, simd);
    const one = await train(page, 1, simd);
    expect(two.crossOriginIsolated).toBe(true);
    expect([two.threadCount, one.threadCount]).toEqual([2, 1]);
    expect([two.wasmBuild, one.wasmBuild]).toEqual([simd, simd]);
    // The pool called its worker in: every step's two gemms of ≥ 2^18 multiply-adds always are
    // (chunks go to whichever thread is free first); the sliced Adam update and gradient fill
    // (≥ 2^16 parameters) too, unless the worker is still waking. On one thread: never.
    expect(two.workerWakeups).toBeGreaterThanOrEqual(8 * 2);
    expect(one.workerWakeups).toBe(0);
    expectTrained(two);
    expectTrained(one);

    // Same start, same steps, same result: bitwise.
    expect(two.initialWeights).toEqual(one.initialWeights);
    expect(two.losses).toEqual(one.losses);
    expect(two.weights.map((w) => w.length)).toEqual([256 * 256, 256, 256 * 10, 10]);
    two.weights.forEach((w, k) => {
      const at = firstDifference(w, one.weights[k]);
      expect(at, `weights[${k}]: first index that differs (max relative difference ${maxRelativeDifference(w, one.weights[k])})`).toBe(-1);
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('crossOriginIsolated: createTrainer\'s module worker starts a pool of its own and trains bitwise as model.fit on 2 threads', async () => {
    const server = await serve(true);
    servers.push(server);
    const { page, errors } = await openPage(server);
    // Shuffle off: the worker's shuffle is seeded from this thread's stream, not continued from it.
    const inWorker = await train(page, 2, 'simd', true, false);
    const onPage = await train(page, 2, 'simd', false, false);
    expect([inWorker.threadCount, inWorker.trainerThreads, onPage.trainerThreads]).toEqual([2, 2, 0]);
    expectTrained(inWorker);
    expect(inWorker.losses).toEqual(onPage.losses);
    inWorker.weights.forEach((w, k) => expect(firstDifference(w, onPage.weights[k]), `weights[${k}]: first index that differs`).toBe(-1));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('not crossOriginIsolated: ready({ threads: 2 }) warns, runs on one thread, and trains', async () => {
    const server = await serve(false);
    servers.push(server);
    const { page, errors, warnings } = await openPage(server);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);

    const run = await train(page, 2);
    expect(run.crossOriginIsolated).toBe(false);
    expect(run.threadCount).toBe(1);
    expect(run.workerWakeups).toBe(0);
    const warning = warnings.filter((w) => w.startsWith('keelnet: threads need SharedArrayBuffer'));
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatch(/crossOriginIsolated/);
    expect(warning[0]).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(warning[0]).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
    expectTrained(run);
    expect(errors).toEqual([]);
    await page.close();
  });
});
