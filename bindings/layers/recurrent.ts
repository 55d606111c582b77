/**
 * The machinery SimpleRNN, LSTM and GRU share: Keras 3 arguments, shape checks, weights
 * [kernel (features, gates·units), recurrent_kernel (units, gates·units), bias], the planned
 * buffers that backpropagation through time needs, dropout masks, and the parts of the forward
 * and backward passes that do not depend on the cell.
 *
 * Layout: every per-step buffer is time-major, (time, batch, ·), so step t is one contiguous
 * (batch, ·) block. With B samples, T steps, F features, u units and G gates:
 *   xt  (T, B, F)      the input, reordered (reversed for goBackwards) and dropout-masked
 *   z   (T, B, G·u)    x·W + b for all steps in ONE gemm; each step adds h_{t−1}·U (one gemm) and
 *                      the cell's fused kernel turns it into activated gates in place
 *   h   (T+1, B, u)    hidden states, h_0 = 0
 *   dh  (T+1, B, u)    dL/dh_t (every path) — kept for `hiddenGradNorms`
 *   dz  (T, B, G·u)    gradients of the pre-activations; then dW, db, dx are one gemm each
 * Backward through time runs the cell's backward kernel and one gemm (dz_t·Uᵀ into dh_{t−1})
 * per step; dU is ONE gemm over all steps: Σ_t h_{t−1}ᵀ·dz_t = h[1..T−1]ᵀ·dz[2..T].
 *
 * Dropout (Keras semantics, one mask per sequence, fixed over time): `dropout` masks the input
 * features and `recurrentDropout` the state fed to the recurrent product (not the carried state),
 * one (batch, ·) mask each, shared by all gates — Keras's fused implementation 2. (Keras 3
 * switches to one mask per gate when recurrentDropout > 0; keelnet keeps one.) The masks come
 * from the dropout kernel's counter hash, so both cores draw the same ones.
 */
import { getActivation, type Activation, type ActivationName } from '../activations.js';
import type { Backend } from '../backend/backend.js';
import type { InitializerIdentifier } from '../initializers.js';
import { getRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers.js';
import { Random } from '../random.js';
import { Layer, booleanArg, type LayerArgs, type NodeIO, type RunContext, type Weight } from './layer.js';

export interface RecurrentArgs extends LayerArgs {
  /** Size of the hidden state (and of the output at each step). */
  units: number;
  /** Activation of the candidate state and of the output (default 'tanh'). */
  activation?: ActivationName | string;
  /** Add biases (default true). */
  useBias?: boolean;
  /** Initializer of the input kernel (default 'glorotUniform', as Keras 3). */
  kernelInitializer?: InitializerIdentifier;
  /** Initializer of the recurrent kernel (default 'orthogonal'). */
  recurrentInitializer?: InitializerIdentifier;
  /** Initializer of the bias (default 'zeros'). */
  biasInitializer?: InitializerIdentifier;
  /** Penalty on the input kernel. */
  kernelRegularizer?: RegularizerIdentifier;
  /** Penalty on the recurrent kernel. */
  recurrentRegularizer?: RegularizerIdentifier;
  /** Penalty on the bias. */
  biasRegularizer?: RegularizerIdentifier;
  /** Fraction of the input features dropped in training, one mask per sequence (default 0). */
  dropout?: number;
  /** Fraction of the state fed to the recurrent product dropped in training, one mask per sequence (default 0). */
  recurrentDropout?: number;
  /** Seed of the layer's own dropout stream; default (null): the global stream that setSeed fixes. */
  seed?: number | null;
  /** Output the whole sequence [time, units] instead of the last state [units] (default false). */
  returnSequences?: boolean;
  /** Process the sequence from the last step to the first; the output sequence is in processing order, as Keras (default false). */
  goBackwards?: boolean;
}

export interface GatedRecurrentArgs extends RecurrentArgs {
  /** Activation of the gates (default 'sigmoid', as Keras 3; TF.js defaults to 'hardSigmoid'). */
  recurrentActivation?: ActivationName | string;
}

/** Activations whose derivative is a function of their output: the kernels keep only activated values. */
const SUPPORTED = ['tanh', 'sigmoid', 'hardSigmoid', 'relu', 'softsign', 'linear'];

const shapeStr = (s: number[]) => `[batch, ${s.join(', ')}]`;

export abstract class Recurrent extends Layer {
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed: number | null;
  protected readonly kernelInitializer: InitializerIdentifier;
  protected readonly recurrentInitializer: InitializerIdentifier;
  protected readonly biasInitializer: InitializerIdentifier;
  readonly kernelRegularizer?: Regularizer;
  readonly recurrentRegularizer?: Regularizer;
  readonly biasRegularizer?: Regularizer;
  kernel!: Weight;
  recurrentKernel!: Weight;
  bias?: Weight;
  private readonly ownRandom?: Random;

  /** Gates per unit: 1 (SimpleRNN), 4 (LSTM), 3 (GRU). */
  protected abstract readonly gates: number;

  constructor(args: RecurrentArgs) {
    super(args);
    if (!args || !Number.isInteger(args.units) || args.units <= 0) {
      throw new Error(`${this.name}: units must be a positive integer, got ${args?.units}`);
    }
    // Keras arguments that change what the layer computes and that keelnet does not implement: refuse, never ignore.
    for (const k of ['returnState', 'stateful'] as const) {
      if ((args as unknown as Record<string, unknown>)[k]) throw new Error(`${this.name}: ${k}: true is not supported`);
    }
    this.units = args.units;
    this.activation = this.gateActivation(args.activation ?? 'tanh', 'activation');
    this.useBias = booleanArg(this.name, 'useBias', args.useBias, true);
    this.returnSequences = args.returnSequences ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.recurrentInitializer = args.recurrentInitializer ?? 'orthogonal';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `${this.name}: kernelRegularizer`);
    this.recurrentRegularizer = getRegularizer(args.recurrentRegularizer, `${this.name}: recurrentRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `${this.name}: biasRegularizer`);
    for (const k of ['dropout', 'recurrentDropout'] as const) {
      const v = args[k] ?? 0;
      if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new Error(`${this.name}: ${k} must be a number in [0, 1), got ${String(v)}`);
    }
    this.dropout = args.dropout ?? 0;
    this.recurrentDropout = args.recurrentDropout ?? 0;
    const seed = args.seed ?? null;
    if (seed !== null && !Number.isInteger(seed)) throw new Error(`${this.name}: seed must be an integer, got ${String(seed)}`);
    this.seed = seed;
    if (seed !== null) this.ownRandom = new Random(seed);
  }

  /** An activation the recurrent kernels support, or a clear error. */
  protected gateActivation(name: string, what: string): Activation {
    const a = getActivation(name);
    if (!SUPPORTED.includes(a.name)) {
      throw new Error(`${this.name}: ${what} '${a.name}' is not supported by recurrent layers; use one of ${SUPPORTED.join(', ')}`);
    }
    return a;
  }

  computeOutputShape(inputShape: number[]): number[] {
    if (inputShape.length !== 2) {
      const hint = inputShape.length === 1
        ? ' — the previous layer outputs one vector per sample (a recurrent layer with returnSequences: false?); give it returnSequences: true, or feed sequences'
        : '';
      throw new Error(`${this.name}: expected a 3-D input [batch, time, features], got ${shapeStr(inputShape)}${hint}`);
    }
    const [time, features] = inputShape;
    if (!(time >= 1)) throw new Error(`${this.name}: sequences of length ${time} (input ${shapeStr(inputShape)}); a recurrent layer needs at least one time step`);
    if (!(features >= 1)) throw new Error(`${this.name}: ${features} features per step (input ${shapeStr(inputShape)}); expected at least 1`);
    return this.returnSequences ? [time, this.units] : [this.units];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    const width = this.gates * this.units;
    this.kernel = this.addWeight('kernel', [this.features, width], this.kernelInitializer, true, this.kernelRegularizer);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, width], this.recurrentInitializer, true, this.recurrentRegularizer);
    if (this.useBias) this.bias = this.addWeight('bias', this.biasShape(), this.biasInitializerFor(), true, this.biasRegularizer);
  }

  protected biasShape(): number[] { return [this.gates * this.units]; }
  protected biasInitializerFor(): InitializerIdentifier { return this.biasInitializer; }

  get time(): number { return this.inputShape[0]; }
  get features(): number { return this.inputShape[1]; }

  /** Floats per sample of the buffers every cell needs, plus the cell's own (`cellBuffers`). */
  override buffersPerSample(): Record<string, number> {
    const T = this.time, F = this.features, u = this.units, Gu = this.gates * u;
    const b: Record<string, number> = { xt: T * F, z: T * Gu, h: (T + 1) * u, dh: (T + 1) * u, dz: T * Gu, dxt: T * F };
    if (this.dropout > 0) b.inMask = F;
    if (this.recurrentDropout > 0) Object.assign(b, { stateMask: u, hd: (T + 1) * u, tmp: u });
    return { ...b, ...this.cellBuffers() };
  }

  protected cellBuffers(): Record<string, number> { return {}; }

  /** Whether this pass drops inputs / state (training with a dropout rate). */
  private inputDropped(ctx: RunContext): boolean { return ctx.training && this.dropout > 0; }
  private stateDropped(ctx: RunContext): boolean { return ctx.training && this.recurrentDropout > 0; }

  /** Byte offset of step t's (batch, width) block of a time-major buffer. */
  protected block(io: NodeIO, name: string, t: number, batch: number, width: number): number {
    return io.buffers[name] + t * batch * width * 4;
  }

  /** The state multiplied by U at step t (1-based): h_{t−1}, or its dropout-masked copy. */
  private stateFor(ctx: RunContext, io: NodeIO, t: number): number {
    return this.block(io, this.stateDropped(ctx) ? 'hd' : 'h', t - 1, ctx.batch, this.units);
  }

  /** dest (batch, G·u) = h_{t−1}·U + beta·dest. */
  protected recurrentProduct(ctx: RunContext, io: NodeIO, t: number, dest: number, beta: number): void {
    const Gu = this.gates * this.units;
    ctx.be.gemm(dest, this.stateFor(ctx, io, t), this.recurrentKernel.ptr, ctx.batch, Gu, this.units, 0, 0, 1, beta);
  }

  /** After step t produced h_t: keep its masked copy for the next product. */
  protected afterStep(ctx: RunContext, io: NodeIO, t: number): void {
    if (!this.stateDropped(ctx) || t >= this.time) return;
    const { be, batch } = ctx, n = batch * this.units, hd = this.block(io, 'hd', t, batch, this.units);
    be.copy(hd, this.block(io, 'h', t, batch, this.units), n);
    be.broadcastMul(hd, io.buffers.stateMask, 1, n);
  }

  /** dh_{t−1} += ds_t·Uᵀ (through the recurrent mask when there is one); ds_t (batch, G·u). */
  protected backIntoPrevious(ctx: RunContext, io: NodeIO, t: number, ds: number): void {
    const { be, batch } = ctx, u = this.units, Gu = this.gates * u, dhPrev = this.block(io, 'dh', t - 1, batch, u);
    if (this.stateDropped(ctx)) {
      be.gemm(io.buffers.tmp, ds, this.recurrentKernel.ptr, batch, u, Gu, 0, 1, 1, 0);
      be.dropoutBackward(dhPrev, io.buffers.tmp, io.buffers.stateMask, batch * u);
    } else {
      be.gemm(dhPrev, ds, this.recurrentKernel.ptr, batch, u, Gu, 0, 1, 1, 1);
    }
  }

  /** dU += Σ_{t≥2} h_{t−1}ᵀ·ds_t: one gemm over the time-major blocks; ds is a (T, batch, G·u) buffer. */
  protected recurrentKernelGrad(ctx: RunContext, io: NodeIO, ds: number): void {
    const { be, batch } = ctx, T = this.time, u = this.units, Gu = this.gates * u;
    const dU = io.grad(this.recurrentKernel);
    if (!dU || T < 2) return;
    be.gemm(dU, this.block(io, this.stateDropped(ctx) ? 'hd' : 'h', 1, batch, u), ds + batch * Gu * 4,
      u, Gu, (T - 1) * batch, 1, 0, 1, 1);
  }

  /** The cell's steps t = 1..T over the prepared buffers. */
  protected abstract runSteps(ctx: RunContext, io: NodeIO): void;
  /** The cell's backward steps t = T..1: fill dz (and whatever dU needs), and dU. */
  protected abstract runBackSteps(ctx: RunContext, io: NodeIO): void;

  forward(ctx: RunContext, io: NodeIO): void {
    const { be, batch } = ctx;
    const T = this.time, F = this.features, u = this.units, Gu = this.gates * u;
    const xt = io.buffers.xt, z = io.buffers.z, h = io.buffers.h;
    be.seqToTimeMajor(xt, io.x, batch, T, F, this.goBackwards ? 1 : 0);
    const inputDropped = this.inputDropped(ctx), stateDropped = this.stateDropped(ctx);
    const seed = inputDropped || stateDropped ? this.maskSeed(ctx, io, this.ownRandom) : 0;
    if (inputDropped) {
      // One mask per sequence: drawn at the first step, applied to every step.
      be.dropoutForward(xt, io.buffers.inMask, xt, batch * F, seed, threshold(this.dropout), scaleOf(this.dropout));
      if (T > 1) be.broadcastMul(xt + batch * F * 4, io.buffers.inMask, T - 1, batch * F);
    }
    be.gemmBias(z, xt, this.kernel.ptr, T * batch, Gu, F, 0, 0, this.bias?.ptr ?? 0, 0);
    be.fill(h, 0, batch * u);
    if (stateDropped) {
      // h_0 = 0, so this only draws the mask (and writes hd_0 = 0).
      be.dropoutForward(io.buffers.hd, io.buffers.stateMask, h, batch * u, (seed ^ 0x6a09e667) >>> 0,
        threshold(this.recurrentDropout), scaleOf(this.recurrentDropout));
    }
    this.runSteps(ctx, io);
    if (this.returnSequences) be.seqFromTimeMajor(io.y, this.block(io, 'h', 1, batch, u), batch, T, u, 0, 0);
    else be.copy(io.y, this.block(io, 'h', T, batch, u), batch * u);
  }

  backward(ctx: RunContext, io: NodeIO): void {
    const { be, batch } = ctx;
    const T = this.time, F = this.features, u = this.units, Gu = this.gates * u;
    const dz = io.buffers.dz;
    if (this.returnSequences) {
      be.seqToTimeMajor(this.block(io, 'dh', 1, batch, u), io.dy, batch, T, u, 0);
    } else {
      if (T > 1) be.fill(this.block(io, 'dh', 1, batch, u), 0, (T - 1) * batch * u);
      be.copy(this.block(io, 'dh', T, batch, u), io.dy, batch * u);
    }
    this.runBackSteps(ctx, io);
    const dW = io.grad(this.kernel), db = this.bias ? io.grad(this.bias) : 0;
    if (dW) be.gemm(dW, io.buffers.xt, dz, F, Gu, T * batch, 1, 0, 1, 1);
    if (db) be.biasGrad(db, dz, T * batch, Gu);
    if (io.dx) {
      const dxt = io.buffers.dxt;
      be.gemm(dxt, dz, this.kernel.ptr, T * batch, F, Gu, 0, 1, 1, 0);
      if (this.inputDropped(ctx)) be.broadcastMul(dxt, io.buffers.inMask, T, batch * F);
      be.seqFromTimeMajor(io.dx, dxt, batch, T, F, this.goBackwards ? 1 : 0, 1);
    }
  }

  /**
   * ‖dL/dh_t‖ over the batch of the node's last backward pass, for t = T, T−1, …, 1 (processing
   * order): how the gradient fades (or grows) as it flows back through time. Empty before a backward pass.
   */
  hiddenGradNorms(be: Backend, io: NodeIO): number[] {
    const batch = io.lastBackwardBatch, u = this.units;
    if (!batch) return [];
    const out: number[] = [];
    for (let t = this.time; t >= 1; t--) out.push(Math.sqrt(be.sumSquares(this.block(io, 'dh', t, batch, u), batch * u)));
    return out;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), units: this.units, activation: this.activation.name, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, recurrentInitializer: this.recurrentInitializer, biasInitializer: this.biasInitializer,
      ...(this.kernelRegularizer && { kernelRegularizer: this.kernelRegularizer }),
      ...(this.recurrentRegularizer && { recurrentRegularizer: this.recurrentRegularizer }),
      ...(this.biasRegularizer && { biasRegularizer: this.biasRegularizer }),
      dropout: this.dropout, recurrentDropout: this.recurrentDropout, seed: this.seed,
      returnSequences: this.returnSequences, goBackwards: this.goBackwards,
    };
  }
}

/** ⌊rate·2³²⌋: the dropout kernel's threshold. */
function threshold(rate: number): number { return Math.floor(rate * 2 ** 32); }
/** 1/(1 − rate) rounded to float32 once, so both cores scale by the same factor. */
function scaleOf(rate: number): number { return Math.fround(1 / (1 - rate)); }

