/**
 * Standalone gradient clipping over a model's gradient buffer, with PyTorch's semantics
 * (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), for custom training loops:
 *   const { loss } = model.computeGradients(x, y);
 *   const norm = clipGradNorm(model, 1.0);
 *   model.applyGradients();
 */
import type { Backend } from '../backend/backend.js';
import type { EngineModel } from '../engine/model-api.js';

export interface ClipGradNormOptions {
  /** 2 (Euclidean, the default) or Infinity (max |g|). */
  normType?: 2 | typeof Infinity;
  /** Throw when the total norm is NaN or Infinity instead of scaling by it. */
  errorIfNonfinite?: boolean;
}

/**
 * The total norm of all gradients (as if concatenated), measured before clipping; the gradients
 * are scaled in place by maxNorm / (total + 1e-6) when that is < 1. Like PyTorch, a non-finite
 * norm scales by the non-finite factor (the gradients become NaN) unless errorIfNonfinite.
 */
export function clipGradNorm(model: EngineModel, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const normType = options.normType ?? 2;
  if (normType !== 2 && normType !== Infinity) throw new Error(`clipGradNorm: normType must be 2 or Infinity, got ${String(normType)}`);
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new Error(`clipGradNorm: maxNorm must be a positive number, got ${maxNorm}`);
  const { be, ptr, n } = gradientBuffer(model, 'clipGradNorm');
  if (n === 0) return 0;
  const total = normType === 2 ? Math.sqrt(be.sumSquares(ptr, n)) : be.maxAbs(ptr, n);
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(`clipGradNorm: the total norm of order ${normType} of the gradients of ${model.name} is ${total}; the gradients were left as they are`);
  }
  const coef = maxNorm / (total + 1e-6);
  if (!(coef >= 1)) be.scale(ptr, coef, n);
  return total;
}

/** Clamp every gradient element to [−clipValue, clipValue] in place. */
export function clipGradValue(model: EngineModel, clipValue: number): void {
  if (!(clipValue >= 0) || !Number.isFinite(clipValue)) throw new Error(`clipGradValue: clipValue must be a non-negative number, got ${clipValue}`);
  const { be, ptr, n } = gradientBuffer(model, 'clipGradValue');
  if (n > 0) be.clipByValue(ptr, n, clipValue);
}

/** The model's trainable gradients: one contiguous buffer. */
function gradientBuffer(model: EngineModel, what: string): { be: Backend; ptr: number; n: number } {
  const e = model.plannedEngine;
  if (!e) throw new Error(`${what}: ${model.name} is not built; call computeGradients(x, y) first`);
  return { be: e.be, ptr: e.params.grads, n: e.params.trainableFloats };
}
