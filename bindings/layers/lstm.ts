/**
 * LSTM (Hochreiter & Schmidhuber 1997; Keras 3 semantics and layout). Gates in Keras order
 * i, f, c, o: kernel [features, 4u], recurrent_kernel [u, 4u], bias [4u].
 *   z = x_t·W + h_{t−1}·U + b;  i = σ(z_i), f = σ(z_f), g = tanh(z_c), o = σ(z_o)
 *   c_t = f·c_{t−1} + i·g;  h_t = o·tanh(c_t);  h_0 = c_0 = 0
 * σ is `recurrentActivation` (default sigmoid), tanh is `activation`. unitForgetBias (default
 * true) initializes the forget gate's bias to 1 — [0, 1, 0, 0] blocks — and, as in Keras, uses
 * `biasInitializer` for the other three blocks.
 *
 * Per step: one gemm (h_{t−1}·U into the step's pre-activations) and one fused SIMD kernel for
 * all four gates, the cell and the output; backward through time: the fused backward kernel
 * (which carries dL/dc) and one gemm per step. The cell states c_0..c_T are kept for it.
 */
import { getInitializer, ones, type Initializer } from '../initializers.js';
import type { Activation } from '../activations.js';
import type { InitializerIdentifier } from '../initializers.js';
import type { Act } from '../backend/backend.js';
import type { NodeIO, RunContext } from './layer.js';
import { Recurrent, type GatedRecurrentArgs } from './recurrent.js';

export interface LSTMArgs extends GatedRecurrentArgs {
  /** Initialize the forget gate's bias to 1 (default true, as Keras 3). */
  unitForgetBias?: boolean;
}

export class LSTM extends Recurrent {
  static className = 'LSTM';
  protected readonly gates = 4;
  readonly recurrentActivation: Activation;
  readonly unitForgetBias: boolean;

  constructor(args: LSTMArgs) {
    super(args);
    this.recurrentActivation = this.gateActivation(args.recurrentActivation ?? 'sigmoid', 'recurrentActivation');
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  protected override biasInitializerFor(): InitializerIdentifier {
    if (!this.unitForgetBias) return this.biasInitializer;
    const base = getInitializer(this.biasInitializer, `${this.name}: biasInitializer`), u = this.units;
    const forget: Initializer = {
      className: 'UnitForgetBias', config: {},
      sample: (shape) => {
        const out = new Float32Array(4 * u);
        out.set(base.sample([u]), 0);
        out.set(ones().sample([u]), u);
        out.set(base.sample([2 * u]), 2 * u);
        return shape.length === 1 && shape[0] === 4 * u ? out : base.sample(shape);
      },
    };
    return forget;
  }

  protected override cellBuffers(): Record<string, number> {
    return { c: (this.time + 1) * this.units, dc: this.units };
  }

  protected runSteps(ctx: RunContext, io: NodeIO): void {
    const { be, batch } = ctx;
    const u = this.units, act = this.activation.id as Act, rec = this.recurrentActivation.id as Act;
    be.fill(io.buffers.c, 0, batch * u);
    for (let t = 1; t <= this.time; t++) {
      const z = this.block(io, 'z', t - 1, batch, 4 * u);
      if (t > 1) this.recurrentProduct(ctx, io, t, z, 1);
      be.lstmStepForward(z, this.block(io, 'c', t, batch, u), this.block(io, 'h', t, batch, u), z, this.block(io, 'c', t - 1, batch, u), batch, u, act, rec);
      this.afterStep(ctx, io, t);
    }
  }

  protected runBackSteps(ctx: RunContext, io: NodeIO): void {
    const { be, batch } = ctx;
    const u = this.units, act = this.activation.id as Act, rec = this.recurrentActivation.id as Act;
    be.fill(io.buffers.dc, 0, batch * u);
    for (let t = this.time; t >= 1; t--) {
      const dz = this.block(io, 'dz', t - 1, batch, 4 * u);
      be.lstmStepBackward(dz, io.buffers.dc, this.block(io, 'z', t - 1, batch, 4 * u), this.block(io, 'c', t, batch, u),
        this.block(io, 'c', t - 1, batch, u), this.block(io, 'dh', t, batch, u), batch, u, act, rec);
      if (t > 1) this.backIntoPrevious(ctx, io, t, dz);
    }
    this.recurrentKernelGrad(ctx, io, io.buffers.dz);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation.name, unitForgetBias: this.unitForgetBias };
  }
}

export function lstm(args: LSTMArgs): LSTM {
  return new LSTM(args);
}
