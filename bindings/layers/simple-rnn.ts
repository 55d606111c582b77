/**
 * SimpleRNN (Keras 3): h_t = act(x_t·W + h_{t−1}·U + b), h_0 = 0; weights kernel [features, units],
 * recurrent_kernel [units, units], bias [units]. Input [batch, time, features]; output the last
 * state [batch, units], or every state [batch, time, units] with returnSequences.
 *
 * Per step: one gemm (h_{t−1}·U added into the step's block of x·W + b) and one fused activation
 * kernel; backward: dz_t = dh_t·act'(z_t), then dh_{t−1} += dz_t·Uᵀ (one gemm). See recurrent.ts.
 */
import type { Act } from '../backend/backend.js';
import type { NodeIO, RunContext } from './layer.js';
import { Recurrent, type RecurrentArgs } from './recurrent.js';

export type SimpleRNNArgs = RecurrentArgs;

export class SimpleRNN extends Recurrent {
  static className = 'SimpleRNN';
  protected readonly gates = 1;

  constructor(args: SimpleRNNArgs) {
    super(args);
  }

  protected runSteps(ctx: RunContext, io: NodeIO): void {
    const { be, batch } = ctx;
    const u = this.units, n = batch * u;
    for (let t = 1; t <= this.time; t++) {
      const z = this.block(io, 'z', t - 1, batch, u);
      if (t > 1) this.recurrentProduct(ctx, io, t, z, 1);
      be.rnnStepForward(this.block(io, 'h', t, batch, u), z, n, this.activation.id as Act);
      this.afterStep(ctx, io, t);
    }
  }

  protected runBackSteps(ctx: RunContext, io: NodeIO): void {
    const { be, batch } = ctx;
    const u = this.units, n = batch * u;
    for (let t = this.time; t >= 1; t--) {
      const dz = this.block(io, 'dz', t - 1, batch, u);
      be.rnnStepBackward(dz, this.block(io, 'dh', t, batch, u), this.block(io, 'h', t, batch, u), n, this.activation.id as Act);
      if (t > 1) this.backIntoPrevious(ctx, io, t, dz);
    }
    this.recurrentKernelGrad(ctx, io, io.buffers.dz);
  }
}

export function simpleRNN(args: SimpleRNNArgs): SimpleRNN {
  return new SimpleRNN(args);
}
