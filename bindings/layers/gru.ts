/**
 * GRU (Cho et al. 2014), Keras 3's default variant reset_after = true (the cuDNN-compatible one):
 * gates z (update), r (reset), h (candidate); kernel [features, 3u], recurrent_kernel [u, 3u],
 * bias [2, 3u] = [input bias; recurrent bias].
 *   x_· = x_t·W_· + b_in,·;  r_· = h_{t−1}·U_· + b_rec,·
 *   z = σ(x_z + r_z), r = σ(x_r + r_r), hh = tanh(x_h + r·r_h), h_t = z·h_{t−1} + (1 − z)·hh
 * σ is `recurrentActivation` (default sigmoid), tanh is `activation`.
 *
 * Per step: one gemm (h_{t−1}·U) and one fused SIMD kernel; backward through time: the fused
 * backward kernel (which also adds the direct path dh·z into dh_{t−1}) and one gemm per step.
 */
import type { Activation } from '../activations.js';
import type { Act } from '../backend/backend.js';
import type { NodeIO, RunContext } from './layer.js';
import { Recurrent, type GatedRecurrentArgs } from './recurrent.js';

export interface GRUArgs extends GatedRecurrentArgs {
  /** Apply the reset gate after the recurrent product (Keras 3 default true; only true is supported). */
  resetAfter?: boolean;
}

export class GRU extends Recurrent {
  static className = 'GRU';
  protected readonly gates = 3;
  readonly recurrentActivation: Activation;
  readonly resetAfter = true;

  constructor(args: GRUArgs) {
    super(args);
    this.recurrentActivation = this.gateActivation(args.recurrentActivation ?? 'sigmoid', 'recurrentActivation');
    if (args.resetAfter === false) throw new Error(`${this.name}: resetAfter: false (the original 2014 GRU) is not supported; use resetAfter: true (Keras 3's default)`);
  }

  protected override biasShape(): number[] { return [2, 3 * this.units]; }

  protected override cellBuffers(): Record<string, number> {
    const T = this.time, u = this.units;
    return { rh: T * u, rz: 3 * u, drz: T * 3 * u };
  }

  /** The recurrent half of the bias (its second row), or 0. */
  private get recurrentBias(): number { return this.bias ? this.bias.ptr + 3 * this.units * 4 : 0; }

  protected runSteps(ctx: RunContext, io: NodeIO): void {
    const { be, batch } = ctx;
    const u = this.units, act = this.activation.id as Act, rec = this.recurrentActivation.id as Act;
    const rz = io.buffers.rz;
    for (let t = 1; t <= this.time; t++) {
      const z = this.block(io, 'z', t - 1, batch, 3 * u);
      if (t > 1) this.recurrentProduct(ctx, io, t, rz, 0);
      else be.fill(rz, 0, batch * 3 * u);
      be.gruStepForward(z, this.block(io, 'rh', t - 1, batch, u), this.block(io, 'h', t, batch, u), z, rz, this.block(io, 'h', t - 1, batch, u),
        this.recurrentBias, batch, u, act, rec);
      this.afterStep(ctx, io, t);
    }
  }

  protected runBackSteps(ctx: RunContext, io: NodeIO): void {
    const { be, batch } = ctx;
    const u = this.units, act = this.activation.id as Act, rec = this.recurrentActivation.id as Act;
    for (let t = this.time; t >= 1; t--) {
      const drz = this.block(io, 'drz', t - 1, batch, 3 * u);
      be.gruStepBackward(this.block(io, 'dz', t - 1, batch, 3 * u), drz, this.block(io, 'dh', t - 1, batch, u), this.block(io, 'z', t - 1, batch, 3 * u),
        this.block(io, 'rh', t - 1, batch, u), this.block(io, 'h', t - 1, batch, u), this.block(io, 'dh', t, batch, u), batch, u, act, rec);
      if (t > 1) this.backIntoPrevious(ctx, io, t, drz);
    }
    this.recurrentKernelGrad(ctx, io, io.buffers.drz);
    const db = this.bias ? io.grad(this.bias) : 0;
    if (db) be.biasGrad(db + 3 * u * 4, io.buffers.drz, this.time * batch, 3 * u);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation.name, resetAfter: true };
  }
}

export function gru(args: GRUArgs): GRU {
  return new GRU(args);
}
