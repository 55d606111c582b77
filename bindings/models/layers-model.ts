/**
 * LayersModel: a graph of layers trained on the engine (bindings/engine/). Functional models
 * (`model({ inputs, outputs })`) and Sequential, a chain, are both this class. `compile` picks
 * the losses, optimizer and metrics per output; `fit` streams shuffled batches through forward →
 * losses → backward → optimizer, every step a handful of kernel calls over memory planned once.
 */
import type { Backend } from '../backend/backend.js';
import { backend } from '../backend/index.js';
import { besideOf } from '../backend/threads/index.js';
import { Callback, CallbackList, type CallbackHooks, type Logs } from '../callbacks/callback.js';
import { History } from '../callbacks/history.js';
import { ProgressLogger } from '../callbacks/progress.js';
import { Layer, type NodeIO, type RunContext } from '../layers/layer.js';
import { layerToJSON } from '../layers/registry.js';
import { getLoss, isSparse, type Loss, type LossName } from '../losses.js';
import { finalizeMetric, getMetric, type Metric, type MetricIdentifier } from '../metrics.js';
import { gradientReport, type GradientReport, type GradientThresholds } from '../diagnostics/gradient-report.js';
import { getOptimizer, Optimizer } from '../optimizers/index.js';
import { random } from '../random.js';
import { Tensor } from '../tensor.js';
import { InputLayer } from '../graph/input-layer.js';
import type { SymbolicTensor } from '../graph/symbolic-tensor.js';
import { applyLayer } from '../graph/symbolic-tensor.js';
import { topology as findTopology, type Topology } from '../graph/topology.js';
import { Executor, type OutputSpec } from '../engine/executor.js';
import { shapeStr, type Labels, type Targets } from './data.js';
import { checkInputs, checkOutputs, type ModelInputs, type ModelTargets } from './model-data.js';
import { saveModel } from '../io/save.js';
import { isKerasPath, saveKerasFile } from '../io/keras-files.js';
import type { IOHandler, SaveResult } from '../io/types.js';
import type { GraphModelJSON, ModelJSON } from './model-json.js';

export type LossIdentifier = LossName | string | Loss;

export interface CompileArgs {
  optimizer: string | Optimizer;
  /** One loss for every output, an array in output order, or an object keyed by output name. */
  loss: LossIdentifier | LossIdentifier[] | Record<string, LossIdentifier>;
  /** Metrics (names or `metrics.*({ ... })`) for every output, an array of arrays in output order, or an object keyed by output name. */
  metrics?: MetricIdentifier[] | MetricIdentifier[][] | Record<string, MetricIdentifier[]>;
  /** Weights of the outputs' losses in the total loss (default 1 each). */
  lossWeights?: number[] | Record<string, number>;
}

export interface FitArgs {
  epochs?: number;
  /** Samples per step (default 32); the last partial batch is trained too. */
  batchSize?: number;
  /** Shuffle the training samples every epoch, from the seeded stream (default true). */
  shuffle?: boolean;
  /** Fraction of the samples, taken from the end before shuffling, held out for validation. */
  validationSplit?: number;
  validationData?: [ModelInputs, ModelTargets];
  /** 0 silent, 1 progress bar on a TTY and one line per epoch otherwise. */
  verbose?: 0 | 1;
  callbacks?: CallbackHooks | CallbackHooks[];
  /** Epoch to start counting from (for resuming). */
  initialEpoch?: number;
}

export interface EvaluateArgs { batchSize?: number; verbose?: 0 | 1 }
export interface PredictArgs { batchSize?: number }

interface Compiled {
  optimizer: Optimizer;
  metrics: Metric[][];
  /** Where each output's loss and metrics are summed; metricStates: where a counting metric's counts start (-1 for none). */
  slots: { lossSlot: number; metricSlots: number[]; metricStates: number[] }[];
  /** Floats of the sums: a slot per key, then the counting metrics' states (precision, recall, auc). */
  sumFloats: number;
  /** Per output, once the graph is known (outputSpecs). */
  specs?: OutputSpec[];
  /** History keys, in the order of the sums. */
  keys: string[];
  /** The arguments as given, in plain form (compileConfig). */
  losses: Loss[];
  metricNames: MetricIdentifier[][];
  lossWeights: number[];
}

/** Whether a callback's hook does something (the Callback base class's no-ops do not count). */
function overrides(c: CallbackHooks, hook: 'onBatchBegin' | 'onBatchEnd'): boolean {
  const fn = c[hook];
  return typeof fn === 'function' && fn !== Callback.prototype[hook];
}

export class LayersModel {
  static className = 'Model';
  readonly name: string;
  /** Set to true (e.g. from a callback) to stop `fit` after the current batch. */
  stopTraining = false;
  protected graph?: Topology;
  private exec?: Executor;
  private compiled?: Compiled;
  private disposed = false;
  private fitting = false;
  private asLayerCache?: ModelLayer;

  constructor(args: { name?: string; inputs?: SymbolicTensor | SymbolicTensor[]; outputs?: SymbolicTensor | SymbolicTensor[] } = {}) {
    this.name = args.name ?? uniqueModelName((this.constructor as { className?: string }).className === 'Sequential' ? 'sequential' : 'model');
    if (args.inputs !== undefined || args.outputs !== undefined) {
      const list = (v: SymbolicTensor | SymbolicTensor[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
      this.graph = findTopology(list(args.inputs), list(args.outputs), this.name);
      this.checkOutputs();
    }
  }

  private checkOutputs(): void {
    const g = this.graph!;
    g.outputs.forEach((t) => {
      if (t.node.layer instanceof InputLayer) throw new Error(`${this.name}: output '${t.name}' is one of the inputs; an output must be computed by a layer`);
    });
  }

  /** @internal The graph, once the model knows it (Sequential: once its input shape is known). */
  get topology(): Topology | undefined { return this.graph; }

  /** Layers in Keras order (input layers included for functional models). */
  get layers(): Layer[] { return this.graph?.layers ?? []; }
  get inputs(): SymbolicTensor[] { return this.graph?.inputs ?? []; }
  get outputs(): SymbolicTensor[] { return this.graph?.outputs ?? []; }
  get inputNames(): string[] { return this.inputs.map((t) => t.name); }
  get outputNames(): string[] { return this.outputs.map((t) => t.name); }

  /** True when every layer knows its input shape (its weights are declared and drawn). */
  get built(): boolean { return this.graph !== undefined; }
  get inputShape(): number[] { return this.inputs[0]?.shape ?? []; }
  get outputShape(): number[] { return this.outputs[0]?.shape ?? []; }
  /** The compiled optimizer (callbacks change its learningRate). */
  get optimizer(): Optimizer | undefined { return this.compiled?.optimizer; }

  /**
   * The engine behind this model (its plans and executor): the documented internal API that
   * diagnostics, io, callbacks and the worker use. Builds the model's memory if needed.
   */
  get engine(): Executor {
    this.checkAlive('engine');
    return this.ensureEngine();
  }

  /** The engine if the model has planned its memory already. */
  get plannedEngine(): Executor | undefined { return this.exec; }

  /** The compile arguments as plain data (optimizer class and config, loss, metric names), or undefined before compile. */
  get compileConfig(): { optimizer: { className: string; config: Record<string, unknown> }; loss: Loss | Loss[]; metrics: MetricIdentifier[] | MetricIdentifier[][];
    lossWeights?: number[] } | undefined {
    const c = this.compiled;
    if (!c) return undefined;
    const single = c.losses.length === 1;
    return {
      optimizer: { className: c.optimizer.className, config: c.optimizer.getConfig() },
      loss: single ? { ...c.losses[0] } : c.losses.map((l) => ({ ...l })),
      metrics: single ? c.metricNames[0].map(copyMetricId) : c.metricNames.map((m) => m.map(copyMetricId)),
      ...(!single && { lossWeights: [...c.lossWeights] }),
    };
  }

  /** @internal Make the graph known (Sequential builds its chain here, from `sampleShape` if it has no input shape); returns it. */
  requireGraph(what: string, _sampleShape?: number[]): Topology {
    if (!this.graph) throw new Error(`${what}: ${this.name} has no graph`);
    return this.graph;
  }

  /** Plan the model's parameters on `be` (default: the current backend). */
  build(_inputShape?: number[], be?: Backend): void {
    this.checkAlive('build');
    if (this.exec) return;
    this.requireGraph('build', _inputShape);
    this.ensureEngine(be);
  }

  private ensureEngine(be?: Backend): Executor {
    if (this.exec) return this.exec;
    const g = this.requireGraph('build');
    this.exec = new Executor(be ?? backend(), g, this, this.name);
    if (this.compiled) this.attach();
    return this.exec;
  }

  compile(args: CompileArgs): void {
    this.checkAlive('compile');
    if (this.fitting) throw new Error(`compile: ${this.name} is training (fit is running); compile after fit returns`);
    if (!args || typeof args !== 'object') throw new Error('compile: expected { optimizer, loss, metrics? }');
    // A Sequential whose input shape is not known yet has one output, named once it is built.
    const names = this.graph ? this.outputNames : ['output'];
    const perOutput = <T>(v: unknown, what: string, isOne: (v: unknown) => boolean, fallback?: T): T[] => {
      if (v === undefined && fallback !== undefined) return names.map(() => fallback);
      if (isOne(v)) return names.map(() => v as T);
      if (Array.isArray(v)) {
        if (v.length !== names.length) throw new Error(`compile: ${what} has ${v.length} entries for ${names.length} outputs [${names.join(', ')}]`);
        return v as T[];
      }
      if (v && typeof v === 'object') {
        const rec = v as Record<string, T>;
        for (const k of Object.keys(rec)) if (!names.includes(k)) throw new Error(`compile: ${what} names '${k}', which is not an output of ${this.name} [${names.join(', ')}]`);
        return names.map((n) => {
          if (rec[n] === undefined) {
            if (fallback !== undefined) return fallback;
            throw new Error(`compile: ${what} has no entry for output '${n}'`);
          }
          return rec[n];
        });
      }
      throw new Error(`compile: ${what} must be given per output (an array or an object keyed by output name), got ${String(v)}`);
    };
    const isLossOne = (v: unknown) => typeof v === 'string' || (!!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Loss).name === 'string'
      && !names.includes((v as Loss).name as string));
    if (args.loss === undefined || args.loss === null) throw new Error(`compile: loss is required (e.g. 'sparseCategoricalCrossentropy')`);
    const losses = perOutput<LossIdentifier>(args.loss, 'loss', isLossOne).map((l) => getLoss(l));
    if (args.metrics !== undefined && (args.metrics === null || typeof args.metrics !== 'object')) {
      throw new Error(`compile: metrics must be an array of names, got ${typeof args.metrics}`);
    }
    const metricsOne = (v: unknown) => Array.isArray(v) && v.every((m) => typeof m === 'string' || (!!m && typeof m === 'object' && !Array.isArray(m)));
    const metricNames = perOutput<MetricIdentifier[]>(args.metrics, 'metrics', metricsOne, []).map((ms) => ms.map(copyMetricId));
    const lossWeights = perOutput<number>(args.lossWeights, 'lossWeights', (v) => typeof v === 'number', 1);
    lossWeights.forEach((w, i) => {
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new Error(`compile: lossWeights for output '${names[i]}' must be a finite number ≥ 0, got ${String(w)}`);
    });
    const metrics = metricNames.map((ms, i) => ms.map((m) => getMetric(m, losses[i])));
    const optimizer = getOptimizer(args.optimizer);
    const owner = optimizerOwners.get(optimizer);
    if (owner && owner.model !== this && !owner.model.isDisposed) {
      throw new Error(`compile: this ${optimizer.className} optimizer was given to model '${owner.model.name}' already; `
        + `${this.name} needs its own (create one per model)`);
    }
    // Keras 3 History keys: one output → loss, accuracy; several → loss, <out>_loss, <out>_<metric>.
    const single = names.length === 1;
    const keys = ['loss'];
    const slots = names.map((name, i) => ({
      lossSlot: single ? -1 : keys.push(`${name}_loss`) - 1,
      metricSlots: metrics[i].map((m) => keys.push(single ? m.key : `${name}_${m.key}`) - 1),
      metricStates: [] as number[],
    }));
    // Counting metrics keep their counts after the keys' slots, in the same sums (zeroed with them).
    let sumFloats = keys.length;
    slots.forEach((sl, i) => { sl.metricStates = metrics[i].map((m) => (m.stateSize ? (sumFloats += m.stateSize) - m.stateSize : -1)); });
    // A layer frozen or unfrozen since the last compile takes effect now (Keras): new gradients, new optimizer state.
    const retrained = this.exec?.refreshTrainable() ?? false;
    if (this.compiled && (this.compiled.optimizer !== optimizer || retrained)) this.compiled.optimizer.dispose();
    if (retrained && optimizer.attached) optimizer.dispose();
    optimizerOwners.set(optimizer, { model: this });
    this.compiled = { optimizer, keys, losses, metricNames, lossWeights, metrics, slots, sumFloats };
    if (this.exec) this.attach();
  }

  /** The compiled losses per output, with their target sizes (the graph must be known). */
  private outputSpecs(): OutputSpec[] {
    const c = this.compiled!;
    if (c.specs) return c.specs;
    const g = this.requireGraph('compile'), names = this.outputNames;
    c.specs = g.outputs.map((t, i) => {
      const sparse = isSparse(c.losses[i]);
      const targetFloats = sparse ? t.shape.slice(0, -1).reduce((a, b) => a * b, 1) : t.shape.reduce((a, b) => a * b, 1);
      return { name: names[i], loss: c.losses[i], lossWeight: c.lossWeights[i], metrics: c.metrics[i], ...c.slots[i], fused: false, targetFloats };
    });
    return c.specs;
  }

  /** Bind the compiled losses and optimizer to the planned memory. */
  private attach(): void {
    const c = this.compiled!, e = this.exec!;
    e.setOutputs(this.outputSpecs());
    if (!c.optimizer.attached) {
      const slots = e.params.trainable.map((w) => ({ ptr: w.ptr, gradPtr: e.params.gradOf.get(w)!, size: w.size }));
      c.optimizer.build(e.be, e.params.grads, e.params.trainableFloats, slots, this, this.name);
    }
  }

  private requireCompiled(what: string): Compiled {
    if (!this.compiled) throw new Error(`${what}: ${this.name} is not compiled; call compile({ optimizer, loss }) first`);
    return this.compiled;
  }

  /** Plan memory if needed and make the activations hold `batch` samples. */
  private prepare(batch: number, inputGrad = false): Executor {
    const e = this.ensureEngine();
    if (this.compiled && !this.compiled.optimizer.attached) this.attach();
    e.prepare(batch, inputGrad);
    return e;
  }

  /** Input shapes to check data against (Sequential before its first build: from the data). */
  protected expectedInputShapes(x: unknown): number[][] {
    return this.requireGraph('fit', x instanceof Tensor ? x.shape.slice(1) : undefined).inputs.map((t) => t.shape);
  }

  private checkX(x: unknown, arg = 'x'): Tensor[] {
    const shapes = this.expectedInputShapes(x);
    const xs = checkInputs(x, this.inputNames, shapes, arg, this.inputLabels());
    // Layers that read an input directly check its values up front (an Embedding's token ids).
    const g = this.graph!;
    for (const node of g.nodes) {
      node.inputs.forEach((t) => {
        const i = g.inputs.indexOf(t);
        if (i >= 0) (node.layer as Layer).checkInputData(xs[i].values, xs.length > 1 ? `${arg}[${i}]` : arg);
      });
    }
    return xs;
  }

  /** How errors about an input name it: the input layer (Sequential: its first layer). */
  protected inputLabels(): string[] {
    return this.inputNames.map((n) => `input '${n}'`);
  }

  private checkY(y: unknown, n: number, arg = 'y'): Targets[] {
    return checkOutputs(y, n, this.outputNames, this.outputSpecs().map((s, i) => ({ sparse: isSparse(s.loss), shape: this.outputs[i].shape, lossName: s.loss.name })), arg);
  }

  /** Copy rows of every input (and target) into the planned buffers. */
  private load(xs: Tensor[], ys: Targets[] | undefined, order: Int32Array | null, start: number, count: number): void {
    const e = this.exec!, acts = e.acts!;
    for (let i = 0; i < xs.length; i++) e.be.writeRows(acts.inputs[i], xs[i].values, xs[i].size / xs[i].shape[0], order, start, count, false);
    if (ys) for (let i = 0; i < ys.length; i++) e.be.writeRows(acts.targets[i], ys[i].values, ys[i].perSample, order, start, count, ys[i].int);
  }

  /** Validate a batch and load it into planned memory; returns its size. */
  private loadOneBatch(x: ModelInputs, y: ModelTargets, what: string, inputGrad = false): number {
    this.checkAlive(what);
    this.requireCompiled(what);
    const xs = this.checkX(x);
    const n = xs[0].shape[0];
    const ys = this.checkY(y, n);
    this.prepare(n, inputGrad);
    this.load(xs, ys, null, 0, n);
    return n;
  }

  private newSums(): Float64Array { return new Float64Array(this.compiled!.sumFloats); }

  /**
   * Forward and backward on one batch (all of x) into the model's gradient buffer, weights
   * untouched (BatchNormalization's moving statistics included). Returns the mean loss and copies
   * of the gradients in getWeights() order (zeros for non-trainable weights).
   */
  computeGradients(x: ModelInputs, y: ModelTargets): { loss: number; grads: Tensor[] } {
    const n = this.loadOneBatch(x, y, 'computeGradients');
    const sums = this.newSums();
    this.keepingFrozen(() => this.exec!.backwardPass(n, sums));
    return { loss: sums[0] / n, grads: this.getGradients() };
  }

  /** Run `f` and put the non-trainable weights (moving statistics a training pass updates) back as they were. */
  keepingFrozen<T>(f: () => T): T {
    const e = this.engine, frozen = e.params.weights.filter((w) => !w.trainable && w.size > 0);
    const saved = frozen.map((w) => e.be.read(w.ptr, w.size).slice());
    try {
      return f();
    } finally {
      frozen.forEach((w, i) => e.be.write(w.ptr, saved[i]));
    }
  }

  /** The gradient buffer's current contents, in getWeights() order (zeros for non-trainable weights). */
  getGradients(): Tensor[] {
    this.checkAlive('getGradients');
    if (!this.exec) throw new Error(`getGradients: ${this.name} is not built`);
    const e = this.exec;
    return e.params.weights.map((w) => {
      const g = e.params.gradOf.get(w);
      return new Tensor(g ? e.be.read(g, w.size) : new Float32Array(w.size), w.shape);
    });
  }

  /**
   * Per-layer gradient health on one batch (weights untouched): statistics, a status
   * ('healthy' | 'vanishing' | 'exploding' | 'dead' | 'nonfinite'), the culprits and advice.
   */
  gradientReport(x: ModelInputs, y: ModelTargets, thresholds: Partial<GradientThresholds> = {}): GradientReport {
    this.checkAlive('gradientReport');
    return gradientReport(this, x, y, thresholds);
  }

  /** Run the compiled optimizer (with its clipping options) on the gradient buffer's contents. */
  applyGradients(): void {
    this.checkAlive('applyGradients');
    const c = this.requireCompiled('applyGradients');
    if (!this.exec) throw new Error(`applyGradients: ${this.name} is not built; call computeGradients(x, y) first`);
    if (!c.optimizer.attached) this.attach();
    c.optimizer.apply();
  }

  /** One optimizer step on one batch (all of x); returns the batch's logs `{ loss, ...metrics }`, as Keras. */
  trainOnBatch(x: ModelInputs, y: ModelTargets): Logs {
    const n = this.loadOneBatch(x, y, 'trainOnBatch');
    const sums = this.newSums();
    this.exec!.backwardPass(n, sums);
    this.compiled!.optimizer.apply();
    return means(this.compiled!, sums, n);
  }

  /** Diagnostics: loss and gradients on one batch, including dL/dx where asked (engine.acts.inputGrads). */
  probe(x: ModelInputs, y: ModelTargets, withInputGrad: boolean): number {
    const n = this.loadOneBatch(x, y, 'gradCheck', withInputGrad);
    const sums = this.newSums();
    this.exec!.backwardPass(n, sums);
    return sums[0] / n;
  }

  /** Diagnostics: the mean loss on one batch (training-mode forward, no backward); `rawInputs` override the inputs' values (float64 probes). */
  probeLoss(x: ModelInputs, y: ModelTargets, rawInputs?: ArrayLike<number>[]): number {
    const n = this.loadOneBatch(x, y, 'gradCheck');
    if (rawInputs) rawInputs.forEach((v, i) => this.exec!.be.write(this.exec!.acts!.inputs[i], v));
    const sums = this.newSums();
    this.exec!.forwardLoss(n, true, sums);
    return sums[0] / n;
  }

  async fit(x: ModelInputs, y: ModelTargets, args: FitArgs = {}): Promise<History> {
    this.checkAlive('fit');
    this.checkNotFitting('fit');
    const c = this.requireCompiled('fit');
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      throw new Error(`fit: options must be an object such as { epochs: 5, batchSize: 32 }, got ${JSON.stringify(args) ?? typeof args}`);
    }
    const epochs = args.epochs ?? 1;
    const batchSize = args.batchSize ?? 32;
    checkPositiveInt('epochs', epochs);
    checkPositiveInt('batchSize', batchSize);
    const initialEpoch = args.initialEpoch ?? 0;
    if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new Error(`fit: initialEpoch must be a non-negative integer, got ${initialEpoch}`);
    const split = args.validationSplit ?? 0;
    if (!(split >= 0 && split < 1)) throw new Error(`fit: validationSplit must be in [0, 1), got ${split}`);
    if (args.validationData && split > 0) throw new Error('fit: give validationData or validationSplit, not both');
    if (args.verbose !== undefined && args.verbose !== 0 && args.verbose !== 1) throw new Error(`fit: verbose must be 0 or 1, got ${args.verbose}`);

    const xs = this.checkX(x);
    let nTrain = xs[0].shape[0];
    const ys = this.checkY(y, nTrain);
    let val: { x: Tensor[]; y: Targets[] } | undefined;
    if (args.validationData) {
      if (!Array.isArray(args.validationData) || args.validationData.length !== 2) throw new Error('fit: validationData must be [x, y]');
      const vx = this.checkX(args.validationData[0], 'validationData[0]');
      val = { x: vx, y: this.checkY(args.validationData[1], vx[0].shape[0], 'validationData[1]') };
    } else if (split > 0) {
      const nVal = Math.floor(nTrain * split);
      if (nVal === 0 || nVal === nTrain) throw new Error(`fit: validationSplit ${split} of ${nTrain} samples leaves ${nVal} for validation and ${nTrain - nVal} for training`);
      const all = nTrain;
      nTrain -= nVal;
      val = { x: xs.map((t) => sliceRows(t, nTrain, all)), y: ys.map((t) => sliceTargets(t, nTrain, all)) };
    }

    // Activations for a batch, never for more samples than there are.
    const e = this.prepare(Math.min(batchSize, nTrain));
    const steps = Math.ceil(nTrain / batchSize);
    const hooks = callbackList(args.callbacks);
    for (const h of hooks) (h as { setModel?: (m: LayersModel) => void }).setModel?.(this);
    const verbose = args.verbose ?? 1;
    const list = new CallbackList([...(verbose ? [new ProgressLogger(epochs, steps, nTrain)] : []), ...hooks]);
    const history = new History();
    history.params = { epochs, batchSize, samples: nTrain, steps, verbose };
    const sums = this.newSums();
    const order = new Int32Array(nTrain);
    for (let i = 0; i < nTrain; i++) order[i] = i;
    const batchHooks = list.callbacks.filter((h) => overrides(h, 'onBatchBegin') || overrides(h, 'onBatchEnd'));
    const batchList = new CallbackList(batchHooks);
    const rng = random();
    this.stopTraining = false;
    const load = (step: number) => {
      const start = step * batchSize;
      this.load(xs, ys, order, start, Math.min(batchSize, nTrain - start));
    };
    // Made once: a training step allocates nothing.
    let next = 0;
    const applyOptimizer = () => c.optimizer.apply(), loadNext = () => load(next);
    const beside = besideOf(e.be);

    this.fitting = true;
    try {
      await list.call('onTrainBegin');
      let lastYield = performance.now();
      for (let epoch = initialEpoch; epoch < epochs && !this.stopTraining; epoch++) {
        await list.call('onEpochBegin', epoch);
        if (args.shuffle ?? true) {
          for (let i = nTrain - 1; i > 0; i--) { const j = rng.int(i + 1); const t = order[i]; order[i] = order[j]; order[j] = t; }
        }
        sums.fill(0);
        let seen = 0, loadedAt = -1;
        for (let step = 0; step < steps; step++) {
          const start = step * batchSize, count = Math.min(batchSize, nTrain - start);
          if (batchHooks.length) await batchList.call('onBatchBegin', step, { batch: step, size: count });
          // A prefetched batch is valid only if nothing ran the model since (a callback's predict, say).
          if (loadedAt !== e.passes) load(step);
          e.backwardPass(count, sums);
          // The batch is no longer read once the gradients are in: on a thread pool, load the next
          // one while the workers run the optimizer step.
          const prefetch = step + 1 < steps && beside !== undefined;
          next = step + 1;
          if (prefetch) beside(applyOptimizer, loadNext);
          else applyOptimizer();
          loadedAt = prefetch ? e.passes : -1;
          seen += count;
          if (batchHooks.length) await batchList.call('onBatchEnd', step, { batch: step, size: count, ...means(c, sums, seen) });
          if (this.stopTraining) break;
          // Let timers and messages (a Stop button, a worker's stop()) run now and then.
          if (performance.now() - lastYield > 50) { await yieldToEventLoop(); lastYield = performance.now(); }
          if (this.disposed) throw new Error(`fit: ${this.name} was disposed during fit`);
        }
        const logs: Logs = means(c, sums, seen);
        if (val) {
          const v = this.evaluateResolved(val.x, val.y, batchSize);
          for (const [k, value] of Object.entries(v)) logs[`val_${k}`] = value;
        }
        await list.call('onEpochEnd', epoch, logs);
        history.record(epoch, logs);
      }
      await list.call('onTrainEnd');
    } finally {
      this.fitting = false;
    }
    return history;
  }

  /** Loss and metrics over a data set, in inference mode: `{ loss, accuracy, … }`. */
  async evaluate(x: ModelInputs, y: ModelTargets, args: EvaluateArgs = {}): Promise<Logs> {
    this.checkAlive('evaluate');
    this.requireCompiled('evaluate');
    const batchSize = args.batchSize ?? 32;
    checkPositiveInt('batchSize', batchSize);
    const xs = this.checkX(x);
    const ys = this.checkY(y, xs[0].shape[0]);
    this.prepare(Math.min(batchSize, xs[0].shape[0]));
    return this.evaluateResolved(xs, ys, batchSize);
  }

  private evaluateResolved(xs: Tensor[], ys: Targets[], batchSize: number): Logs {
    const c = this.compiled!, e = this.exec!;
    const sums = this.newSums();
    const n = xs[0].shape[0];
    const step = Math.min(batchSize, e.acts!.batch);
    for (let start = 0; start < n; start += step) {
      const count = Math.min(step, n - start);
      this.load(xs, ys, null, start, count);
      e.forwardLoss(count, false, sums);
    }
    return means(c, sums, n);
  }

  /** Outputs for every sample, in inference mode: a Tensor [n, ...outputShape], or one per output. */
  predict(x: ModelInputs, args: PredictArgs = {}): Tensor | Tensor[] {
    this.checkAlive('predict');
    const batchSize = args.batchSize ?? 32;
    checkPositiveInt('batchSize', batchSize);
    const xs = this.checkX(x);
    const e = this.prepare(Math.min(batchSize, xs[0].shape[0]));
    const n = xs[0].shape[0], outs = this.outputs;
    const results = outs.map((t) => new Float32Array(n * e.graph.outputs[outs.indexOf(t)].size));
    const step = Math.min(batchSize, e.acts!.batch);
    for (let start = 0; start < n; start += step) {
      const count = Math.min(step, n - start);
      this.load(xs, undefined, null, start, count);
      e.forward(count, false);
      outs.forEach((_, i) => {
        const per = e.graph.outputs[i].size;
        results[i].set(e.be.read(e.acts!.outputs[i], count * per), start * per);
      });
    }
    const tensors = results.map((r, i) => new Tensor(r, [n, ...outs[i].shape]));
    return tensors.length === 1 ? tensors[0] : tensors;
  }

  /** Weights in Keras order: `layers` in order, each layer's weights in its own order. */
  getWeights(): Tensor[] {
    this.checkAlive('getWeights');
    const e = this.engine;
    return e.params.weights.map((w) => new Tensor(e.be.read(w.ptr, w.size), w.shape));
  }

  /** Replace every weight, in getWeights() order; shapes must match, values must be finite. Nothing changes unless all pass. */
  setWeights(weights: Tensor[], args: { order?: 'keras' | 'tfjs' } = {}): void {
    this.checkAlive('setWeights');
    const e = this.engine;
    if (!Array.isArray(weights) || weights.length !== e.params.weights.length) {
      throw new Error(`setWeights: ${this.name} has ${e.params.weights.length} weights, got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    if (args.order !== undefined && args.order !== 'keras' && args.order !== 'tfjs') {
      throw new Error(`setWeights: order must be 'keras' or 'tfjs', got ${JSON.stringify(args.order)}`);
    }
    // Keras's order (layer by layer), or TF.js's (LayersModel.getWeights: trainable weights first):
    // asked for, or told apart by the shapes (Keras's wins where both fit).
    const keras = e.params.weights, tfjs = [...keras.filter((w) => w.trainable), ...keras.filter((w) => !w.trainable)];
    const fits = (order: typeof keras) => order.every((w, i) => weights[i] instanceof Tensor && shapeStr(weights[i].shape) === shapeStr(w.shape));
    const all = args.order === 'tfjs' || (args.order === undefined && !fits(keras) && fits(tfjs)) ? tfjs : keras;
    all.forEach((w, i) => {
      const t = weights[i];
      if (!(t instanceof Tensor)) throw new Error(`setWeights: weight ${i} (${w.owner}/${w.name}) must be a Tensor`);
      if (shapeStr(t.shape) !== shapeStr(w.shape)) throw new Error(`setWeights: ${w.owner}/${w.name} expects shape ${shapeStr(w.shape)}, got ${shapeStr(t.shape)}`);
      for (let k = 0; k < t.size; k++) {
        if (!Number.isFinite(t.values[k])) throw new Error(`setWeights: ${w.owner}/${w.name} has a non-finite value ${t.values[k]} at index ${k}`);
      }
    });
    all.forEach((w, i) => e.be.write(w.ptr, weights[i].values));
  }

  countParams(): number {
    const seen = new Set<unknown>();
    let n = 0;
    for (const l of this.layers) for (const w of l.weights) if (!seen.has(w)) { seen.add(w); n += w.size; }
    return n;
  }

  /** Rows of the summary table: layer, output shape, parameters, and (graphs) what it is connected to. */
  protected summaryRows(): string[][] {
    const g = this.graph;
    if (!g) return [];
    const inbound = new Map<unknown, string[]>();
    for (const node of g.nodes) {
      const from = node.inputs.map((t) => t.name);
      inbound.set(node.layer, [...(inbound.get(node.layer) ?? []), ...from]);
    }
    const shapes = new Map<unknown, string>();
    for (const t of g.inputs) shapes.set(t.node.layer, shapeStr([null, ...t.shape]));
    for (const node of g.nodes) shapes.set(node.layer, shapeStr([null, ...node.output.shape]));
    return this.layers.map((l) => [`${l.name} (${l.className})`, shapes.get(l) ?? '?', l.countParams().toLocaleString('en-US'),
      (inbound.get(l) ?? []).join(', ') || '-']);
  }

  /** Whether the summary shows the "Connected to" column (functional models). */
  protected get showsConnections(): boolean { return true; }

  /** A table of layers, output shapes and parameter counts; printed with `print` (console.log by default). */
  summary(print: ((line: string) => void) | null = console.log): string {
    const connected = this.showsConnections;
    const rows = this.summaryRows().map((r) => (connected ? r : r.slice(0, 3)));
    const head = ['Layer (type)', 'Output Shape', 'Param #', ...(connected ? ['Connected to'] : [])];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
    const line = (r: string[]) => r.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' ').trimEnd();
    const rule = '─'.repeat(widths.reduce((a, b) => a + b + 1, -1));
    const seen = new Set<unknown>();
    let trainable = 0;
    for (const l of this.layers) for (const w of l.weights) if (!seen.has(w)) { seen.add(w); if (w.trainable) trainable += w.size; }
    const total = this.countParams();
    const text = [
      `Model: "${this.name}"`, rule, line(head), rule, ...rows.map(line), rule,
      `Total params: ${total.toLocaleString('en-US')}`,
      `Trainable params: ${trainable.toLocaleString('en-US')}`,
      `Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`,
    ].join('\n');
    print?.(text);
    return text;
  }

  /**
   * Write the model in the TF.js Layers format: 'file://dir' (Node), 'indexeddb://name', 'downloads://name', or any TF.js IOHandler;
   * a path ending in .keras or .h5 ('file://out/model.keras', 'downloads://model.keras') is written as that Keras file instead (Keras 3 archive, legacy HDF5).
   */
  save(target: string | IOHandler): Promise<SaveResult> {
    return typeof target === 'string' && isKerasPath(target, true) ? saveKerasFile(this, target) : saveModel(this, target);
  }

  /** The model's configuration as plain JSON (no weights): `modelFromJSON` rebuilds it. */
  toJSON(): ModelJSON {
    const g = this.requireGraph('toJSON');
    return graphToJSON(this.name, g);
  }

  /** Bytes this model planned in linear memory, by kind. */
  memoryInfo(): { params: number; grads: number; optimizerState: number; activations: number; total: number } {
    const e = this.exec;
    const params = (e?.params.total ?? 0) * 4, grads = (e?.params.trainableFloats ?? 0) * 4;
    const optimizerState = this.compiled?.optimizer.stateBytes() ?? 0, activations = e?.acts?.bytes ?? 0;
    return { params, grads, optimizerState, activations, total: params + grads + optimizerState + activations };
  }

  /** Return the model's linear memory to the backend. The model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    if (this.fitting) throw new Error(`dispose: ${this.name} is training (fit is running); set model.stopTraining = true and dispose after fit returns`);
    this.compiled?.optimizer.dispose();
    this.exec?.dispose();
    this.exec = undefined;
    this.disposed = true;
  }

  get isDisposed(): boolean { return this.disposed; }

  /**
   * This model as a layer of another model: `autoencoder = model({ inputs, outputs: decoder.apply(encoder.apply(x)) })`.
   * The nested model's layers (and weights) are shared with it.
   */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
    this.checkAlive('apply');
    this.asLayerCache ??= new ModelLayer(this);
    return applyLayer(this.asLayerCache, inputs);
  }

  protected checkAlive(what: string): void {
    if (this.disposed) throw new Error(`${what}: ${this.name} has been disposed`);
  }

  private checkNotFitting(what: string): void {
    if (this.fitting) throw new Error(`${what}: ${this.name} is training (fit is running); wait for fit to return, or stop it with model.stopTraining = true`);
  }
}

/** A model used as a layer in another: its graph runs in place of the node (engine/exec-graph.ts). */
export class ModelLayer extends Layer {
  static className = 'Model';
  constructor(readonly model: LayersModel) {
    super({ name: model.name });
    const g = model.requireGraph('apply');
    if (g.outputs.length !== 1) throw new Error(`${model.name}.apply: a model used as a layer must have one output, ${model.name} has ${g.outputs.length}`);
    this.inputShapes = g.inputs.map((t) => t.shape);
    this.outputShape = g.outputs[0].shape;
    this.built = true;
    this.weights = [...new Set(g.layers.flatMap((l) => l.weights))];
  }

  override get className(): string { return (this.model.constructor as { className?: string }).className ?? 'Model'; }
  override get arity(): 1 | 'many' { return this.inputShapes.length > 1 ? 'many' : 1; }
  innerGraph(): Topology { return this.model.topology!; }
  computeOutputShape(): number[] { return this.outputShape; }
  forward(_ctx: RunContext, _io: NodeIO): void { throw new Error(`${this.name}: a nested model runs through its own nodes`); }
  backward(_ctx: RunContext, _io: NodeIO): void { throw new Error(`${this.name}: a nested model runs through its own nodes`); }
  override countParams(): number { return this.model.countParams(); }
  override getConfig(): Record<string, unknown> { return this.model.toJSON().config as unknown as Record<string, unknown>; }
}

/** The functional config of a graph: layers with their inbound nodes, input and output layers (TF.js `Model`). */
export function graphToJSON(name: string, g: Topology): GraphModelJSON {
  // Node indices count each layer's nodes within this model, in run order — from 1 for a nested
  // model, whose node 0 is its own graph in Keras and TF.js (Keras's _should_skip_first_node).
  const nodeIndex = new Map<unknown, number>();
  const perLayer = new Map<unknown, number>();
  const number = (node: unknown, layer: unknown) => {
    if (nodeIndex.has(node)) return;
    const k = perLayer.get(layer) ?? (layer instanceof ModelLayer ? 1 : 0);
    nodeIndex.set(node, k);
    perLayer.set(layer, k + 1);
  };
  g.inputs.forEach((t) => number(t.node, t.node.layer));
  g.nodes.forEach((n) => number(n, n.layer));
  const ref = (t: SymbolicTensor): [string, number, number] => [t.name, nodeIndex.get(t.node)!, 0];
  const layers = g.layers.map((l) => {
    const json = l instanceof ModelLayer ? l.model.toJSON() : layerToJSON(l);
    const inboundNodes = g.nodes.filter((n) => n.layer === l).map((n) => n.inputs.map((t) => [...ref(t), {}]));
    return { ...json, name: l.name, inboundNodes } as GraphModelJSON['config']['layers'][number];
  });
  return { className: 'Model', config: { name, layers, inputLayers: g.inputs.map(ref), outputLayers: g.outputs.map(ref) } };
}

/** Which model each optimizer object was compiled into (one optimizer trains one model). */
const optimizerOwners = new WeakMap<Optimizer, { model: LayersModel }>();

const modelCounters = new Map<string, number>();
function uniqueModelName(base: string): string {
  const n = modelCounters.get(base) ?? 0;
  modelCounters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** fit's callbacks: one, an array, or none (undefined or null, as TF.js code passes); anything else names what it got. */
function callbackList(v: unknown): CallbackHooks[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  list.forEach((c, i) => {
    if (c === null || typeof c !== 'object') {
      throw new Error(`fit: callbacks${Array.isArray(v) ? `[${i}]` : ''} must be a callback (an object with onEpochEnd and the like), got ${c === null ? 'null' : JSON.stringify(c) ?? typeof c}`);
    }
  });
  return list as CallbackHooks[];
}

export function checkPositiveInt(name: string, v: unknown): void {
  if (!Number.isInteger(v) || (v as number) <= 0) throw new Error(`${name} must be a positive integer, got ${String(v)}`);
}

/** The logs from the sums: means over n samples, and the counting metrics' values from their totals. */
function means(c: Compiled, sums: Float64Array, n: number): Logs {
  const logs: Logs = {};
  c.keys.forEach((k, i) => { logs[k] = sums[i] / n; });
  c.slots.forEach((sl, i) => sl.metricStates.forEach((at, m) => {
    if (at >= 0) logs[c.keys[sl.metricSlots[m]]] = finalizeMetric(c.metrics[i][m], sums, at);
  }));
  return logs;
}

/** A metric as given, copied (a config object is plain data). */
function copyMetricId(m: MetricIdentifier): MetricIdentifier {
  return typeof m === 'string' ? m : { ...m };
}

function sliceRows(x: Tensor, from: number, to: number): Tensor {
  const per = x.size / x.shape[0];
  return new Tensor(x.values.subarray(from * per, to * per), [to - from, ...x.shape.slice(1)]);
}

function sliceTargets(y: Targets, from: number, to: number): Targets {
  const values = (y.values as Float32Array).subarray
    ? (y.values as Float32Array).subarray(from * y.perSample, to * y.perSample)
    : Array.prototype.slice.call(y.values, from * y.perSample, to * y.perSample);
  return { ...y, values, n: to - from };
}

function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  return new Promise((resolve) => (g.setImmediate ? g.setImmediate(resolve) : setTimeout(resolve, 0)));
}

export type { Labels };
