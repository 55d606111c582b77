/**
 * What crosses between a Trainer and its worker: the model (config, weights, compile arguments),
 * training data packed into transferable arrays, callbacks described as data, and the result.
 * Everything here is structured-cloneable; tensors travel as { values, shape } and are rebuilt.
 */
import type { Logs } from '../callbacks/callback.js';
import type { GradientReportData, GradientThresholds } from '../diagnostics/gradient-report.js';
import type { NaNReport } from '../callbacks/terminate-on-nan.js';
import type { ModelJSON } from '../models/model-json.js';
import type { Loss } from '../losses.js';
import type { MetricIdentifier } from '../metrics.js';
import { Tensor } from '../tensor.js';

/** The model as the worker rebuilds it. */
export interface ModelSpec {
  json: ModelJSON;
  /** Where the worker loads the wasm core from, when not from its default place beside the library. */
  wasmSource?: string | ArrayBuffer | Uint8Array;
  compile: { optimizer: { className: string; config: Record<string, unknown> }; loss: Loss | Loss[]; metrics: MetricIdentifier[] | MetricIdentifier[][]; lossWeights?: number[] };
  backend: 'wasm' | 'js';
  /** The wasm build the calling thread runs ('simd' | 'relaxed'), so both threads compute alike. */
  simd?: 'simd' | 'relaxed';
  /** The calling thread's thread count: above 1 the worker starts a pool of its own of that size. */
  threads?: number;
}

/**
 * A tensor on the wire, a list or an object of them (a model with several inputs or outputs), or
 * anything else (passed as is, so the worker's checks give the usual message).
 */
export type Packed = { tensor: { values: Float32Array | Int32Array; shape: number[] } } | { list: Packed[] } | { named: Record<string, Packed> }
  | { raw: unknown };

const isPlainObject = (v: unknown) => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** Pack a tensor or typed array as a copy, and collect its buffer for transfer (the caller's data stays valid). */
export function pack(v: unknown, transfer: Transferable[]): Packed {
  if (Array.isArray(v) && v.length > 0 && v.every((e) => e instanceof Tensor || ArrayBuffer.isView(e))) return { list: v.map((e) => pack(e, transfer)) };
  if (isPlainObject(v) && Object.values(v as object).some((e) => e instanceof Tensor)) {
    return { named: Object.fromEntries(Object.entries(v as object).map(([k, e]) => [k, pack(e, transfer)])) };
  }
  if (v instanceof Tensor) {
    const values = v.values.slice();
    transfer.push(values.buffer);
    return { tensor: { values, shape: [...v.shape] } };
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const copy = (v as Float32Array).slice();
    transfer.push(copy.buffer);
    return { raw: copy };
  }
  return { raw: v };
}

export function unpack(p: Packed): unknown {
  if ('tensor' in p) return new Tensor(p.tensor.values, p.tensor.shape);
  if ('list' in p) return p.list.map(unpack);
  if ('named' in p) return Object.fromEntries(Object.entries(p.named).map(([k, e]) => [k, unpack(e)]));
  return p.raw;
}

/** Callbacks that need the model's memory run inside the worker; these describe them. */
export type WorkerCallbackSpec =
  | { kind: 'gradientMonitor'; every: number; spectralNorm?: boolean; thresholds?: Partial<GradientThresholds>; index: number }
  | { kind: 'terminateOnNaN'; verbose?: 0 | 1; index: number };

/** The fit options as they cross: data packed, callbacks replaced by specs and one proxy. */
export interface FitRequest {
  x: Packed;
  y: Packed;
  validationData?: [Packed, Packed] | { raw: unknown };
  options: Record<string, unknown>;
  workerCallbacks: WorkerCallbackSpec[];
  /** Which hooks the calling thread's callbacks have (only those cross, each at most once per batch). */
  hooks: string[];
  /** Send the weights with each onEpochEnd (a calling-thread callback may call model.getWeights()). */
  weightsOnEpochEnd: boolean;
  /** The calling thread's current weights (it may have changed them since the last fit), or null before it is built. */
  weights: WireTensor[] | null;
  /** Seed for the worker's random stream (drawn from the calling thread's, so setSeed makes runs repeatable). */
  seed: number;
}

/** What a calling-thread hook sees of the worker's model at that moment. */
export interface ModelState { learningRate?: number; weights?: WireTensor[] }

export interface WireTensor { values: Float32Array; shape: number[] }

/** What the calling thread's callbacks changed, applied by the worker before the next batch. */
export interface Control { stop: boolean; learningRate?: number; weights?: WireTensor[]; logs?: Logs }

/** The calling-thread side of the callbacks, as the worker calls it (a Comlink proxy). */
export interface HookBridge {
  call(hook: string, index: number | undefined, logs: Logs | undefined, state: ModelState): Promise<Control>;
  report(index: number, report: GradientReportData, at: { epoch: number; batch: number; step: number }): Promise<void>;
  nan(index: number, report: NaNReport): Promise<void>;
}

export interface FitResult {
  history: { epoch: number[]; history: Record<string, number[]>; params: Record<string, unknown> };
  weights: Float32Array[];
  inputShape: number[];
  learningRate?: number;
  iterations?: number;
  /** Final state of the worker-side callbacks, copied into the caller's instances. */
  monitors: { index: number; records: unknown[]; last?: GradientReportData }[];
  nanReports: { index: number; report?: NaNReport }[];
}

/** The worker's API. */
export interface WorkerApi {
  /** Build and compile the model; resolves with the threads the worker's core runs on. */
  init(spec: ModelSpec): Promise<{ threads: number }>;
  fit(req: FitRequest, bridge: HookBridge): Promise<FitResult>;
  stop(): void;
}
