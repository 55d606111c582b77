/**
 * The gradient playground page (examples/browser/playground.html, `npm run demo` → /playground.html):
 * the controls edit a Config (or two, in compare mode), the URL follows it, Train starts one Run
 * per config (each its own Web Worker, same data and seed), and "copy as code" prints the keelnet
 * script for config A. Also measured here, shown in the corner and read by the browser test:
 * chart frames per second and input latency (event to the next frame) while training.
 */
import { Tensor, callbacks, ready, threadCount } from '../../../bindings/index.js';
import { createTrainer } from '../../../bindings/worker/index.js';
import { CELLS, ACTIVATIONS, CLIPPING, INITIALIZERS, OPTIMIZERS, buildModel, fitOptions, fromQuery, normalize, presetOf, presets, toCode, toQuery, type Config } from './config.js';
import { Run, dataFor } from './run.js';
import { loadMnistInBrowser } from '../mnist.js';

const MNIST_MAX = 12_000;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('config');
const ui = {
  train: $<HTMLButtonElement>('train'), stop: $<HTMLButtonElement>('stop'), compare: $<HTMLInputElement>('compare'),
  copy: $<HTMLButtonElement>('copy'), code: $<HTMLTextAreaElement>('code'), status: $('status'), perf: $('perf'),
  presets: $('presets'), watch: $('watch'), which: $('which'), runs: $('runs'),
  template: $<HTMLTemplateElement>('run-template'),
};

// The select options come from config.ts, so the page and the URL parser agree.
for (const [name, values] of Object.entries({ activation: ACTIVATIONS, initializer: INITIALIZERS, clipping: CLIPPING, optimizer: OPTIMIZERS, cell: CELLS })) {
  const select = form.elements.namedItem(name) as HTMLSelectElement;
  for (const v of values) select.add(new Option(v === 'momentum' ? 'sgd + momentum 0.9' : v, v));
}

const start = fromQuery(location.search);
const state: { a: Config; b?: Config; editing: 'a' | 'b' } = { a: start.a, b: start.b, editing: 'a' };

const setStatus = (s: string, text: string) => { ui.status.dataset.state = s; ui.status.textContent = text; };
const editing = (): Config => (state.editing === 'b' && state.b ? state.b : state.a);

/** The form shows the config being edited. */
function showConfig(): void {
  const c = editing();
  for (const [key, value] of Object.entries(c)) {
    const el = form.elements.namedItem(key) as HTMLInputElement | HTMLSelectElement | null;
    if (!el) continue;
    if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = value as boolean;
    else el.value = String(value);
  }
  form.dataset.task = c.task;
  ui.compare.checked = state.b !== undefined;
  ui.which.hidden = state.b === undefined;
  const preset = presetOf(state.a, state.b);
  for (const b of ui.presets.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.preset === preset?.name));
  ui.watch.textContent = preset ? preset.watch : 'Your own configuration: change anything, press Train, and watch the heat map.';
  ui.code.value = toCode(state.a);
}

/** The form's values into the config being edited; the URL follows. */
function readForm(): void {
  const loose: Record<string, unknown> = {};
  for (const el of form.elements) {
    const input = el as HTMLInputElement;
    if (!input.name || input.name === 'editing') continue;
    loose[input.name] = input.type === 'checkbox' ? input.checked : input.value;
  }
  const c = normalize(loose);
  if (state.editing === 'b' && state.b) state.b = c; else state.a = c;
  syncUrl();
  showConfig();
}

function syncUrl(): void {
  const q = [toQuery(state.a, state.b), new URLSearchParams(location.search).has('threads') ? `threads=${threadCount()}` : ''].filter(Boolean).join('&');
  history.replaceState(null, '', `${location.pathname}${q ? `?${q}` : ''}`);
}

form.addEventListener('change', (e) => {
  const t = e.target as HTMLInputElement;
  if (t.name === 'editing') { state.editing = t.value as 'a' | 'b'; showConfig(); return; }
  readForm();
});
ui.compare.addEventListener('change', () => {
  state.b = ui.compare.checked ? { ...state.a } : undefined;
  if (!state.b) state.editing = 'a';
  (form.elements.namedItem('editing') as RadioNodeList).value = state.editing;
  syncUrl(); showConfig(); layoutRuns();
});

for (const p of presets) {
  const b = document.createElement('button');
  b.type = 'button'; b.textContent = p.title; b.dataset.preset = p.name; b.title = p.watch;
  b.addEventListener('click', () => {
    state.a = normalize(p.a);
    state.b = p.b ? normalize(p.b) : undefined;
    state.editing = 'a';
    (form.elements.namedItem('editing') as RadioNodeList).value = 'a';
    syncUrl(); showConfig(); layoutRuns();
  });
  ui.presets.append(b);
}

ui.copy.addEventListener('click', async () => {
  ui.code.value = toCode(state.a);
  (ui.code.parentElement as HTMLDetailsElement).open = true;
  try { await navigator.clipboard.writeText(ui.code.value); setStatus(ui.status.dataset.state ?? 'ready', 'copied the script for A to the clipboard'); }
  catch { ui.code.select(); setStatus(ui.status.dataset.state ?? 'ready', 'the script is below: copy it from the box'); }
});

// The run panels: A, and B in compare mode.
let runs: Run[] = [];
function layoutRuns(): void {
  const want = state.b ? ['A', 'B'] : ['A'];
  if (runs.map((r) => r.label).join() === want.join()) return;
  for (const r of runs) void r.dispose();
  runs = want.map((label) => new Run(ui.template, label));
  ui.runs.replaceChildren(...runs.map((r) => r.el));
  for (const r of runs) r.redraw();
}

const describeRun = (c: Config) => (c.task === 'adding'
  ? `${c.cell}, T = ${c.T}, ${c.width} units, ${c.optimizer} lr ${c.learningRate}${c.clipping === 'none' ? '' : `, ${c.clipping} ${c.clipValue}`}`
  : `${c.depth} × ${c.width} ${c.activation}, ${c.initializer}${c.initScale === 1 ? '' : ` ×${c.initScale}`}${c.batchNorm ? ', BN' : ''}${c.residual ? ', residual' : ''}, ${c.optimizer} lr ${c.learningRate}${c.clipping === 'none' ? '' : `, ${c.clipping} ${c.clipValue}`}`);

let mnist: { x: Tensor; y: Tensor } | undefined;
async function mnistData(): Promise<{ x: Tensor; y: Tensor }> {
  if (!mnist) {
    setStatus('loading', 'loading MNIST…');
    const d = await loadMnistInBrowser(MNIST_MAX, 1);
    mnist = { x: d.xTrain, y: d.yTrain };
  }
  return mnist;
}

ui.train.addEventListener('click', async () => {
  ui.train.disabled = true; ui.stop.disabled = false;
  layoutRuns();
  const configs = state.b ? [state.a, state.b] : [state.a];
  try {
    const data = await Promise.all(configs.map(async (c) => dataFor(c, c.task === 'mnist' ? await mnistData() : { x: new Tensor(new Float32Array(0), [0, 784]), y: new Tensor(new Float32Array(0), [0]) })));
    setStatus('training', `training ${configs.length === 2 ? 'A and B side by side' : 'A'} in ${configs.length === 2 ? 'two Web Workers' : 'a Web Worker'} (${threadCount()} thread${threadCount() > 1 ? 's' : ''} each)`);
    startPerf();
    await Promise.all(runs.map((r, i) => r.train(configs[i], data[i], describeRun(configs[i]))));
    setStatus('done', 'done');
  } catch (e) {
    setStatus('error', `failed: ${(e as Error).message}`);
  } finally {
    stopPerf();
    ui.train.disabled = false; ui.stop.disabled = true;
  }
});
ui.stop.addEventListener('click', () => { ui.stop.disabled = true; for (const r of runs) void r.stop(); });

// Responsiveness, measured while training: chart frames per second, and input latency — from an
// input event's timestamp to the next animation frame, when the page can show its effect.
const perf = { latencies: [] as number[], timer: 0 };
for (const type of ['pointerdown', 'keydown', 'input']) {
  document.addEventListener(type, (e) => {
    requestAnimationFrame(() => { perf.latencies.push(performance.now() - e.timeStamp); showPerf(); });
  }, { capture: true });
}
function showPerf(): void {
  // Frames with data, from the first one of this training (the workers' start-up is not counted).
  const streaming = runs.filter((r) => r.firstFrameAt > 0);
  const since = Math.min(...streaming.map((r) => r.firstFrameAt));
  const fps = streaming.length ? streaming.reduce((n, r) => n + r.frames, 0) / ((performance.now() - since) / 1000) : 0;
  const lat = perf.latencies;
  const max = lat.length ? Math.max(...lat) : 0;
  ui.perf.dataset.fps = fps.toFixed(2);
  ui.perf.dataset.latencyMax = max.toFixed(2);
  ui.perf.dataset.latencyCount = String(lat.length);
  ui.perf.textContent = `charts ${fps.toFixed(1)} fps · input latency max ${max.toFixed(0)} ms (${lat.length} events)`;
}
function startPerf(): void {
  perf.latencies = [];
  clearInterval(perf.timer);
  perf.timer = window.setInterval(showPerf, 500);
}
function stopPerf(): void { showPerf(); clearInterval(perf.timer); }

/**
 * For the browser test's overhead measurement: the same config trained in a worker with no
 * callbacks at all (the worker alone); samples per second over the whole fit.
 */
async function bare(query: string, withMonitor = false): Promise<number> {
  const c = fromQuery(query).a;
  const data = dataFor(c, c.task === 'mnist' ? await mnistData() : { x: new Tensor(new Float32Array(0), [0, 784]), y: new Tensor(new Float32Array(0), [0]) });
  const trainer = await createTrainer(buildModel(c));
  const t0 = performance.now();
  await trainer.fit(data.x, data.y, { ...fitOptions(c), callbacks: withMonitor ? [callbacks.gradientMonitor({ every: c.every, onReport: () => {} })] : [] });
  const rate = (c.epochs * data.y.shape[0]) / ((performance.now() - t0) / 1000);
  await trainer.terminate();
  return rate;
}
(window as unknown as { playground: unknown }).playground = { bare, toCode, state };

// Cross-origin isolated (the demo's server sends COOP/COEP), each worker runs a thread pool of
// half the cores, at most 4: the other half draws the page and trains run B in compare mode. On a
// 2-core machine that is 1 — measured there, a 20 × 64 MLP trains faster on one thread than on a
// pool of 2 that shares its cores with the page. ?threads=N overrides.
const threadsParam = Number(new URLSearchParams(location.search).get('threads'));
const threads = !crossOriginIsolated ? 1 : threadsParam > 0 ? Math.min(16, threadsParam) : Math.max(1, Math.min(4, Math.floor(navigator.hardwareConcurrency / 2)));
await ready({ simd: 'simd', threads });
showConfig();
layoutRuns();
ui.train.disabled = false;
setStatus('ready', `ready (${crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated'}: ${threadCount()} thread${threadCount() > 1 ? 's' : ''} per worker)`);
