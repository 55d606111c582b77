/**
 * SimpleRNN (Keras 3): h_t = act(x_t·W + h_{t−1}·U + b), h_0 = 0; weights kernel [features, units],
 * recurrent_kernel [units, units], bias [units]. Input [batch, time, features]; output the last
 * state [batch, units], or every state [batch, time, units] with returnSequences.
 *
 * Per step: one gemm (h_{t−1}·U added into the step's block of x·W + b) and one fused activation
 * kernel; backward: dz_t = dh_t·act'(z_t), then dh_{t−1} += dz_t·Uᵀ (one gemm). See recurrent.ts.
 */
import type { Act } from '../backend/backend.js';
import type { RunContext } from './layer.js';
import { Recurrent, type RecurrentArgs } from './recurrent.js';

export type SimpleRNNArgs = RecurrentArgs;

export class SimpleRNN extends Recurrent {
  static className = 'SimpleRNN';
  protected readonly gates = 1;

  constructor(args: SimpleRNNArgs) {
    super(args);
  }

  protected runSteps({ be, batch }: RunContext): void {
    const u = this.units, n = batch * u;
    for (let t = 1; t <= this.time; t++) {
      const z = this.block('z', t - 1, batch, u);
      if (t > 1) this.recurrentProduct(be, t, batch, z, 1);
      be.rnnStepForward(this.block('h', t, batch, u), z, n, this.activation.id as Act);
      this.afterStep(be, t, batch);
    }
  }

  protected runBackSteps({ be, batch }: RunContext): void {
    const u = this.units, n = batch * u;
    for (let t = this.time; t >= 1; t--) {
      const dz = this.block('dz', t - 1, batch, u);
      be.rnnStepBackward(dz, this.block('dh', t, batch, u), this.block('h', t, batch, u), n, this.activation.id as Act);
      if (t > 1) this.backIntoPrevious(be, t, batch, dz);
    }
    this.recurrentKernelGrad(be, batch, this.buffers.dz);
  }
}

export function simpleRNN(args: SimpleRNNArgs): SimpleRNN {
  return new SimpleRNN(args);
}
