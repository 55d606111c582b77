/**
 * createTrainer: train a model on another thread — worker_threads in Node, a module Worker in
 * browsers — so training never freezes a page or an event loop.
 *
 *   const trainer = await createTrainer(model);
 *   const history = await trainer.fit(x, y, { epochs: 5, callbacks: { onBatchEnd: draw } });
 *   // model now holds the trained weights
 *   await trainer.terminate();
 *
 * The worker holds a copy of the model (config, compile arguments, and the weights sent with
 * every fit). Training data crosses once per fit: copied, then transferred, so the caller's
 * tensors stay valid. Callbacks run on the calling thread, each hook one awaited round trip
 * (at most one per batch); gradientMonitor and terminateOnNaN, which read the model's memory,
 * run in the worker and report back. When fit resolves the trained weights are copied into
 * `model`; when it rejects, `model` keeps the weights it had before.
 */
import { proxy, transfer, wrap, type Endpoint, type Remote } from 'comlink';
import { getBackend, threadCount, wasmBuild } from '../backend/index.js';
import { CallbackList, type CallbackHooks, type CallbackModel, type Logs } from '../callbacks/callback.js';
import { GradientMonitor, type GradientMonitorArgs, type MonitorRecord } from '../callbacks/gradient-monitor.js';
import { History } from '../callbacks/history.js';
import { TerminateOnNaN, type TerminateOnNaNArgs } from '../callbacks/terminate-on-nan.js';
import { GradientReport } from '../diagnostics/gradient-report.js';
import type { Labels } from '../models/data.js';
import type { FitArgs, LayersModel } from '../models/layers-model.js';
import { checkNonNegative } from '../optimizers/optimizer.js';
import type { ModelInputs, ModelTargets } from '../models/model-data.js';
import { random } from '../random.js';
import { Tensor } from '../tensor.js';
import { pack, type Control, type FitRequest, type HookBridge, type ModelState, type Packed, type WireTensor, type WorkerApi, type WorkerCallbackSpec } from './protocol.js';

export interface TrainerOptions {
  /** Node only: worker_threads resource limits for the worker (e.g. { maxOldGenerationSizeMb }). */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; codeRangeSizeMb?: number; stackSizeMb?: number };
  /** Where the worker loads the wasm core from (default: beside the library, as on the calling thread). */
  wasmSource?: string | URL | ArrayBuffer | Uint8Array;
}

export interface Trainer {
  /** `model.fit` on the worker: the same options and History; the trained weights land in the model. */
  fit(x: ModelInputs, y: ModelTargets, options?: FitArgs): Promise<History>;
  /** Stop the running fit after the current batch; fit resolves with what was learned so far, copied into the model. */
  stop(): Promise<void>;
  /** End the worker. A running fit rejects and the model keeps its pre-fit weights. */
  terminate(): Promise<void>;
  /** The underlying Worker (browser) or worker_threads Worker (Node). */
  readonly worker: unknown;
  /**
   * Threads the worker's wasm core runs on: the calling thread's threadCount() when createTrainer
   * was called (its own pool of workers), or 1 where the worker cannot share memory.
   */
  readonly threads: number;
}

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'] as const;

interface Started { endpoint: Endpoint; raw: unknown; terminate(): Promise<void>; ref(on: boolean): void }

function inNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; WorkerGlobalScope?: unknown };
  return g.WorkerGlobalScope === undefined && typeof g.process?.versions?.node === 'string';
}

/** Start the worker; `died` is called once if it fails to load, crashes or exits. */
async function startWorker(opts: TrainerOptions, died: (e: Error) => void): Promise<Started> {
  if (!inNode()) {
    const w = new Worker(new URL('./entry.js', import.meta.url), { type: 'module' });
    w.addEventListener('error', (e) => { e.preventDefault?.(); died(new Error(`keelnet worker: the training worker failed${e.message ? `: ${e.message}` : ' (it could not load or it threw outside fit)'}`)); });
    w.addEventListener('messageerror', () => died(new Error('keelnet worker: a message from the training worker could not be read')));
    return { endpoint: w as unknown as Endpoint, raw: w, terminate: async () => w.terminate(), ref: () => {} };
  }
  const { Worker: NodeWorker } = await import(/* @vite-ignore */ 'node:worker_threads');
  const entry = new URL(`./entry.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  let w: InstanceType<typeof NodeWorker>;
  if (entry.pathname.endsWith('.ts')) {
    // From the TypeScript sources (tests, tsx, a development checkout): load the entry through tsx.
    const boot = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`;
    w = new NodeWorker(boot, { eval: true, resourceLimits: opts.resourceLimits });
  } else {
    w = new NodeWorker(entry, { resourceLimits: opts.resourceLimits });
  }
  w.on('error', (e: Error & { code?: string }) => {
    died(new Error(e.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? `keelnet worker: the training worker ran out of memory (${e.message})`
      : `keelnet worker: the training worker crashed: ${e.message}`));
  });
  w.on('exit', (code: number) => died(new Error(`keelnet worker: the training worker exited unexpectedly (exit code ${code})`)));
  const adapter = 'comlink/dist/esm/node-adapter.mjs';
  const nodeEndpoint = ((await import(/* @vite-ignore */ adapter)) as { default: (w: unknown) => Endpoint }).default;
  return {
    endpoint: nodeEndpoint(w), raw: w,
    terminate: async () => { await w.terminate(); },
    // An idle worker does not keep Node running; a working one does.
    ref: (on) => (on ? w.ref() : w.unref()),
  };
}

/** The model as callbacks on the calling thread see it while the worker trains. */
class CallingSideModel implements CallbackModel {
  stopTraining = false;
  readonly optimizer?: { learningRate: number };
  /** The worker's weights as of the last epoch end (or the pre-fit weights). */
  latest?: WireTensor[];
  pendingWeights?: WireTensor[];

  constructor(private readonly model: LayersModel) {
    this.optimizer = model.optimizer ? learningRateBox(model.optimizer.className, model.optimizer.learningRate) : undefined;
  }

  get name(): string { return this.model.name; }

  getWeights(): Tensor[] {
    return this.latest ? this.latest.map((w) => new Tensor(w.values.slice(), w.shape)) : this.model.getWeights();
  }

  setWeights(weights: Tensor[]): void {
    this.pendingWeights = weights.map((t) => ({ values: Float32Array.from(t.values), shape: [...t.shape] }));
  }
}

/** Start a worker with a copy of `model` (which must be compiled); see the module comment. */
export async function createTrainer(model: LayersModel, opts: TrainerOptions = {}): Promise<Trainer> {
  if (!model || typeof (model as Partial<LayersModel>).toJSON !== 'function') throw new Error(`createTrainer: expected a model, got ${String(model)}`);
  if (model.isDisposed) throw new Error(`createTrainer: ${model.name} has been disposed`);
  const compile = model.compileConfig;
  if (!compile) throw new Error(`createTrainer: ${model.name} is not compiled; call compile({ optimizer, loss }) first`);
  let deadError: Error | undefined;
  let rejectDead!: (e: Error) => void;
  const dead = new Promise<never>((_, reject) => { rejectDead = reject; });
  dead.catch(() => {});
  const died = (e: Error) => { if (!deadError) { deadError = e; rejectDead(e); } };
  const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, dead]);

  const started = await startWorker(opts, died);
  const remote: Remote<WorkerApi> = wrap<WorkerApi>(started.endpoint);
  const source = opts.wasmSource instanceof URL ? opts.wasmSource.href : opts.wasmSource;
  let threads = 1;
  try {
    ({ threads } = await guard(remote.init({ json: model.toJSON(), compile, backend: getBackend(), simd: wasmBuild(), threads: threadCount(), wasmSource: source })));
  } catch (e) {
    await started.terminate();
    throw e;
  }
  started.ref(false);
  let running = false;
  /** stop() was called during this fit: the next callback reply carries it (see stop()). */
  let stopRequested = false;

  async function fit(x: ModelInputs, y: ModelTargets, options: FitArgs = {}): Promise<History> {
    if (deadError) throw new Error(`trainer.fit: the worker is gone (${deadError.message})`);
    if (running) throw new Error('trainer.fit: a fit is already running on this worker; await it before starting another');
    running = true;
    stopRequested = false;
    started.ref(true);
    try {
      return await runFit(x, y, options);
    } finally {
      running = false;
      if (!deadError) started.ref(false);
    }
  }

  async function runFit(x: ModelInputs, y: ModelTargets, options: FitArgs): Promise<History> {
    const { callbacks, validationData, ...rest } = options ?? {};
    // Options cross to the worker by structured clone: a function would fail there, after the data
    // was sent. Callbacks are the only functions that belong here (they stay on this thread).
    for (const [k, v] of Object.entries(rest)) {
      if (typeof v === 'function') throw new Error(`trainer.fit: option '${k}' is a function, which cannot be sent to the worker; pass functions as callbacks ({ onEpochEnd() {…} })`);
    }
    const all = callbacks === undefined ? [] : Array.isArray(callbacks) ? callbacks : [callbacks];
    const inWorker: WorkerCallbackSpec[] = [];
    const local: CallbackHooks[] = [];
    all.forEach((cb, index) => {
      // These two read the model's memory, so they run beside it; their reports come back here.
      if (cb instanceof GradientMonitor) {
        const a = (cb as unknown as { args: GradientMonitorArgs }).args;
        inWorker.push({ kind: 'gradientMonitor', every: cb.every, spectralNorm: a.spectralNorm, thresholds: a.thresholds, index });
      } else if (cb instanceof TerminateOnNaN) {
        inWorker.push({ kind: 'terminateOnNaN', verbose: (cb as unknown as { args: TerminateOnNaNArgs }).args.verbose, index });
      } else local.push(cb);
    });
    const facade = new CallingSideModel(model);
    for (const cb of local) (cb as { setModel?: (m: CallbackModel) => void }).setModel?.(facade);
    const list = new CallbackList(local);
    const hooks = HOOKS.filter((h) => list.has(h));

    const transferList: Transferable[] = [];
    const req: FitRequest = {
      x: pack(x, transferList),
      y: pack(y, transferList),
      validationData: validationData === undefined ? undefined
        : Array.isArray(validationData) && validationData.length === 2
          ? [pack(validationData[0], transferList), pack(validationData[1], transferList)] as [Packed, Packed]
          : { raw: validationData },
      options: rest as Record<string, unknown>,
      workerCallbacks: inWorker,
      hooks,
      weightsOnEpochEnd: local.some((cb) => typeof (cb as { setModel?: unknown }).setModel === 'function'),
      weights: model.built ? model.getWeights().map((t) => ({ values: t.values as Float32Array, shape: [...t.shape] })) : null,
      seed: random().nextUint32(),
    };
    for (const w of req.weights ?? []) transferList.push(w.values.buffer);

    const bridge: HookBridge = {
      async call(hook: string, index: number | undefined, logs: Logs | undefined, state: ModelState): Promise<Control> {
        if (facade.optimizer && state.learningRate !== undefined) facade.optimizer.learningRate = state.learningRate;
        if (state.weights) facade.latest = state.weights;
        const lr = facade.optimizer?.learningRate;
        const call = list.call.bind(list) as (h: string, a?: number | Logs, b?: Logs) => Promise<void>;
        await (index === undefined ? call(hook, logs) : call(hook, index, logs));
        const ctl: Control = { stop: facade.stopTraining || stopRequested, logs };
        if (facade.optimizer && facade.optimizer.learningRate !== lr) ctl.learningRate = facade.optimizer.learningRate;
        if (facade.pendingWeights) { ctl.weights = facade.pendingWeights; facade.pendingWeights = undefined; }
        return ctl;
      },
      async report(index, data, at) {
        const monitor = all[index] as GradientMonitor;
        const report = new GradientReport(data);
        monitor.last = report;
        (monitor as unknown as { args: GradientMonitorArgs }).args.onReport?.(report, at);
      },
      async nan(index, report) {
        const t = all[index] as TerminateOnNaN;
        t.report = report;
        (t as unknown as { args: TerminateOnNaNArgs }).args.onNaN?.(report);
      },
    };

    const res = await guard(remote.fit(transfer(req, transferList), proxy(bridge)));
    // Only now does the model change: a fit that failed or a worker that died leaves it as it was.
    if (!model.built) model.build(res.inputShape);
    // Written as they are, like model.fit leaves them (setWeights would refuse the NaNs of a diverged run).
    const { be, params } = model.engine;
    params.weights.forEach((w, i) => be.write(w.ptr, res.weights[i]));
    if (model.optimizer && res.learningRate !== undefined) model.optimizer.learningRate = res.learningRate;
    if (model.optimizer && res.iterations !== undefined) model.optimizer.iterations = res.iterations;
    for (const m of res.monitors) {
      const monitor = all[m.index] as GradientMonitor;
      monitor.records.push(...(m.records as MonitorRecord[]));
      if (m.last) monitor.last = new GradientReport(m.last);
    }
    for (const n of res.nanReports) (all[n.index] as TerminateOnNaN).report = n.report;
    const history = new History();
    history.epoch.push(...res.history.epoch);
    Object.assign(history.history, res.history.history);
    history.params = res.history.params;
    return history;
  }

  return {
    fit,
    async stop() {
      // Two ways in: with callbacks crossing every batch, the reply to the next one carries the stop
      // (Node drains the callbacks' port in a burst and would see a separate message late); without
      // them, the message is read at fit's next pause for the event loop.
      stopRequested = true;
      // A worker that is gone has stopped already: nothing to report.
      if (!deadError) await guard(remote.stop()).catch(() => {});
    },
    async terminate() {
      died(new Error('keelnet worker: the trainer was terminated'));
      await started.terminate();
    },
    worker: started.raw,
    threads,
  };
}

/** The learning rate calling-thread callbacks set during a worker's fit, checked as the optimizer checks it. */
function learningRateBox(owner: string, initial: number): { learningRate: number } {
  let lr = initial;
  return {
    get learningRate() { return lr; },
    set learningRate(v: number) { checkNonNegative(owner, 'learningRate', v); lr = v; },
  };
}
