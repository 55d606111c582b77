/**
 * One training run of the playground: its panel (verdict, advice, charts), its Web Worker
 * (createTrainer from keelnet/worker), and what streams back. Only the gradient monitor reports
 * cross every few batches (the worker posts them without waiting, so drawing never holds training
 * back); the calling-thread callback has just onEpochEnd. Charts redraw at most once per frame.
 */
import { Tensor, callbacks, type GradientReport } from '../../../bindings/index.js';
import { createTrainer, type Trainer } from '../../../bindings/worker/index.js';
import { LineChart } from '../chart.js';
import { HeatMap, LayerStatsChart } from './charts.js';
import { addingData, buildModel, fitOptions, type Config } from './config.js';

export interface Data { x: Tensor; y: Tensor }

/** The training data a config asks for: a prefix of the MNIST images the page loaded, or the adding problem. */
export function dataFor(c: Config, mnist: { x: Tensor; y: Tensor }): Data {
  if (c.task === 'adding') {
    const { x, y } = addingData(c.samples, c.T, c.seed);
    return { x: new Tensor(x, [c.samples, c.T, 2]), y: new Tensor(y, [c.samples, 1]) };
  }
  const n = Math.min(c.samples, mnist.y.shape[0]);
  return { x: new Tensor(mnist.x.values.subarray(0, n * 784), [n, 784]), y: new Tensor(mnist.y.values.subarray(0, n), [n]) };
}

const COLORS = ['#1f77b4', '#d62728'];
const FRAME_MS = 100;

export class Run {
  readonly el: HTMLElement;
  private trainer?: Trainer;
  private readonly loss: LineChart;
  private readonly acc: LineChart;
  private readonly heat: HeatMap;
  private readonly stats: LayerStatsChart;
  private readonly hidden: LineChart;
  private frame = 0;
  private lastDraw = 0;
  private latest?: GradientReport;
  /** Frames drawn with data in this training, and when the first one was: the page's frames per second. */
  frames = 0;
  firstFrameAt = 0;
  /** Milliseconds this thread spent on the run's reports and drawing during this training. */
  busyMs = 0;
  private seen = new Set<string>();
  private batchNorm = false;

  constructor(template: HTMLTemplateElement, readonly label: string) {
    this.el = (template.content.firstElementChild as HTMLElement).cloneNode(true) as HTMLElement;
    this.el.dataset.run = label.toLowerCase();
    this.$('.label').textContent = label;
    const canvas = (cls: string) => this.$<HTMLCanvasElement>(`.${cls}`);
    this.loss = new LineChart(canvas('loss-chart'), { logY: true, xLabel: 'batch' });
    this.acc = new LineChart(canvas('acc-chart'), { yMin: 0, yMax: 1, xLabel: 'batch' });
    this.heat = new HeatMap(canvas('heatmap'));
    this.stats = new LayerStatsChart(canvas('stats-chart'));
    this.hidden = new LineChart(canvas('hidden-chart'), { logY: true, xLabel: 't' });
    // Charts take the width of their panel: redraw when it changes.
    new ResizeObserver(() => this.redraw()).observe(this.el);
  }

  private $<T extends HTMLElement = HTMLElement>(sel: string): T { return this.el.querySelector(sel) as T; }

  private setState(state: string, text = state): void {
    const s = this.$('.state');
    s.dataset.state = state; s.textContent = text;
    this.el.dataset.state = state;
  }

  /** Clears the panel and trains `c` on `data` in a new worker; resolves when the run ends. */
  async train(c: Config, data: Data, summary: string): Promise<void> {
    await this.trainer?.terminate();
    this.el.dataset.task = c.task;
    this.batchNorm = c.task === 'mnist' && c.batchNorm;
    this.$('.summary').textContent = summary;
    for (const chart of [this.loss, this.acc, this.heat, this.stats, this.hidden]) chart.clear();
    this.seen.clear();
    this.latest = undefined;
    this.frames = 0; this.firstFrameAt = 0; this.busyMs = 0;
    Object.assign(this.el.dataset, { span: '', seen: '', epochLoss: '', samplesPerSec: '', batches: '0', status: '' });
    const verdict = this.$('.verdict');
    verdict.textContent = '–'; verdict.dataset.status = '';
    this.$('.advice').replaceChildren();
    for (const cls of ['.batches', '.loss', '.acc']) this.$(cls).textContent = '–';
    this.setState('starting', 'starting the worker…');

    const model = buildModel(c);
    const trainer = this.trainer = await createTrainer(model);
    const monitor = callbacks.gradientMonitor({ every: c.every, onReport: (r, at) => this.report(r, at.step + 1) });
    const batchesPerEpoch = Math.ceil(data.y.shape[0] / c.batchSize);
    const epochEnd = {
      onEpochEnd: async (epoch: number, logs: Record<string, number> = {}) => {
        if (epoch === 0) this.el.dataset.epochLoss = String(logs.loss);
        const step = (epoch + 1) * batchesPerEpoch;
        if (logs.accuracy !== undefined) {
          this.acc.line('train accuracy (epoch mean)', COLORS[0]).points.push([step, logs.accuracy]);
          this.$('.acc').textContent = `${(100 * logs.accuracy).toFixed(1)}%`;
        }
        this.loss.line('epoch mean', COLORS[1], true).points.push([step, logs.loss]);
        this.redraw();
      },
    };
    this.setState('training', 'training in a Web Worker…');
    const started = performance.now();
    try {
      const history = await trainer.fit(data.x, data.y, { ...fitOptions(c), callbacks: [monitor, epochEnd] });
      const seconds = (performance.now() - started) / 1000;
      const batches = history.epoch.length * batchesPerEpoch;
      this.el.dataset.samplesPerSec = String((history.epoch.length * data.y.shape[0]) / seconds);
      this.el.dataset.busyPerSec = String(this.busyMs / seconds);
      const stopped = history.epoch.length < c.epochs;
      this.setState(stopped ? 'stopped' : 'done', `${stopped ? 'stopped' : 'done'}: ${history.epoch.length} epoch(s), ${batches} batches in ${seconds.toFixed(1)} s`);
    } catch (e) {
      this.setState('error', `failed: ${(e as Error).message}`);
    } finally {
      this.redraw();
    }
  }

  async stop(): Promise<void> { await this.trainer?.stop(); }

  /** One gradient report: a heat-map column, the loss point, the latest per-layer statistics and verdict. */
  private report(r: GradientReport, step: number): void {
    const t0 = performance.now();
    // One row per kernel, those inside residual blocks included (each block's layers are one entry of the report).
    const kernels = r.layers.flatMap((l) => l.weights.filter((w) => w.name.endsWith('/kernel') && !w.name.includes('_projection')));
    this.heat.push(step, kernels.map((w) => w.name.split('/').slice(-2, -1)[0] ?? w.name), kernels.map((w) => w.gradNorm));
    this.loss.line('train loss (epoch mean so far)', COLORS[0]).points.push([step, r.loss]);
    // The outputs of activations: with batch norm, the Activation layers (Dense and BN outputs are linear).
    const shown = r.layers.filter((l, i) => l.className !== 'BatchNormalization' && !l.name.startsWith('residual_add')
      && (!this.batchNorm || l.className === 'Activation' || i === r.layers.length - 1));
    this.stats.set(shown.map((l) => ({
      name: l.name, std: l.activationStd, dead: l.deadFraction, saturated: l.saturatedFraction,
    })));
    const h = r.layers.find((l) => l.hiddenGradNorms?.length)?.hiddenGradNorms;
    if (h) {
      // Reported for t = T…1; drawn against t.
      const s = this.hidden.line('‖dL/dh_t‖', COLORS[0]);
      s.points = h.map((v, i) => [h.length - i, v] as [number, number]).reverse();
    }
    this.seen.add(r.status);
    const range = this.heat.range();
    Object.assign(this.el.dataset, {
      status: r.status, seen: [...this.seen].join(','), batches: String(step),
      span: range ? String(range[1] - range[0]) : '',
      hiddenRatio: h ? String(h[h.length - 1] / h[0]) : '',
    });
    this.latest = r;
    this.redraw();
    this.busyMs += performance.now() - t0;
  }

  /** Draw on a coming animation frame, at most one every FRAME_MS. */
  redraw(): void {
    if (this.frame) return;
    const wait = Math.max(0, this.lastDraw + FRAME_MS - performance.now());
    this.frame = window.setTimeout(() => requestAnimationFrame(() => { this.frame = 0; this.draw(); }), wait);
  }

  private draw(): void {
    const t0 = this.lastDraw = performance.now();
    if (this.latest) { this.frames++; this.firstFrameAt ||= this.lastDraw; }
    this.loss.draw(); this.acc.draw(); this.heat.draw(); this.stats.draw(); this.hidden.draw();
    const r = this.latest;
    if (!r) return;
    const verdict = this.$('.verdict');
    verdict.textContent = r.status + (r.culprits.length ? ` (${r.culprits.slice(0, 3).join(', ')}${r.culprits.length > 3 ? ', …' : ''})` : '');
    verdict.dataset.status = r.status;
    this.$('.batches').textContent = this.el.dataset.batches ?? '';
    this.$('.loss').textContent = Number.isFinite(r.loss) ? r.loss.toFixed(4) : String(r.loss);
    // The first few pieces of advice (a vanishing deep net has one per layer).
    const advice = r.advice.length ? r.advice.slice(0, 4) : ['no problems found'];
    if (r.advice.length > 4) advice.push(`… and ${r.advice.length - 4} more like these`);
    this.$('.advice').replaceChildren(...advice.map((a) => Object.assign(document.createElement('li'), { textContent: a })));
    this.busyMs += performance.now() - t0;
  }

  async dispose(): Promise<void> {
    await this.trainer?.terminate();
    this.el.remove();
  }
}
