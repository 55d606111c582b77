/**
 * The worker side of a Trainer: loads the wasm core, rebuilds the model from its config and
 * compile arguments, and runs `fit` on data that arrived once, by transfer. Callbacks that need
 * the model's memory (gradientMonitor, terminateOnNaN) run here; every other callback runs on
 * the calling thread, reached through one Comlink proxy per hook call.
 *
 * Started by createTrainer: a worker_threads Worker in Node, a module Worker in browsers.
 */
import { expose, releaseProxy, transfer, type Endpoint, type Remote } from 'comlink';
import { ready, setBackend, threadCount } from '../backend/index.js';
import { setWasmSource } from '../backend/wasm.js';
import type { CallbackHooks, Logs } from '../callbacks/callback.js';
import { GradientMonitor } from '../callbacks/gradient-monitor.js';
import { TerminateOnNaN } from '../callbacks/terminate-on-nan.js';
import type { FitArgs, LayersModel } from '../models/layers-model.js';
import { modelFromJSON } from '../models/functional.js';
import type { ModelInputs, ModelTargets } from '../models/model-data.js';
import type { Labels } from '../models/data.js';
import { lookup } from '../names.js';
import { optimizers } from '../optimizers/index.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { random } from '../random.js';
import { Tensor } from '../tensor.js';
import { unpack, type Control, type FitRequest, type FitResult, type HookBridge, type ModelSpec, type WireTensor, type WorkerApi } from './protocol.js';

let model: LayersModel | undefined;

function need(): LayersModel {
  if (!model) throw new Error('keelnet worker: no model; createTrainer sends one first');
  return model;
}

const toTensors = (ws: WireTensor[]) => ws.map((w) => new Tensor(w.values, w.shape));
const wireWeights = (m: LayersModel): WireTensor[] => m.getWeights().map((t) => ({ values: t.values as Float32Array, shape: [...t.shape] }));

/** The calling thread's callbacks, as one callback here: each hook is one round trip, awaited. */
function bridgeCallback(m: LayersModel, req: FitRequest, bridge: HookBridge, pending: Promise<unknown>[]): CallbackHooks {
  const flush = async () => { while (pending.length) await pending.shift(); };
  const apply = (ctl: Control, logs?: Logs) => {
    if (ctl.learningRate !== undefined && m.optimizer) m.optimizer.learningRate = ctl.learningRate;
    if (ctl.weights) m.setWeights(toTensors(ctl.weights));
    if (ctl.logs && logs) Object.assign(logs, ctl.logs);
    if (ctl.stop) m.stopTraining = true;
  };
  const hooks: Record<string, (a?: number | Logs, b?: Logs) => Promise<void>> = {};
  for (const hook of req.hooks) {
    hooks[hook] = async (a, b) => {
      await flush();
      const index = typeof a === 'number' ? a : undefined;
      const logs = typeof a === 'number' ? b : a;
      const weights = hook === 'onEpochEnd' && req.weightsOnEpochEnd ? wireWeights(m) : undefined;
      apply(await bridge.call(hook, index, logs, { learningRate: m.optimizer?.learningRate, weights }), logs);
    };
  }
  // Reports from worker-side callbacks reach the calling thread before fit resolves.
  const end = hooks.onTrainEnd;
  hooks.onTrainEnd = async (logs) => { await flush(); if (end) await end(logs); };
  return hooks as CallbackHooks;
}

const api: WorkerApi = {
  async init(spec: ModelSpec): Promise<{ threads: number }> {
    if (spec.wasmSource !== undefined) setWasmSource(spec.wasmSource);
    setBackend(spec.backend);
    // The calling thread's build and thread count (a pool of this worker's own workers), so both compute alike.
    await ready(spec.backend === 'wasm' ? { ...(spec.simd && { simd: spec.simd }), threads: spec.threads ?? 1 } : {});
    const m = modelFromJSON(spec.json);
    const make = lookup(optimizers as Record<string, (c: object) => Optimizer>, spec.compile.optimizer.className, 'optimizer');
    m.compile({ optimizer: make(spec.compile.optimizer.config), loss: spec.compile.loss, metrics: spec.compile.metrics, lossWeights: spec.compile.lossWeights });
    model = m;
    return { threads: threadCount() };
  },

  async fit(req: FitRequest, bridge: HookBridge): Promise<FitResult> {
    try {
      return await fitWith(req, bridge);
    } finally {
      // Close the callbacks' channel, so an idle calling thread has nothing left open.
      (bridge as unknown as Remote<HookBridge>)[releaseProxy]();
    }
  },

  stop(): void {
    if (model) model.stopTraining = true;
  },
};

async function fitWith(req: FitRequest, bridge: HookBridge): Promise<FitResult> {
  const m = need();
  random().seed(req.seed);
  if (req.weights) m.setWeights(toTensors(req.weights));
  const options: FitArgs = { ...req.options };
  const vd = req.validationData;
  if (vd) options.validationData = ('raw' in vd ? vd.raw : [unpack(vd[0]), unpack(vd[1])]) as [ModelInputs, ModelTargets];

  const pending: Promise<unknown>[] = [];
  const monitors = new Map<number, GradientMonitor>();
  const nans = new Map<number, TerminateOnNaN>();
  const callbacks: CallbackHooks[] = [];
  for (const spec of req.workerCallbacks) {
    if (spec.kind === 'gradientMonitor') {
      const g = new GradientMonitor({
        every: spec.every, spectralNorm: spec.spectralNorm, thresholds: spec.thresholds,
        onReport: (report, at) => { pending.push(bridge.report(spec.index, report.toJSON(), at)); },
      });
      monitors.set(spec.index, g);
      callbacks.push(g);
    } else {
      const t = new TerminateOnNaN({ verbose: spec.verbose, onNaN: (report) => { pending.push(bridge.nan(spec.index, report)); } });
      nans.set(spec.index, t);
      callbacks.push(t);
    }
  }
  callbacks.push(bridgeCallback(m, req, bridge, pending));
  options.callbacks = callbacks;

  const history = await m.fit(unpack(req.x) as ModelInputs, unpack(req.y) as ModelTargets, options);
  const weights = m.getWeights().map((t) => t.values as Float32Array);
  const result: FitResult = {
    history: { epoch: history.epoch, history: history.history, params: history.params },
    weights,
    inputShape: [...m.inputShape],
    learningRate: m.optimizer?.learningRate,
    iterations: m.optimizer?.iterations,
    monitors: [...monitors].map(([index, g]) => ({ index, records: g.records, last: g.last?.toJSON() })),
    nanReports: [...nans].map(([index, t]) => ({ index, report: t.report })),
  };
  return transfer(result, weights.map((w) => w.buffer));
}

/** Node: the parent port through Comlink's node adapter (messages wait in the port until it listens). */
async function exposeOnParentPort(): Promise<void> {
  const { parentPort } = await import(/* @vite-ignore */ 'node:worker_threads');
  const adapter = 'comlink/dist/esm/node-adapter.mjs';
  const nodeEndpoint = ((await import(/* @vite-ignore */ adapter)) as { default: (p: unknown) => Endpoint }).default;
  expose(api, nodeEndpoint(parentPort));
}

// No top-level await: bundlers build workers as classic scripts by default.
const g = globalThis as { process?: { versions?: { node?: string } }; WorkerGlobalScope?: unknown };
if (g.WorkerGlobalScope === undefined && g.process?.versions?.node) void exposeOnParentPort();
else expose(api); // a browser worker: its global scope is the endpoint
