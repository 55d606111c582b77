/**
 * Optimizer base: state buffers planned once in the backend's memory, gradient clipping with
 * Keras 3 semantics, then the update kernel over each contiguous run of parameters — one run
 * (one call) for a model whose weights sit in one block, more where it shares layers with
 * another model. The gradients are one contiguous buffer either way.
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

/** A contiguous run of parameters and their gradients (floats). */
export interface Slot { ptr: number; gradPtr: number; size: number }

/** A run as the update rule sees it: values, gradients, and the byte offset of its part of each state buffer. */
export interface Run { W: number; G: number; state: number; n: number }
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
  /** The gradients (`n` trainable floats, contiguous) and the runs of parameters they belong to. */
  protected G = 0;
  protected n = 0;
  protected runs: Run[] = [];
  private stateBlock = 0;
  private owner?: object;
  private ownerName = '';
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
  /** The model it trains (once attached). */
  get attachedTo(): object | undefined { return this.owner; }
  get attachedToName(): string { return this.ownerName; }

  /** How many state floats per parameter this optimizer keeps (momenta, second moments, …). */
  protected abstract stateBuffers(): number;

  /**
   * Plan the state (zeroed) for n trainable floats: gradients contiguous at G, one slot per
   * variable in gradient order. Variables whose values are adjacent too form one run.
   */
  build(be: Backend, G: number, n: number, slots: Slot[], owner: object, ownerName: string): void {
    if (this.be) throw new Error(`${this.className}: this optimizer already trains model '${this.ownerName}'; create one per model`);
    this.be = be;
    this.G = G; this.n = n;
    this.owner = owner; this.ownerName = ownerName;
    const k = this.stateBuffers();
    if (k > 0 && n > 0) {
      this.stateBlock = be.alloc(k * n * 4);
      be.fill(this.stateBlock, 0, k * n);
    }
    this.variables = slots;
    this.runs = [];
    for (const s of slots) {
      const last = this.runs[this.runs.length - 1];
      if (last && last.W + last.n * 4 === s.ptr && last.G + last.n * 4 === s.gradPtr) last.n += s.size;
      else if (s.size > 0) this.runs.push({ W: s.ptr, G: s.gradPtr, state: s.gradPtr - G, n: s.size });
    }
  }

  /** Byte offset of state buffer i, at a run's part of it. */
  protected state(i: number, run: Run): number {
    return this.stateBlock ? this.stateBlock + i * this.n * 4 + run.state : 0;
  }

  /**
   * The state buffers as files hold them: buffer i spans every trainable float of the model, in
   * gradient order (io/keras reads and writes Keras's optimizer variables through it). Throws
   * before the optimizer is attached to a built model.
   */
  stateView(): { be: Backend; buffer(i: number): number; floats: number } {
    const be = this.be;
    if (!be) throw new Error(`${this.className}: the optimizer is not attached to a built model`);
    return { be, buffer: (i) => this.stateBlock + i * this.n * 4, floats: this.n };
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
      for (const v of this.variables) {
        const norm = Math.sqrt(be.sumSquares(v.gradPtr, v.size));
        if (!(norm <= this.clipnorm)) be.scale(v.gradPtr, this.clipnorm / Math.max(norm, this.clipnorm), v.size);
      }
    }
    const runs = this.runs;
    if (this.weightDecay > 0) for (let r = 0; r < runs.length; r++) be.scale(runs[r].W, 1 - this.learningRate * this.weightDecay, runs[r].n);
    this.iterations++;
    for (let r = 0; r < runs.length; r++) this.update(be, this.iterations, runs[r]);
  }

  /** One slot per trainable weight (clipnorm is per variable), in gradient order. */
  protected variables: Slot[] = [];

  /**
   * The size ‖Δw‖ of the update `apply()` would make to each slot now (clipping, weight decay and
   * the rule included), leaving weights, gradients, state and the step count exactly as they were.
   */
  simulateUpdateNorms(): number[] {
    const be = this.be!;
    const n = this.n, stateFloats = this.stateBuffers() * n;
    if (n === 0) return [];
    const scratch = be.alloc((2 * n + stateFloats) * 4);
    // Values saved at their gradient's offset: W0 + (gradPtr − G) holds the values of that gradient's weight.
    const W0 = scratch, G0 = scratch + n * 4, S0 = scratch + 2 * n * 4;
    for (const r of this.runs) be.copy(W0 + (r.G - this.G), r.W, r.n);
    be.copy(G0, this.G, n);
    if (stateFloats) be.copy(S0, this.stateBlock, stateFloats);
    const it = this.iterations;
    this.apply();
    const norms = this.variables.map((v) => Math.sqrt(be.sumSquaredDiff(v.ptr, W0 + (v.gradPtr - this.G), v.size)));
    for (const r of this.runs) be.copy(r.W, W0 + (r.G - this.G), r.n);
    be.copy(this.G, G0, n);
    if (stateFloats) be.copy(this.stateBlock, S0, stateFloats);
    this.iterations = it;
    be.free(scratch);
    return norms;
  }

  /** The update rule over one run of parameters; `step` counts from 1. */
  protected abstract update(be: Backend, step: number, run: Run): void;

  dispose(): void {
    if (this.be && this.stateBlock) this.be.free(this.stateBlock);
    this.stateBlock = 0;
    this.be = undefined;
    this.owner = undefined;
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

/**
 * TF.js's positional call forms (`tf.train.adam(0.01)`, `tf.train.rmsprop(0.01, 0.9)`): numbers in
 * `names`' order become the options object; an options object passes as it is.
 */
export function positional<A extends object>(owner: string, names: readonly (keyof A & string)[], args: unknown[]): A | undefined {
  if (args.length === 0 || args[0] === undefined || (typeof args[0] === 'object' && args.length === 1)) return args[0] as A | undefined;
  if (typeof args[0] !== 'number') {
    throw new Error(`${owner}: expected an options object such as { learningRate: 0.01 } or a learning rate, got ${JSON.stringify(args[0]) ?? typeof args[0]}`);
  }
  if (args.length > names.length) throw new Error(`${owner}: takes at most ${names.length} positional arguments (${names.join(', ')}), got ${args.length}`);
  return Object.fromEntries(args.map((v, i) => [names[i], v]).filter(([, v]) => v !== undefined)) as A;
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
