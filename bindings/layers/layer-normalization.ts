/**
 * LayerNormalization (Keras 3): normalizes each row over the last axis, then scales by γ and
 * shifts by β:  y = γ·(x − mean)/√(var + ε) + β, with the mean and biased variance of that one
 * sample's (and position's) features. The same in training and inference.
 *
 * Weights in Keras order: gamma (if scale), beta (if center), both of the last axis's size.
 * Forward is one kernel; backward is one kernel giving dx, dgamma and dbeta.
 */
import { Normalization, type NormalizationArgs } from './normalization.js';
import type { RunContext } from './layer.js';

export type LayerNormalizationArgs = NormalizationArgs;

export class LayerNormalization extends Normalization {
  static className = 'LayerNormalization';

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
  }

  forward({ be, batch }: RunContext): void {
    be.layerNormForward(this.y, this.x, this.gamma?.ptr ?? 0, this.beta?.ptr ?? 0, this.rows(batch), this.features, this.epsilon);
  }

  backward({ be, batch }: RunContext): void {
    const dGamma = this.gamma?.gradPtr ?? 0, dBeta = this.beta?.gradPtr ?? 0;
    if (!this.dx && !dGamma && !dBeta) return;
    be.layerNormBackward(this.dx, dGamma, dBeta, this.dy, this.x, this.gamma?.ptr ?? 0, this.rows(batch), this.features, this.epsilon);
  }
}

export function layerNormalization(args: LayerNormalizationArgs = {}): LayerNormalization {
  return new LayerNormalization(args);
}
