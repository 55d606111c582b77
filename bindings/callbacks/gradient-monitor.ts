/**
 * GradientMonitor: every `every` batches during fit, the gradient report's statistics for that
 * batch — from the activations and gradients the step left in planned memory, read by kernels —
 * with the update the optimizer actually made (weights snapshotted before the step). Each
 * layer's kernel gradient norm goes into the batch logs and, as the epoch's last value, into the
 * epoch logs and so the History (`gradNorm/<layer>`), ready to plot.
 */
import { Callback, type Logs } from './callback.js';
import { collectLayerStats } from '../diagnostics/layer-stats.js';
import { defaultThresholds, diagnose, signalPaths, type GradientReport, type GradientThresholds } from '../diagnostics/gradient-report.js';
import type { Weight } from '../layers/layer.js';
import type { EngineModel } from '../engine/model-api.js';

export interface GradientMonitorArgs {
  /** Measure every N batches (default 100; batches count across epochs). */
  every?: number;
  /** Receives each report. */
  onReport?: (report: GradientReport, at: { epoch: number; batch: number; step: number }) => void;
  /** Also estimate spectral norms (30 matrix-vector products per kernel; default false). */
  spectralNorm?: boolean;
  thresholds?: Partial<GradientThresholds>;
}

export interface MonitorRecord { epoch: number; batch: number; step: number; gradNorms: Record<string, number>; status: string }

export class GradientMonitor extends Callback {
  readonly every: number;
  /** Every measurement: per-layer kernel gradient norms and the verdict. */
  readonly records: MonitorRecord[] = [];
  /** The last report. */
  last?: GradientReport;
  private step = 0;
  private epoch = 0;
  private snapshot = 0;
  private snapshotFloats = 0;
  private lastNorms: Record<string, number> = {};

  constructor(private readonly args: GradientMonitorArgs = {}) {
    super();
    this.every = args.every ?? 100;
    if (!Number.isInteger(this.every) || this.every <= 0) throw new Error(`gradientMonitor: every must be a positive integer, got ${this.every}`);
  }

  private get net(): EngineModel { return this.model as unknown as EngineModel; }

  override async onTrainBegin(): Promise<void> { this.step = 0; }
  override async onEpochBegin(epoch: number): Promise<void> { this.epoch = epoch; this.lastNorms = {}; }

  override async onBatchBegin(): Promise<void> {
    if (this.step % this.every !== 0) return;
    const { be, params } = this.net.engine;
    if (this.snapshotFloats !== params.trainableFloats) {
      if (this.snapshot) be.free(this.snapshot);
      this.snapshot = be.alloc(Math.max(params.trainableFloats, 1) * 4);
      this.snapshotFloats = params.trainableFloats;
    }
    // Each weight's values at its gradient's offset.
    for (const w of params.trainable) be.copy(this.snapshot + (params.gradOf.get(w)! - params.grads), w.ptr, w.size);
  }

  override async onBatchEnd(batch: number, logs: Logs = {}): Promise<void> {
    const step = this.step++;
    if (step % this.every !== 0) return;
    const model = this.net;
    const e = model.engine, { be, params } = e;
    const updateNorms = new Map<Weight, number>();
    for (const w of params.trainable) {
      updateNorms.set(w, Math.sqrt(be.sumSquaredDiff(w.ptr, this.snapshot + (params.gradOf.get(w)! - params.grads), w.size)));
    }
    const layers = collectLayerStats(e, updateNorms, this.args.spectralNorm ?? false);
    const report = diagnose(layers, logs.loss ?? NaN, { ...defaultThresholds, ...this.args.thresholds }, undefined, signalPaths(e));
    const gradNorms: Record<string, number> = {};
    for (const l of layers) if (l.weights.length) gradNorms[l.name] = l.weights[0].gradNorm;
    for (const [k, v] of Object.entries(gradNorms)) logs[`gradNorm/${k}`] = v;
    this.lastNorms = gradNorms;
    this.records.push({ epoch: this.epoch, batch, step, gradNorms, status: report.status });
    this.last = report;
    this.args.onReport?.(report, { epoch: this.epoch, batch, step });
  }

  override async onEpochEnd(_epoch: number, logs: Logs = {}): Promise<void> {
    for (const [k, v] of Object.entries(this.lastNorms)) logs[`gradNorm/${k}`] = v;
  }

  override async onTrainEnd(): Promise<void> {
    if (this.snapshot) this.net.engine.be.free(this.snapshot);
    this.snapshot = 0;
    this.snapshotFloats = 0;
  }
}

export const gradientMonitor = (args?: GradientMonitorArgs) => new GradientMonitor(args);
