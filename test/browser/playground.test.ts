/**
 * The gradient playground (examples/browser/playground.html) in headless Chromium, served by the
 * demo's Vite config (which sends COOP/COEP, so each worker runs keelnet's thread pool). Each
 * preset trains for a bounded number of batches (3 epochs of 2,048 MNIST images or 1,024 adding
 * sequences, batch 32) and what the page shows is checked against the physics; "copy as code"
 * is run in Node and must give the page's first-epoch loss; responsiveness is measured while
 * training. Screenshots: test/artifacts/playground/<preset>.png (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = `${root}test/artifacts/playground`;

let server: ViteDevServer;
let browser: Browser;
let page: Page;
let base: string;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await createServer({ configFile: `${root}examples/browser/vite.config.ts`, server: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
  await server.listen();
  base = `${server.resolvedUrls!.local[0]}playground.html`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface RunData { run: string; task: string; span: string; seen: string; status: string; epochLoss: string; samplesPerSec: string; batches: string; state: string; hiddenRatio?: string }

async function open(query: string): Promise<void> {
  await page.goto(`${base}?${query}`);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
}

const runs = (): Promise<RunData[]> => page.$$eval('.run', (rs) => rs.map((r) => ({ ...(r as HTMLElement).dataset }) as unknown as RunData));

/** Press Train and wait until every run has finished. */
async function train(): Promise<RunData[]> {
  await page.click('#train');
  await page.waitForFunction(() => {
    const rs = [...document.querySelectorAll('.run')] as HTMLElement[];
    return rs.length > 0 && rs.every((r) => ['done', 'stopped', 'error'].includes(r.dataset.state ?? ''));
  }, null, { timeout: 60_000 });
  return runs();
}

async function play(preset: string, extra = ''): Promise<RunData[]> {
  await open(`preset=${preset}${extra}`);
  expect(await page.$eval(`#presets button[data-preset="${preset}"]`, (b) => b.getAttribute('aria-pressed'))).toBe(extra ? 'false' : 'true');
  const result = await train();
  await page.screenshot({ path: `${artifacts}/${preset}.png`, fullPage: true });
  for (const r of result) expect(r.state, `run ${r.run}`).toBe('done');
  for (const r of result) console.log(`${preset} ${r.run}: heat map span ${Number(r.span).toFixed(2)} orders, verdicts seen ${r.seen}, first-epoch loss ${r.epochLoss}${r.hiddenRatio ? `, ‖dL/dh_1‖/‖dL/dh_T‖ ${Number(r.hiddenRatio).toExponential(2)}` : ''}`);
  return result;
}

it('deep sigmoid: the heat map spans ≥ 8 orders of magnitude and the verdict is vanishing', async () => {
  const [a] = await play('deep-sigmoid');
  expect(Number(a.span)).toBeGreaterThanOrEqual(8);
  expect(a.status).toBe('vanishing');
  expect(Number(a.batches)).toBeGreaterThan(150);
  // Twenty kernels per column, one column per report (every 16 of 192 batches).
  expect(await page.$eval('.heatmap', (c) => Number((c as HTMLElement).dataset.columns))).toBe(12);
  expect(await page.$eval('.advice', (ul) => ul.textContent)).toMatch(/vanishing/);
  expect(errors).toEqual([]);
});

it('He + ReLU: within 2 orders of magnitude, healthy throughout', async () => {
  const [a] = await play('he-relu');
  expect(Number(a.span)).toBeLessThan(2);
  expect(a.seen).toBe('healthy');
});

it('+ batch norm and + residual: the deep net\'s gradient reaches the first layers', async () => {
  for (const preset of ['sigmoid-bn', 'residual']) {
    const [a] = await play(preset);
    expect(Number(a.span), preset).toBeLessThan(4);
    expect(a.seen.split(','), preset).not.toContain('vanishing');
  }
});

it('exploding: non-finite without clipping, finite with globalClipnorm', async () => {
  const [raw] = await play('exploding');
  expect(raw.seen.split(',')).toContain('nonfinite');
  expect(raw.status).toBe('nonfinite');
  expect(await page.$eval('.heatmap', (c) => Number((c as HTMLElement).dataset.nonfinite))).toBeGreaterThan(0);
  const [clipped] = await play('exploding-clipped');
  expect(clipped.seen.split(',')).not.toContain('nonfinite');
  expect(Number.isFinite(Number(clipped.epochLoss))).toBe(true);
  expect(await page.$eval('.heatmap', (c) => Number((c as HTMLElement).dataset.nonfinite))).toBe(0);
});

it('compare mode: SimpleRNN and LSTM at T = 50 side by side, each with its ‖dL/dh_t‖ profile', async () => {
  // The preset's first 3 of 8 epochs on a quarter of its data, to keep the test short.
  const [a, b] = await play('rnn-vs-lstm', '&samples=1024&epochs=3&b.samples=1024&b.epochs=3');
  expect([a.run, b.run]).toEqual(['a', 'b']);
  expect(await page.$$eval('.run .summary', (s) => s.map((e) => e.textContent!.split(',')[0]))).toEqual(['simpleRNN', 'lstm']);
  for (const r of [a, b]) {
    expect(r.task).toBe('adding');
    expect(Number(r.batches)).toBeGreaterThan(80);
    expect(Number(r.hiddenRatio)).toBeGreaterThan(0);
  }
  // Each panel drew its heat map and a 50-point profile.
  expect(await page.$$eval('.run .heatmap', (cs) => cs.map((c) => Number((c as HTMLElement).dataset.columns)))).toEqual([6, 6]);
  expect(await page.$$eval('.run .hidden-chart', (cs) => cs.map((c) => Number((c as HTMLElement).dataset.points)))).toEqual([50, 50]);
  // More of the gradient reaches the first step through the LSTM's cell than through the SimpleRNN.
  expect(Number(b.hiddenRatio)).toBeGreaterThan(3 * Number(a.hiddenRatio));
  // Same data and seed: both runs start from the same first batch; their losses differ by the cell alone.
  expect(a.epochLoss).not.toBe(b.epochLoss);
});

it('Stop ends the run after the current batch and keeps what it drew', async () => {
  await open('preset=he-relu&epochs=100');
  await page.click('#train');
  await page.waitForFunction(() => Number((document.querySelector('.run') as HTMLElement).dataset.batches) > 48);
  await page.click('#stop');
  await page.waitForSelector('.run[data-state="stopped"]', { timeout: 30_000 });
  const [a] = await runs();
  expect(Number(a.batches)).toBeLessThan(100 * 64);
  expect(await page.$eval('.heatmap', (c) => Number((c as HTMLElement).dataset.columns))).toBeGreaterThan(2);
  expect(await page.isEnabled('#train')).toBe(true);
});

it('the URL holds the configuration; editing a control updates it', async () => {
  await open('preset=he-relu');
  await page.selectOption('select[name="activation"]', 'tanh');
  const url = new URL(page.url());
  expect(url.searchParams.get('activation')).toBe('tanh');
  expect(url.searchParams.get('depth')).toBe('20');
  await page.goto(page.url());
  await page.waitForSelector('#status[data-state="ready"]');
  expect(await page.$eval('select[name="activation"]', (s) => (s as HTMLSelectElement).value)).toBe('tanh');
  expect(await page.$eval('input[name="depth"]', (s) => (s as HTMLInputElement).value)).toBe('20');
  // Compare mode: B starts as a copy of A; what is edited on B lands under b. in the URL.
  await page.check('#compare');
  await page.check('input[name="editing"][value="b"]');
  await page.selectOption('select[name="activation"]', 'gelu');
  const q = new URL(page.url()).searchParams;
  expect([q.get('compare'), q.get('activation'), q.get('b.activation'), q.get('b.depth')]).toEqual(['1', 'tanh', 'gelu', '20']);
  expect(await page.$$eval('.run', (r) => r.length)).toBe(2);
  await page.check('input[name="editing"][value="a"]');
  expect(await page.$eval('select[name="activation"]', (s) => (s as HTMLSelectElement).value)).toBe('tanh');
  expect(errors).toEqual([]);
});

it('"copy as code" gives a script that, run in Node, reproduces the first-epoch loss within 1e-4', async () => {
  for (const [name, query] of [['mlp', 'preset=exploding-clipped&epochs=1'], ['rnn', 'task=adding&cell=gru&T=20&width=16&samples=256&epochs=1']]) {
    await open(query);
    const [run] = await train();
    await page.click('#copy');
    const code = await page.$eval('#code', (t) => (t as HTMLTextAreaElement).value);
    // Kept as an artifact as copied; run from a temporary file that imports keelnet from this checkout.
    writeFileSync(`${artifacts}/copied-${name}.txt`, code);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'keelnet-playground-')), 'repro.mts');
    writeFileSync(file, code.replace("from 'keelnet'", `from '${root}bindings/index.ts'`));
    const out = execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const nodeLoss = Number(/epoch 1 loss (\S+)/.exec(out)![1]);
    console.log(`copy as code (${name}): page ${run.epochLoss}, node ${nodeLoss}`);
    expect(Math.abs(nodeLoss - Number(run.epochLoss)), name).toBeLessThan(1e-4);
  }
}, 120_000);

it('stays responsive while training: input latency < 100 ms, charts ≥ 5 fps, the page’s own work under 100 ms per second of training', async () => {
  // Long enough to type into: 6 epochs of the deep-sigmoid net (about a second on an idle core).
  // The machine the tests share is busy and its speed swings by tens of percent from second to
  // second, so the two are measured in 7 adjacent pairs, in alternating order, and compared by
  // their medians. Also recorded: the milliseconds per second this thread spends on reports and
  // drawing, which does not depend on the load.
  const query = 'preset=deep-sigmoid&epochs=6';
  await open(query);
  const bare = (): Promise<number> => page.evaluate((q) => (window as unknown as { playground: { bare(q: string): Promise<number> } }).playground.bare(q), query);
  const live: number[] = [], alone: number[] = [];
  const latencies: number[] = [], fps: number[] = [], busy: number[] = [];
  const liveRun = async () => {
    await page.click('#train');
    // The worker may take a while to start on a busy machine; 16 batches in, the run is training (or already done).
    await page.waitForFunction(() => Number((document.querySelector('.run') as HTMLElement | null)?.dataset.batches) > 16, null, { timeout: 90_000 });
    // Typing and clicking while the worker trains: each event's delay to the next frame is recorded.
    await page.click('input[name="seed"]');
    await page.keyboard.type('12345', { delay: 20 });
    await page.click('#code-box summary');
    await page.click('#code-box summary');
    await page.waitForFunction(() => ['done', 'stopped'].includes((document.querySelector('.run') as HTMLElement).dataset.state ?? ''), null, { timeout: 60_000 });
    const perf = await page.$eval('#perf', (e) => ({ ...(e as HTMLElement).dataset }));
    latencies.push(Number(perf.latencyMax));
    fps.push(Number(perf.fps));
    expect(Number(perf.latencyCount)).toBeGreaterThanOrEqual(5);
    const [run] = await runs();
    live.push(Number(run.samplesPerSec));
    busy.push(Number((run as unknown as { busyPerSec: string }).busyPerSec));
  };
  for (let round = 0; round < 7; round++) {
    if (round % 2 === 0) { alone.push(await bare()); await liveRun(); } else { await liveRun(); alone.push(await bare()); }
  }
  await page.screenshot({ path: `${artifacts}/responsiveness.png`, fullPage: true });
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const slowdown = 1 - median(live) / median(alone);
  const f = (v: number[], d = 0) => v.map((x) => x.toFixed(d)).join(', ');
  console.log(`responsiveness: input latency max ${f(latencies, 1)} ms; charts ${f(fps, 1)} fps; page busy ${f(busy, 1)} ms/s; ` +
    `samples/s live ${f(live)} (median ${median(live).toFixed(0)}) vs worker alone ${f(alone)} (median ${median(alone).toFixed(0)}): slowdown ${(100 * slowdown).toFixed(1)}%`);
  expect(Math.max(...latencies)).toBeLessThan(100);
  expect(Math.min(...fps)).toBeGreaterThanOrEqual(5);
  // The slowdown against the worker alone is printed, not asserted: on this shared machine it swung
  // from −35% to +29% between runs (speed is for benchmarks, not timed tests). What the page costs
  // training does not depend on the load: its own work, at most a tenth of a core.
  expect(median(busy)).toBeLessThan(100);
  expect(errors).toEqual([]);
}, 300_000);
