/**
 * Sequential: a stack of layers trained with one planned block of linear memory.
 * `compile` picks the loss, optimizer and metrics; `fit` streams shuffled batches through
 * forward → loss → backward → optimizer, every step a handful of kernel calls.
 */
import type { Backend } from '../backend/backend.js';
import { backend } from '../backend/index.js';
import { CallbackList, type CallbackHooks, type Logs } from '../callbacks/callback.js';
import { History } from '../callbacks/history.js';
import { ProgressLogger } from '../callbacks/progress.js';
import { Layer, uniqueName, type RunContext } from '../layers/layer.js';
import { layerFromJSON, layerToJSON, type LayerJSON } from '../layers/registry.js';
import { computeLoss, getLoss, isSparse, type Loss, type LossName } from '../losses.js';
import { computeMetric, getMetric, type Metric } from '../metrics.js';
import { applyRegularizer } from '../regularizers.js';
import { gradientReport, type GradientReport, type GradientThresholds } from '../diagnostics/gradient-report.js';
import { getOptimizer, Optimizer } from '../optimizers/index.js';
import { random } from '../random.js';
import { Tensor, shapeSize } from '../tensor.js';
import { checkInput, checkTargets, loadBatch, shapeStr, type Labels, type Targets } from './data.js';
import { planActivations, planParameters, trainableWeights, type ActivationPlan, type ParameterPlan } from './plan.js';
import { saveModel } from '../io/save.js';
import type { IOHandler, SaveResult } from '../io/types.js';

export interface CompileArgs {
  optimizer: string | Optimizer;
  loss: LossName | string | Loss;
  metrics?: string[];
}

export interface FitArgs {
  epochs?: number;
  /** Samples per step (default 32); the last partial batch is trained too. */
  batchSize?: number;
  /** Shuffle the training samples every epoch, from the seeded stream (default true). */
  shuffle?: boolean;
  /** Fraction of the samples, taken from the end before shuffling, held out for validation. */
  validationSplit?: number;
  validationData?: [Tensor, Labels];
  /** 0 silent, 1 progress bar on a TTY and one line per epoch otherwise. */
  verbose?: 0 | 1;
  callbacks?: CallbackHooks | CallbackHooks[];
  /** Epoch to start counting from (for resuming). */
  initialEpoch?: number;
}

export interface ModelJSON { className: 'Sequential'; config: { name?: string; layers: LayerJSON[] } }

export interface EvaluateArgs { batchSize?: number; verbose?: 0 | 1 }
export interface PredictArgs { batchSize?: number }

interface Compiled {
  loss: Loss;
  optimizer: Optimizer;
  metrics: Metric[];
  /** The output layer's softmax/sigmoid is fused into the loss (dL/dz straight from logits). */
  fused: boolean;
}

export class Sequential {
  static className = 'Sequential';
  readonly name: string;
  readonly layers: Layer[] = [];
  /** Set to true (e.g. from a callback) to stop `fit` after the current batch. */
  stopTraining = false;
  private be?: Backend;
  private params?: ParameterPlan;
  private acts?: ActivationPlan;
  private compiled?: Compiled;
  private disposed = false;

  constructor(layers: Layer[] = [], args: { name?: string } = {}) {
    this.name = args.name ?? uniqueName('sequential');
    for (const l of layers) this.add(l);
  }

  /** Append a layer. The model builds itself as soon as the first layer's inputShape is known. */
  add(layer: Layer): void {
    this.checkAlive('add');
    if (!(layer instanceof Layer)) throw new Error(`add: expected a layer, got ${String(layer)}`);
    if (this.params) throw new Error(`add: ${this.name} is already built; add layers before training or predicting`);
    if (this.layers.some((l) => l.name === layer.name)) throw new Error(`add: a layer named '${layer.name}' is already in ${this.name}; layer names must be unique`);
    if (this.layers.length > 0 && layer.declaredInputShape) {
      // Keras ignores inputShape on later layers; so do we, but only when it agrees.
      const prev = this.layers[this.layers.length - 1];
      if (prev.built && shapeStr(prev.outputShape) !== shapeStr(layer.declaredInputShape)) {
        throw new Error(`${layer.name}: inputShape ${shapeStr(layer.declaredInputShape)} does not match the previous layer's output ${shapeStr(prev.outputShape)}`);
      }
    }
    this.layers.push(layer);
    const first = this.layers[0];
    if (first.declaredInputShape) this.buildShapes(first.declaredInputShape, this.layers.length - 1);
  }

  /** Propagate shapes through layers [from, end) and declare their weights. */
  private buildShapes(inputShape: number[], from = 0): void {
    let shape = from === 0 ? inputShape : this.layers[from - 1].outputShape;
    for (let i = from; i < this.layers.length; i++) {
      const l = this.layers[i];
      if (!l.built) l.build(shape);
      shape = l.outputShape;
    }
  }

  /** Build for samples of this shape (without the batch axis): plans and initializes the parameters. */
  build(inputShape?: number[], be?: Backend): void {
    this.checkAlive('build');
    if (this.params) return;
    if (this.layers.length === 0) throw new Error(`build: ${this.name} has no layers`);
    const shape = inputShape ?? this.layers[0].declaredInputShape;
    if (!shape) throw new Error(`build: ${this.name} does not know its input shape; give the first layer an inputShape or call build(shape)`);
    this.buildShapes(shape);
    this.be = be ?? backend();
    this.params = planParameters(this.be, this.layers);
  }

  /** True when every layer knows its input shape (its weights are declared and drawn). */
  get built(): boolean { return this.layers.length > 0 && this.layers.every((l) => l.built); }
  get inputShape(): number[] { return this.layers[0]?.inputShape ?? []; }
  get outputShape(): number[] { return this.layers[this.layers.length - 1]?.outputShape ?? []; }
  private get output(): Layer { return this.layers[this.layers.length - 1]; }
  /** The compiled optimizer (callbacks change its learningRate). */
  get optimizer(): Optimizer | undefined { return this.compiled?.optimizer; }
  /** The compile arguments as plain data (optimizer class and config, loss, metric names), or undefined before compile. */
  get compileConfig(): { optimizer: { className: string; config: Record<string, unknown> }; loss: Loss; metrics: string[] } | undefined {
    const c = this.compiled;
    return c && { optimizer: { className: c.optimizer.className, config: c.optimizer.getConfig() }, loss: { ...c.loss }, metrics: c.metrics.map((m) => m.key) };
  }

  compile(args: CompileArgs): void {
    this.checkAlive('compile');
    if (!args || typeof args !== 'object') throw new Error('compile: expected { optimizer, loss, metrics? }');
    const loss = getLoss(args.loss);
    const optimizer = getOptimizer(args.optimizer);
    if (args.metrics !== undefined && !Array.isArray(args.metrics)) throw new Error(`compile: metrics must be an array of names, got ${typeof args.metrics}`);
    const metrics = (args.metrics ?? []).map((m) => getMetric(m, loss));
    this.compiled?.optimizer.dispose();
    this.compiled = { loss, optimizer, metrics, fused: false };
    if (this.params) this.attachOptimizer();
  }

  private attachOptimizer(): void {
    const c = this.compiled!;
    const out = this.output;
    const act = c.loss.fromLogits ? undefined : out.outputLogits()?.activation;
    c.fused = (act === 'softmax' && (c.loss.name === 'sparseCategoricalCrossentropy' || c.loss.name === 'categoricalCrossentropy'))
      || (act === 'sigmoid' && c.loss.name === 'binaryCrossentropy');
    for (const l of this.layers) l.setLossFusion(c.fused && l === out);
    const slots = trainableWeights(this.layers).map((w) => ({ ptr: w.ptr, gradPtr: w.gradPtr, size: w.size }));
    c.optimizer.build(this.be!, this.params!.params, this.params!.grads, this.params!.trainable, slots);
  }

  private requireCompiled(what: string): Compiled {
    if (!this.compiled) throw new Error(`${what}: ${this.name} is not compiled; call compile({ optimizer, loss }) first`);
    return this.compiled;
  }

  /** Build from data if needed, attach the optimizer, and make the activations hold `batch` samples. */
  private prepare(x: Tensor, batch: number, inputGrad = false): void {
    if (!this.params) {
      if (this.layers.length === 0) throw new Error(`${this.name} has no layers`);
      this.build(x.shape.slice(1));
    }
    if (this.compiled && !this.compiled.optimizer.attached) this.attachOptimizer();
    if (!this.acts || this.acts.batch < batch || (inputGrad && !this.acts.inputGrad)) {
      if (this.acts) this.be!.free(this.acts.block);
      this.acts = planActivations(this.be!, this.layers, shapeSize(this.inputShape), batch, this.output.outputSize, inputGrad);
    }
  }

  private inputName(): string {
    return this.layers[0]?.name ?? this.name;
  }

  /** Validate x against the model's input shape (before the first build: the declared one, if any). */
  private checkX(x: unknown, arg = 'x'): Tensor {
    if (this.layers.length === 0) throw new Error(`${this.name} has no layers`);
    const expected = this.params ? this.inputShape
      : this.layers[0].declaredInputShape ?? (x instanceof Tensor ? x.shape.slice(1) : []);
    return checkInput(x, expected, this.inputName(), arg);
  }

  /** Validate targets for x (already checked) against the model's output and the loss. */
  private checkY(y: unknown, x: Tensor, arg = 'y'): Targets {
    const c = this.compiled!;
    const n = x.shape[0];
    const outShape = this.params ? this.outputShape : this.shapeAfterBuild(x.shape.slice(1));
    return checkTargets(y, n, isSparse(c.loss), outShape, c.loss.name, arg);
  }

  /** Output shape without allocating (for validation before the first build). */
  private shapeAfterBuild(inputShape: number[]): number[] {
    let shape = inputShape;
    for (const l of this.layers) shape = l.built ? l.outputShape : l.computeOutputShape(shape);
    return shape;
  }

  private ctx(batch: number, training: boolean): RunContext {
    return { be: this.be!, batch, training, rng: random() };
  }

  private forward(batch: number, training: boolean): void {
    this._lastBatch = batch;
    const ctx = this.ctx(batch, training);
    for (const l of this.layers) l.forward(ctx);
  }

  /** Forward, loss (plus regularization penalties) and metrics on the loaded batch, added into `sums`. */
  private forwardLoss(batch: number, training: boolean, sums: Float64Array): void {
    const c = this.compiled!, be = this.be!, out = this.output, acts = this.acts!;
    this.forward(batch, training);
    const P = c.fused ? out.outputLogits()!.logits : out.y;
    // Outputs with positions (a sequence [time, classes]): losses and metrics act on the last axis
    // at each position (sparse labels: one class index per position) and average over positions, as Keras.
    const cols = out.outputShape[out.outputShape.length - 1], per = out.outputSize / cols;
    sums[0] += computeLoss(be, c.loss, out.dy, P, acts.targets, batch * per, cols, c.fused) / per;
    // Penalties are per batch; the sums are per sample, so scale by the batch to report mean + penalty.
    sums[0] += this.penalties(batch, false) * batch;
    for (let m = 0; m < c.metrics.length; m++) sums[m + 1] += computeMetric(be, c.metrics[m], out.y, acts.targets, batch * per, cols) / per;
  }

  /** Σ of weight and activity penalties; with `grads`, also adds the weight penalties' gradients. */
  private penalties(batch: number, grads: boolean): number {
    let p = 0;
    for (const l of this.layers) {
      for (const w of l.weights) if (w.regularizer) p += applyRegularizer(this.be!, w.regularizer, w.ptr, grads ? w.gradPtr : 0, w.size);
      if (l.activityRegularizer && !grads) p += applyRegularizer(this.be!, l.activityRegularizer, l.y, 0, batch * l.outputSize);
    }
    return p;
  }

  /** Zero the gradients that backward adds to, then forward, loss and backward on the loaded batch. */
  private backwardPass(batch: number, sums: Float64Array): void {
    const be = this.be!, acts = this.acts!, p = this.params!;
    for (let i = 0; i < p.zeroed.length; i += 2) be.fill(p.zeroed[i], 0, p.zeroed[i + 1]);
    be.fill(acts.gradStart, 0, acts.gradFloats);
    this.forwardLoss(batch, true, sums);
    const ctx = this.ctx(batch, true);
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const l = this.layers[i];
      // The activity penalty's gradient joins the gradient flowing into this layer's output.
      if (l.activityRegularizer) applyRegularizer(be, l.activityRegularizer, l.y, l.dy, batch * l.outputSize);
      l.backward(ctx);
    }
    this.penalties(batch, true);
  }

  /** One optimizer step on the loaded batch. */
  private trainStep(batch: number, sums: Float64Array): void {
    this.backwardPass(batch, sums);
    this.compiled!.optimizer.apply();
  }

  /** Validate a batch and load it into planned memory; returns its size. */
  private loadOneBatch(x: Tensor, y: Labels, what: string, inputGrad = false): number {
    this.checkAlive(what);
    this.requireCompiled(what);
    const xt = this.checkX(x);
    const yt = this.checkY(y, xt);
    const n = xt.shape[0];
    this.prepare(xt, n, inputGrad);
    loadBatch(this.be!, this.acts!.input, this.acts!.targets, xt, yt, null, 0, n);
    return n;
  }

  /**
   * Forward and backward on one batch (all of x) into the model's gradient buffer, weights
   * untouched. Returns the mean loss and copies of the gradients in getWeights() order
   * (zeros for non-trainable weights).
   */
  computeGradients(x: Tensor, y: Labels): { loss: number; grads: Tensor[] } {
    const n = this.loadOneBatch(x, y, 'computeGradients');
    const sums = new Float64Array(1 + this.compiled!.metrics.length);
    this.backwardPass(n, sums);
    return { loss: sums[0] / n, grads: this.getGradients() };
  }

  /** The gradient buffer's current contents, in getWeights() order (zeros for non-trainable weights). */
  getGradients(): Tensor[] {
    this.checkAlive('getGradients');
    if (!this.params) throw new Error(`getGradients: ${this.name} is not built`);
    return this.layers.flatMap((l) => l.weights.map((w) =>
      new Tensor(w.gradPtr ? this.be!.read(w.gradPtr, w.size) : new Float32Array(w.size), w.shape)));
  }

  /**
   * Per-layer gradient health on one batch (weights untouched): statistics, a status
   * ('healthy' | 'vanishing' | 'exploding' | 'dead' | 'nonfinite'), the culprits and advice.
   */
  gradientReport(x: Tensor, y: Labels, thresholds: Partial<GradientThresholds> = {}): GradientReport {
    this.checkAlive('gradientReport');
    return gradientReport(this, x, y, thresholds);
  }

  /** Run the compiled optimizer (with its clipping options) on the gradient buffer's contents. */
  applyGradients(): void {
    this.checkAlive('applyGradients');
    const c = this.requireCompiled('applyGradients');
    if (!this.params) throw new Error(`applyGradients: ${this.name} is not built; call computeGradients(x, y) first`);
    if (!c.optimizer.attached) this.attachOptimizer();
    c.optimizer.apply();
  }

  /** One optimizer step on one batch (all of x); returns the batch's logs `{ loss, ...metrics }`, as Keras. */
  trainOnBatch(x: Tensor, y: Labels): Logs {
    const n = this.loadOneBatch(x, y, 'trainOnBatch');
    const c = this.compiled!;
    const keys = ['loss', ...c.metrics.map((m) => m.key)];
    const sums = new Float64Array(keys.length);
    this.trainStep(n, sums);
    return means(keys, sums, n);
  }

  /** @internal The flat trainable-gradient buffer (for clipGradNorm/clipGradValue and diagnostics). */
  _gradientBuffer(what: string): { be: Backend; ptr: number; n: number } {
    this.checkAlive(what);
    if (!this.params) throw new Error(`${what}: ${this.name} is not built; call computeGradients(x, y) first`);
    return { be: this.be!, ptr: this.params.grads, n: this.params.trainable };
  }

  /** @internal Diagnostics: loss and gradients on one batch, including dL/dx, read in float64 where the backend has it. */
  _probe(x: Tensor, y: Labels, withInputGrad: boolean): { loss: number; inputGrad?: Float32Array } {
    const n = this.loadOneBatch(x, y, 'gradCheck', withInputGrad);
    const sums = new Float64Array(1 + this.compiled!.metrics.length);
    this.backwardPass(n, sums);
    return { loss: sums[0] / n, inputGrad: withInputGrad ? this.be!.read(this.acts!.inputGrad, x.size) : undefined };
  }

  /** @internal Diagnostics: the mean loss on one batch (training-mode forward, no backward); `rawInput` overrides x's values (float64 probes). */
  _loss(x: Tensor, y: Labels, rawInput?: ArrayLike<number>): number {
    const n = this.loadOneBatch(x, y, 'gradCheck');
    if (rawInput) this.be!.write(this.acts!.input, rawInput);
    const sums = new Float64Array(1 + this.compiled!.metrics.length);
    this.forwardLoss(n, true, sums);
    return sums[0] / n;
  }

  /** @internal Where dL/dx lands after `_probe(x, y, true)`. */
  _inputGradPtr(): number { return this.acts?.inputGrad ?? 0; }

  /** @internal The backend this model lives on. */
  get _backend(): Backend | undefined { return this.be; }

  /** @internal What the diagnostics read: memory plans, the optimizer, the batch last run. */
  _internals(): { be: Backend; params: ParameterPlan; acts?: ActivationPlan; optimizer?: Optimizer; loss?: Loss } {
    if (!this.params) this.build();
    return { be: this.be!, params: this.params!, acts: this.acts, optimizer: this.compiled?.optimizer, loss: this.compiled?.loss };
  }

  /** @internal Batch size of the activations last computed (0 before any). */
  _lastBatch = 0;

  async fit(x: Tensor, y: Labels, args: FitArgs = {}): Promise<History> {
    this.checkAlive('fit');
    const c = this.requireCompiled('fit');
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

    const xt = this.checkX(x);
    const yt = this.checkY(y, xt);
    let nTrain = xt.shape[0];
    let val: { x: Tensor; y: Targets } | undefined;
    if (args.validationData) {
      if (!Array.isArray(args.validationData) || args.validationData.length !== 2) throw new Error('fit: validationData must be [x, y]');
      const vx = this.checkX(args.validationData[0], 'validationData[0]');
      val = { x: vx, y: this.checkY(args.validationData[1], vx, 'validationData[1]') };
    } else if (split > 0) {
      const nVal = Math.floor(nTrain * split);
      if (nVal === 0 || nVal === nTrain) throw new Error(`fit: validationSplit ${split} of ${nTrain} samples leaves ${nVal} for validation and ${nTrain - nVal} for training`);
      nTrain -= nVal;
      val = { x: sliceRows(xt, nTrain, xt.shape[0]), y: sliceTargets(yt, nTrain, xt.shape[0]) };
    }

    this.prepare(xt, batchSize);
    const steps = Math.ceil(nTrain / batchSize);
    const hooks = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks];
    for (const h of hooks) (h as { setModel?: (m: Sequential) => void }).setModel?.(this);
    const verbose = args.verbose ?? 1;
    const list = new CallbackList([...(verbose ? [new ProgressLogger(epochs, steps, nTrain)] : []), ...hooks]);
    const history = new History();
    history.params = { epochs, batchSize, samples: nTrain, steps, verbose };
    const keys = ['loss', ...c.metrics.map((m) => m.key)];
    const sums = new Float64Array(keys.length);
    const order = new Int32Array(nTrain);
    for (let i = 0; i < nTrain; i++) order[i] = i;
    const wantsBatch = list.has('onBatchBegin') || list.has('onBatchEnd');
    const rng = random();
    this.stopTraining = false;
    const load = (step: number) => {
      const start = step * batchSize;
      loadBatch(this.be!, this.acts!.input, this.acts!.targets, xt, yt, order, start, Math.min(batchSize, nTrain - start));
    };
    // Made once: a training step allocates nothing.
    let next = 0;
    const applyOptimizer = () => this.compiled!.optimizer.apply(), loadNext = () => load(next);

    await list.call('onTrainBegin');
    let lastYield = performance.now();
    for (let epoch = initialEpoch; epoch < epochs && !this.stopTraining; epoch++) {
      await list.call('onEpochBegin', epoch);
      if (args.shuffle ?? true) {
        for (let i = nTrain - 1; i > 0; i--) { const j = rng.int(i + 1); const t = order[i]; order[i] = order[j]; order[j] = t; }
      }
      sums.fill(0);
      let seen = 0, loaded = false;
      for (let step = 0; step < steps; step++) {
        const start = step * batchSize, count = Math.min(batchSize, nTrain - start);
        if (wantsBatch) await list.call('onBatchBegin', step, { batch: step, size: count });
        if (!loaded) load(step);
        this.backwardPass(count, sums);
        // Let timers and messages (a Stop button, a worker's stop()) run now and then.
        const yieldNow = performance.now() - lastYield > 50;
        // The batch is no longer read once the gradients are in: on a thread pool, load the next
        // one while the workers run the optimizer step. Only where no code of the user's (a
        // callback, whatever runs at a yield) can touch the model in between.
        loaded = !wantsBatch && !yieldNow && step + 1 < steps && this.be!.beside !== undefined;
        next = step + 1;
        if (loaded) this.be!.beside!(applyOptimizer, loadNext);
        else applyOptimizer();
        seen += count;
        if (wantsBatch) await list.call('onBatchEnd', step, { batch: step, size: count, ...means(keys, sums, seen) });
        if (this.stopTraining) break;
        if (yieldNow) { await yieldToEventLoop(); lastYield = performance.now(); }
      }
      const logs: Logs = means(keys, sums, seen);
      if (val) {
        const v = this.evaluateResolved(val.x, val.y, batchSize);
        for (const [k, value] of Object.entries(v)) logs[`val_${k}`] = value;
      }
      await list.call('onEpochEnd', epoch, logs);
      history.record(epoch, logs);
    }
    await list.call('onTrainEnd');
    return history;
  }

  /** Loss and metrics over a data set, in inference mode: `{ loss, accuracy, … }`. */
  async evaluate(x: Tensor, y: Labels, args: EvaluateArgs = {}): Promise<Logs> {
    this.checkAlive('evaluate');
    this.requireCompiled('evaluate');
    const batchSize = args.batchSize ?? 32;
    checkPositiveInt('batchSize', batchSize);
    const xt = this.checkX(x);
    const yt = this.checkY(y, xt);
    this.prepare(xt, batchSize);
    return this.evaluateResolved(xt, yt, batchSize);
  }

  private evaluateResolved(x: Tensor, y: Targets, batchSize: number): Logs {
    const c = this.compiled!;
    const keys = ['loss', ...c.metrics.map((m) => m.key)];
    const sums = new Float64Array(keys.length);
    const n = x.shape[0];
    const step = Math.min(batchSize, this.acts!.batch);
    for (let start = 0; start < n; start += step) {
      const count = Math.min(step, n - start);
      loadBatch(this.be!, this.acts!.input, this.acts!.targets, x, y, null, start, count);
      this.forwardLoss(count, false, sums);
    }
    return means(keys, sums, n);
  }

  /** Outputs for every sample, in inference mode: a Tensor of shape [n, ...outputShape]. */
  predict(x: Tensor, args: PredictArgs = {}): Tensor {
    this.checkAlive('predict');
    const batchSize = args.batchSize ?? 32;
    checkPositiveInt('batchSize', batchSize);
    const xt = this.checkX(x);
    this.prepare(xt, batchSize);
    const n = xt.shape[0], per = this.output.outputSize;
    const out = new Float32Array(n * per);
    const step = Math.min(batchSize, this.acts!.batch);
    for (let start = 0; start < n; start += step) {
      const count = Math.min(step, n - start);
      loadBatch(this.be!, this.acts!.input, 0, xt, undefined, null, start, count);
      this.forward(count, false);
      out.set(this.be!.read(this.output.y, count * per), start * per);
    }
    return new Tensor(out, [n, ...this.outputShape]);
  }

  /** Weights layer by layer, each layer's in Keras order (Dense: kernel [in, units], bias [units]). */
  getWeights(): Tensor[] {
    this.checkAlive('getWeights');
    if (!this.params) this.build();
    return this.layers.flatMap((l) => l.weights.map((w) => new Tensor(this.be!.read(w.ptr, w.size), w.shape)));
  }

  /** Replace every weight, in getWeights() order; shapes must match, values must be finite. */
  setWeights(weights: Tensor[]): void {
    this.checkAlive('setWeights');
    if (!this.params) this.build();
    const all = this.layers.flatMap((l) => l.weights.map((w) => ({ l, w })));
    if (!Array.isArray(weights) || weights.length !== all.length) {
      throw new Error(`setWeights: ${this.name} has ${all.length} weights, got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    all.forEach(({ l, w }, i) => {
      const t = weights[i];
      if (!(t instanceof Tensor)) throw new Error(`setWeights: weight ${i} (${l.name}/${w.name}) must be a Tensor`);
      if (shapeStr(t.shape) !== shapeStr(w.shape)) throw new Error(`setWeights: ${l.name}/${w.name} expects shape ${shapeStr(w.shape)}, got ${shapeStr(t.shape)}`);
      for (let k = 0; k < t.size; k++) {
        if (!Number.isFinite(t.values[k])) throw new Error(`setWeights: ${l.name}/${w.name} has a non-finite value ${t.values[k]} at index ${k}`);
      }
    });
    all.forEach(({ w }, i) => this.be!.write(w.ptr, weights[i].values));
  }

  countParams(): number {
    return this.layers.reduce((s, l) => s + l.countParams(), 0);
  }

  /** A table of layers, output shapes and parameter counts; printed with `print` (console.log by default). */
  summary(print: ((line: string) => void) | null = console.log): string {
    const rows = this.layers.map((l) => [`${l.name} (${l.className})`, l.built ? shapeStr([null, ...l.outputShape]) : '?', l.countParams().toLocaleString('en-US')]);
    const head = ['Layer (type)', 'Output Shape', 'Param #'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
    const line = (r: string[]) => r.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' ');
    const rule = '─'.repeat(widths.reduce((a, b) => a + b + 1, -1));
    const trainable = this.layers.flatMap((l) => l.weights).filter((w) => w.trainable).reduce((s, w) => s + w.size, 0);
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

  /** Write the model in the TF.js Layers format: 'file://dir' (Node), 'indexeddb://name', 'downloads://name', or any TF.js IOHandler. */
  save(target: string | IOHandler): Promise<SaveResult> { return saveModel(this, target); }

  /** The model's configuration as plain JSON (no weights): `Sequential.fromJSON` rebuilds it. */
  toJSON(): ModelJSON {
    const layers = this.layers.map(layerToJSON);
    const inputShape = this.layers[0]?.built ? this.inputShape : this.layers[0]?.declaredInputShape;
    if (layers.length && inputShape) layers[0].config.inputShape = [...inputShape];
    return { className: 'Sequential', config: { name: this.name, layers } };
  }

  /** A new model with the configuration of `toJSON()` (fresh weights: copy them with setWeights). */
  static fromJSON(json: ModelJSON | string): Sequential {
    const j = typeof json === 'string' ? JSON.parse(json) as ModelJSON : json;
    if (!j || j.className !== 'Sequential' || !Array.isArray(j.config?.layers)) {
      throw new Error(`Sequential.fromJSON: expected { className: 'Sequential', config: { layers: [...] } }, got ${JSON.stringify(j)?.slice(0, 80)}`);
    }
    return new Sequential(j.config.layers.map(layerFromJSON), { name: j.config.name });
  }

  /** Bytes this model planned in linear memory, by kind. */
  memoryInfo(): { params: number; grads: number; optimizerState: number; activations: number; total: number } {
    const params = (this.params?.total ?? 0) * 4, grads = (this.params?.trainable ?? 0) * 4;
    const optimizerState = this.compiled?.optimizer.stateBytes() ?? 0, activations = this.acts?.bytes ?? 0;
    return { params, grads, optimizerState, activations, total: params + grads + optimizerState + activations };
  }

  /** Return the model's linear memory to the backend. The model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.compiled?.optimizer.dispose();
    if (this.acts) this.be!.free(this.acts.block);
    if (this.params) this.be!.free(this.params.block);
    this.acts = undefined;
    this.params = undefined;
    this.disposed = true;
  }

  private checkAlive(what: string): void {
    if (this.disposed) throw new Error(`${what}: ${this.name} has been disposed`);
  }
}

function checkPositiveInt(name: string, v: unknown): void {
  if (!Number.isInteger(v) || (v as number) <= 0) throw new Error(`${name} must be a positive integer, got ${String(v)}`);
}

function means(keys: string[], sums: Float64Array, n: number): Logs {
  const logs: Logs = {};
  keys.forEach((k, i) => { logs[k] = sums[i] / n; });
  return logs;
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
