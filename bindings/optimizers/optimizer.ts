/**
 * Optimizer base: state buffers planned once in the backend's memory, gradient clipping with
 * Keras 3 semantics, then one update kernel over the whole flat parameter buffer.
 *
 * Clipping (only one of the three may be set, each acts when > 0):
 *   clipnorm:       per variable, g ← g·clipnorm / max(‖g‖₂, clipnorm)
 *   clipvalue:      g ← clip(g, −v, v)
 *   globalClipnorm: all g ← g·clip·min(1/‖G‖₂, 1/clip) (a NaN/Inf norm makes every g NaN, deliberately)
 * Then, as Keras: decoupled weight decay w ← w − lr·wd·w, then the update rule.
 */
import type { Backend } from '../backend/backend.js';

export interface OptimizerArgs {
  learningRate?: number;
  /** Clip each variable's gradient to this L2 norm. */
  clipnorm?: number;
  /** Clip each gradient element to [−clipvalue, clipvalue]. */
  clipvalue?: number;
  /** Scale all gradients together so their joint L2 norm is at most this. */
  globalClipnorm?: number;
  /** Decoupled weight decay: w −= lr·weightDecay·w before each update (Keras 3 applies it to every trainable weight). */
  weightDecay?: number;
}

/** A variable as the optimizer sees it: a slice of the flat parameter and gradient buffers. */
export interface Slot { ptr: number; gradPtr: number; size: number }

/** The type of each argument an optimizer takes. */
export type ArgKinds = Record<string, 'number' | 'boolean'>;

const BASE_ARGS: ArgKinds = { learningRate: 'number', clipnorm: 'number', clipvalue: 'number', globalClipnorm: 'number', weightDecay: 'number' };

const shown = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));

/**
 * An optimizer's options: a plain object whose every key is an argument of this optimizer, with
 * a value of its type (numbers finite); null or undefined mean "the default".
 */
export function checkArgs(owner: string, args: unknown, kinds: ArgKinds): void {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new Error(`${owner}: expected an options object such as { learningRate: 0.01 }, got ${shown(args)}`);
  }
  for (const [key, value] of Object.entries(args)) {
    const kind = kinds[key];
    if (!kind) throw new Error(`${owner}: unknown argument '${key}'; ${owner} takes ${Object.keys(kinds).join(', ')}`);
    if (value === undefined || value === null) continue;
    if (typeof value !== kind) throw new Error(`${owner}: ${key} must be a ${kind}, got ${shown(value)} (a ${typeof value})`);
    if (kind === 'number' && !Number.isFinite(value)) throw new Error(`${owner}: ${key} must be a finite number, got ${value}`);
  }
}

export abstract class Optimizer {
  abstract readonly className: string;
  readonly clipnorm?: number;
  readonly clipvalue?: number;
  readonly globalClipnorm?: number;
  readonly weightDecay: number;
  /** Number of updates applied so far. */
  iterations = 0;
  protected be?: Backend;
  /** Flat buffers: parameters, gradients, and `n` trainable floats. */
  protected W = 0;
  protected G = 0;
  protected n = 0;
  protected slots: Slot[] = [];
  private stateBlock = 0;
  private lr = 0;

  /** `own`: the arguments the subclass takes beyond OptimizerArgs, with their types. */
  constructor(args: OptimizerArgs, defaultLearningRate: number, own: ArgKinds = {}) {
    checkArgs(this.constructor.name, args, { ...BASE_ARGS, ...own });
    this.learningRate = args.learningRate ?? defaultLearningRate;
    const set = (['clipnorm', 'clipvalue', 'globalClipnorm'] as const).filter((k) => args[k] !== undefined && args[k] !== null);
    if (set.length > 1) throw new Error(`${this.constructor.name}: only one of clipnorm, clipvalue, globalClipnorm may be set, got ${set.join(' and ')}`);
    for (const k of set) {
      if (!(args[k]! > 0) || !Number.isFinite(args[k]!)) throw new Error(`${this.constructor.name}: ${k} must be a positive number, got ${args[k]}`);
    }
    this.clipnorm = args.clipnorm ?? undefined;
    this.clipvalue = args.clipvalue ?? undefined;
    this.globalClipnorm = args.globalClipnorm ?? undefined;
    this.weightDecay = args.weightDecay ?? 0;
    checkNonNegative(this.constructor.name, 'weightDecay', this.weightDecay);
  }

  /** The step size; callbacks (learningRateScheduler, reduceLROnPlateau) set it between epochs. */
  get learningRate(): number { return this.lr; }
  set learningRate(value: number) {
    checkNonNegative(this.className ?? this.constructor.name, 'learningRate', value);
    this.lr = value;
  }

  /** True once `build` bound it to a model's buffers. */
  get attached(): boolean { return this.be !== undefined; }

  /** How many state floats per parameter this optimizer keeps (momenta, second moments, …). */
  protected abstract stateBuffers(): number;

  /** Plan the state over a flat parameter buffer of n trainable floats (zeroed). */
  build(be: Backend, W: number, G: number, n: number, slots: Slot[]): void {
    if (this.be) throw new Error(`${this.className}: this optimizer is already used by a model; create one per model`);
    this.be = be;
    this.W = W; this.G = G; this.n = n; this.slots = slots;
    const k = this.stateBuffers();
    if (k > 0 && n > 0) {
      this.stateBlock = be.alloc(k * n * 4);
      be.fill(this.stateBlock, 0, k * n);
    }
  }

  /** Byte offset of state buffer i. */
  protected state(i: number): number {
    return this.stateBlock + i * this.n * 4;
  }

  stateBytes(): number {
    return this.stateBuffers() * this.n * 4;
  }

  /** Clip the gradient buffer as configured, then update the parameters. */
  apply(): void {
    const be = this.be!;
    if (this.clipvalue) be.clipByValue(this.G, this.n, this.clipvalue);
    else if (this.globalClipnorm) {
      const norm = Math.sqrt(be.sumSquares(this.G, this.n));
      const c = this.globalClipnorm;
      // Keras: c·min(1/norm, 1/c) + (norm − norm): NaN or Inf norms poison every gradient.
      be.scale(this.G, c * Math.min(1 / norm, 1 / c) + (norm - norm), this.n);
    } else if (this.clipnorm) {
      for (const s of this.slots) {
        const norm = Math.sqrt(be.sumSquares(s.gradPtr, s.size));
        if (!(norm <= this.clipnorm)) be.scale(s.gradPtr, this.clipnorm / Math.max(norm, this.clipnorm), s.size);
      }
    }
    if (this.weightDecay > 0) be.scale(this.W, 1 - this.learningRate * this.weightDecay, this.n);
    this.iterations++;
    this.update(be, this.iterations);
  }

  /**
   * The size ‖Δw‖ of the update `apply()` would make to each slot now (clipping, weight decay and
   * the rule included), leaving weights, gradients, state and the step count exactly as they were.
   */
  simulateUpdateNorms(): number[] {
    const be = this.be!;
    const n = this.n, stateFloats = this.stateBuffers() * n;
    if (n === 0) return [];
    const scratch = be.alloc((2 * n + stateFloats) * 4);
    const W0 = scratch, G0 = scratch + n * 4, S0 = scratch + 2 * n * 4;
    be.copy(W0, this.W, n);
    be.copy(G0, this.G, n);
    if (stateFloats) be.copy(S0, this.stateBlock, stateFloats);
    const it = this.iterations;
    this.apply();
    const norms = this.slots.map((s) => Math.sqrt(be.sumSquaredDiff(s.ptr, W0 + (s.ptr - this.W), s.size)));
    be.copy(this.W, W0, n);
    be.copy(this.G, G0, n);
    if (stateFloats) be.copy(this.stateBlock, S0, stateFloats);
    this.iterations = it;
    be.free(scratch);
    return norms;
  }

  /** The update rule over the flat buffers; `step` counts from 1. */
  protected abstract update(be: Backend, step: number): void;

  dispose(): void {
    if (this.be && this.stateBlock) this.be.free(this.stateBlock);
    this.stateBlock = 0;
    this.be = undefined;
  }

  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { learningRate: this.learningRate };
    if (this.clipnorm) c.clipnorm = this.clipnorm;
    if (this.clipvalue) c.clipvalue = this.clipvalue;
    if (this.globalClipnorm) c.globalClipnorm = this.globalClipnorm;
    if (this.weightDecay) c.weightDecay = this.weightDecay;
    return c;
  }
}

export function checkNonNegative(owner: string, arg: string, v: unknown): void {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new Error(`${owner}: ${arg} must be a non-negative number, got ${shown(v)}`);
}

export function checkUnit(owner: string, arg: string, v: unknown): void {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new Error(`${owner}: ${arg} must be in [0, 1), got ${shown(v)}`);
}

/** ε in √v + ε: 0 would make a weight whose gradients were all 0 step by 0/0 = NaN. */
export function checkEpsilon(owner: string, v: unknown): void {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new Error(`${owner}: epsilon must be a positive number (with 0, a weight whose gradient is 0 would be updated by 0/0 = NaN), got ${shown(v)}`);
  }
}
