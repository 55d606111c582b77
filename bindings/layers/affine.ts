/**
 * The forward pass Dense and Conv2D share: y = act(A·W + b). One gemmBias writes A·W + b, with
 * ReLU applied in the same epilogue, so a ReLU layer writes its output once and plans no separate
 * pre-activation buffer (ReLU's derivative reads as well from y > 0 as from z > 0). Other
 * activations get z from gemmBias and one activation (or softmax) pass.
 */
import type { Activation } from '../activations.js';
import type { Backend } from '../backend/backend.js';

/** Whether `act` runs in gemmBias's epilogue. */
export const fusedInGemm = (act: Activation): boolean => act.name === 'relu';

/** Whether the layer needs a pre-activation buffer z apart from y. */
export const needsPreActivation = (act: Activation): boolean => act.name !== 'linear' && !fusedInGemm(act);

/**
 * y (rows, cols) = act(A (rows, depth) · W (depth, cols) + bias), bias 0 for none. `z` is the
 * pre-activation buffer (y itself when needsPreActivation is false).
 */
export function affineForward(be: Backend, y: number, z: number, A: number, W: number, bias: number,
  rows: number, cols: number, depth: number, act: Activation): void {
  const relu = fusedInGemm(act);
  be.gemmBias(relu ? y : z, A, W, rows, cols, depth, 0, 0, bias, relu ? 1 : 0);
  if (act.id === -1) be.softmaxForward(y, z, rows, cols);
  else if (!relu && z !== y) be.activationForward(y, z, rows * cols, act.id, act.alpha);
}
