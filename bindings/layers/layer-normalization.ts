/**
 * LayerNormalization (Keras 3): normalizes each row over the last axis, then scales by γ and
 * shifts by β:  y = γ·(x − mean)/√(var + ε) + β, with the mean and biased variance of that one
 * sample's (and position's) features. The same in training and inference.
 *
 * Weights in Keras order: gamma (if scale), beta (if center), both of the last axis's size.
 * Forward is one kernel; backward is one kernel giving dx, dgamma and dbeta.
 */
import { Normalization, type NormalizationArgs } from './normalization.js';
import type { NodeIO, RunContext } from './layer.js';

export type LayerNormalizationArgs = NormalizationArgs;

export class LayerNormalization extends Normalization {
  static className = 'LayerNormalization';

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    be.layerNormForward(io.y, io.x, this.gamma?.ptr ?? 0, this.beta?.ptr ?? 0, this.rows(batch), this.features, this.epsilon);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const dGamma = (this.gamma ? io.grad(this.gamma) : 0) ?? 0, dBeta = (this.beta ? io.grad(this.beta) : 0) ?? 0;
    if (!io.dx && !dGamma && !dBeta) return;
    be.layerNormBackward(io.dx, dGamma, dBeta, io.dy, io.x, this.gamma?.ptr ?? 0, this.rows(batch), this.features, this.epsilon);
  }
}

export function layerNormalization(args: LayerNormalizationArgs = {}): LayerNormalization {
  return new LayerNormalization(args);
}
