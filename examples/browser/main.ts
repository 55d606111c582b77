/**
 * The live training page: MNIST trained in a Web Worker (keelnet/worker's createTrainer) while
 * this thread draws the loss and accuracy curves, samples/s and ETA, the gradient monitor's
 * per-layer norms with its verdict, and predictions on test digits after every epoch.
 * Run: npm run demo
 */
import { Callback, Sequential, Tensor, callbacks, layers, ready, type GradientReport, type Layer, type Logs } from '../../bindings/index.js';
import { createTrainer, type Trainer } from '../../bindings/worker/index.js';
import { LineChart } from './chart.js';
import { loadMnistInBrowser } from './mnist.js';

const N_TRAIN = 12_000, N_VAL = 2_000, BATCH = 64, DIGITS = 24, PLOT_EVERY = 5;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  model: $<HTMLSelectElement>('model'), epochs: $<HTMLInputElement>('epochs'),
  train: $<HTMLButtonElement>('train'), stop: $<HTMLButtonElement>('stop'), save: $<HTMLButtonElement>('save'),
  status: $('status'), epoch: $('epoch'), batches: $('batches'), trainAcc: $('train-acc'), valAcc: $('val-acc'),
  speed: $('speed'), eta: $('eta'), gradStatus: $('grad-status'), gradAdvice: $('grad-advice'), digits: $('digits'),
};
const lossChart = new LineChart($('loss-chart'), { xLabel: 'batch' });
const accChart = new LineChart($('acc-chart'), { yMin: 0, yMax: 1, xLabel: 'batch' });
const gradChart = new LineChart($('grad-chart'), { logY: true, xLabel: 'batch' });
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

// The CNN needs conv2d, maxPooling2d and flatten; the page offers it only where they exist.
type LayerFactory = (args: Record<string, unknown>) => Layer;
const extra = layers as unknown as Record<string, LayerFactory | undefined>;
const hasCnn = typeof extra.conv2d === 'function' && typeof extra.maxPooling2d === 'function' && typeof extra.flatten === 'function';
if (hasCnn) ui.model.add(new Option('CNN conv8-pool-conv16-pool-10', 'cnn'));

function buildModel(kind: string): Sequential {
  const model = kind === 'cnn'
    ? new Sequential([
      extra.conv2d!({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      extra.maxPooling2d!({ poolSize: 2 }),
      extra.conv2d!({ filters: 16, kernelSize: 3, activation: 'relu' }),
      extra.maxPooling2d!({ poolSize: 2 }),
      extra.flatten!({}),
      layers.dense({ units: 10, activation: 'softmax' }),
    ])
    : new Sequential([
      layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const shaped = (x: Tensor, kind: string) => (kind === 'cnn' ? x.reshape([x.shape[0], 28, 28, 1]) : x);
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const setStatus = (state: string, text: string) => { ui.status.dataset.state = state; ui.status.textContent = text; };

/** The grid of test digits, each with a small canvas and the model's guess. */
function drawDigits(x: Tensor, y: Tensor, predicted?: Int32Array): void {
  if (!ui.digits.children.length) {
    for (let i = 0; i < DIGITS; i++) {
      const cell = document.createElement('div'); cell.className = 'digit';
      const c = document.createElement('canvas'); c.width = 28; c.height = 28;
      const img = c.getContext('2d')!.createImageData(28, 28);
      for (let p = 0; p < 784; p++) { const v = x.values[i * 784 + p] * 255; img.data.set([v, v, v, 255], p * 4); }
      c.getContext('2d')!.putImageData(img, 0, 0);
      cell.append(c, document.createElement('div'));
      ui.digits.append(cell);
    }
  }
  [...ui.digits.children].forEach((cell, i) => {
    const guess = predicted?.[i];
    cell.classList.toggle('wrong', guess !== undefined && guess !== y.values[i]);
    cell.lastElementChild!.textContent = guess === undefined ? '?' : String(guess);
  });
}

/** Runs on this thread for every batch and epoch of the worker's fit: the page's live view. */
class LiveView extends Callback {
  private batches = 0;
  private seen = 0;
  private started = 0;
  private frame = 0;
  constructor(private readonly total: number, private readonly viewModel: Sequential, private readonly grid: { x: Tensor; y: Tensor }) { super(); }

  override async onTrainBegin(): Promise<void> { this.started = performance.now(); }

  override async onBatchEnd(_batch: number, logs: Logs = {}): Promise<void> {
    this.batches++;
    this.seen += logs.size ?? 0;
    ui.batches.textContent = String(this.batches);
    ui.batches.dataset.count = String(this.batches);
    if (this.batches % PLOT_EVERY === 0) {
      lossChart.line('train loss (epoch mean)', COLORS[0]).points.push([this.batches, logs.loss]);
      accChart.line('train acc (epoch mean)', COLORS[0]).points.push([this.batches, logs.accuracy]);
      ui.trainAcc.textContent = pct(logs.accuracy);
      const rate = this.seen / ((performance.now() - this.started) / 1000);
      ui.speed.textContent = Math.round(rate).toLocaleString('en-US');
      ui.eta.textContent = `${Math.max(0, (this.total - this.seen) / rate).toFixed(1)} s`;
      this.redraw();
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    ui.epoch.textContent = String(epoch + 1);
    lossChart.line('val loss', COLORS[1], true).points.push([this.batches, logs.val_loss]);
    accChart.line('val acc', COLORS[1], true).points.push([this.batches, logs.val_accuracy]);
    ui.valAcc.textContent = pct(logs.val_accuracy);
    ui.valAcc.dataset.value = String(logs.val_accuracy);
    // The worker's weights as of this epoch, on a copy of the model here: predictions for the grid.
    this.viewModel.setWeights(this.model!.getWeights());
    const probs = this.viewModel.predict(this.grid.x);
    drawDigits(this.grid.x, this.grid.y, argmax(probs));
    this.redraw();
  }

  redraw(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => { lossChart.draw(); accChart.draw(); gradChart.draw(); });
  }
}

function argmax(p: Tensor): Int32Array {
  const k = p.shape[1], out = new Int32Array(p.shape[0]);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (p.values[i * k + j] > p.values[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

function showReport(report: GradientReport, step: number): void {
  report.layers.forEach((l, i) => {
    const norm = l.weights[0]?.gradNorm;
    if (norm !== undefined) gradChart.line(l.name, COLORS[i % COLORS.length]).points.push([step, norm]);
  });
  ui.gradStatus.textContent = report.status;
  ui.gradStatus.dataset.status = report.status;
  ui.gradAdvice.replaceChildren(...(report.advice.length ? report.advice : ['no problems found']).map((a) => Object.assign(document.createElement('li'), { textContent: a })));
}

// Charts take the width of their panel: redraw when the window changes size.
addEventListener('resize', () => { lossChart.draw(); accChart.draw(); gradChart.draw(); });

await ready();
const data = await loadMnistInBrowser(N_TRAIN, N_VAL);
drawDigits(data.xTest, data.yTest);
setStatus('ready', `MNIST loaded: ${N_TRAIN.toLocaleString('en-US')} training, ${N_VAL.toLocaleString('en-US')} validation images`);
ui.train.disabled = false;

let trainer: Trainer | undefined;
let model: Sequential | undefined;

ui.train.addEventListener('click', async () => {
  ui.train.disabled = true; ui.save.disabled = true;
  await trainer?.terminate();
  const kind = ui.model.value;
  model = buildModel(kind);
  const viewModel = Sequential.fromJSON(model.toJSON());
  for (const c of [lossChart, accChart, gradChart]) c.clear();
  ui.batches.textContent = ui.batches.dataset.count = '0';
  for (const e of [ui.epoch, ui.trainAcc, ui.valAcc, ui.speed, ui.eta, ui.gradStatus]) e.textContent = '–';
  ui.valAcc.dataset.value = '';
  setStatus('starting', 'starting the worker…');
  trainer = await createTrainer(model);
  const epochs = Math.max(1, Math.min(50, Number(ui.epochs.value) || 5));
  const grid = { x: shaped(new Tensor(data.xTest.values.subarray(0, DIGITS * 784), [DIGITS, 784]), kind), y: data.yTest };
  const monitor = callbacks.gradientMonitor({ every: 20, onReport: (r, at) => showReport(r, at.step + 1) });
  setStatus('training', `training ${kind.toUpperCase()} in a Web Worker…`);
  ui.stop.disabled = false;
  try {
    const history = await trainer.fit(shaped(data.xTrain, kind), data.yTrain, {
      epochs, batchSize: BATCH, verbose: 0,
      validationData: [shaped(data.xTest, kind), data.yTest],
      callbacks: [monitor, new LiveView(epochs * N_TRAIN, viewModel, grid)],
    });
    const stopped = history.epoch.length < epochs || ui.stop.dataset.pressed === '1';
    ui.eta.textContent = '–';
    setStatus(stopped ? 'stopped' : 'done', `${stopped ? 'stopped' : 'done'} after ${ui.batches.textContent} batches; the page's model holds the trained weights`);
  } catch (e) {
    setStatus('error', `training failed: ${(e as Error).message}`);
  } finally {
    ui.stop.disabled = true; ui.stop.dataset.pressed = '';
    ui.train.disabled = false; ui.save.disabled = false;
  }
});

ui.stop.addEventListener('click', () => {
  ui.stop.disabled = true; ui.stop.dataset.pressed = '1'; ui.stop.dataset.at = ui.batches.dataset.count;
  setStatus('stopping', 'stopping after the current batch…');
  void trainer?.stop();
});

// Save downloads the trained model (model.json + weights.bin, the TensorFlow.js Layers format).
type Savable = { save?: (url: string) => Promise<unknown> };
if (typeof (Sequential.prototype as Savable).save === 'function') {
  ui.save.hidden = false;
  ui.save.addEventListener('click', async () => {
    try { await (model as Savable).save!('downloads://keelnet-mnist'); setStatus('saved', 'saved: keelnet-mnist.json and keelnet-mnist.weights.bin'); }
    catch (e) { setStatus('error', `save failed: ${(e as Error).message}`); }
  });
}
