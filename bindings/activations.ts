/** Activation names (TF.js camelCase, Keras snake_case aliases) and their kernel ids. */
import { Act } from './backend/backend.js';
import { lookup } from './names.js';

export type ActivationName = 'linear' | 'relu' | 'relu6' | 'leakyRelu' | 'elu' | 'selu' | 'sigmoid' | 'hardSigmoid'
  | 'tanh' | 'softplus' | 'softsign' | 'swish' | 'gelu' | 'softmax';

/** A resolved activation: kernel id (or softmax), canonical name, slope/alpha parameter. */
export interface Activation {
  name: ActivationName;
  /** -1 for softmax, which is row-wise and has kernels of its own. */
  id: Act | -1;
  alpha: number;
}

const table: Record<ActivationName, Activation> = {
  linear: { name: 'linear', id: Act.linear, alpha: 0 },
  relu: { name: 'relu', id: Act.relu, alpha: 0 },
  relu6: { name: 'relu6', id: Act.relu6, alpha: 0 },
  // Keras 3's leaky_relu *function* uses slope 0.2 (the LeakyReLU layer defaults to 0.3).
  leakyRelu: { name: 'leakyRelu', id: Act.leakyRelu, alpha: 0.2 },
  elu: { name: 'elu', id: Act.elu, alpha: 1 },
  selu: { name: 'selu', id: Act.selu, alpha: 0 },
  sigmoid: { name: 'sigmoid', id: Act.sigmoid, alpha: 0 },
  // Keras 3: relu6(x + 3) / 6 (TF.js and Keras 2 used 0.2·x + 0.5).
  hardSigmoid: { name: 'hardSigmoid', id: Act.hardSigmoid, alpha: 0 },
  tanh: { name: 'tanh', id: Act.tanh, alpha: 0 },
  softplus: { name: 'softplus', id: Act.softplus, alpha: 0 },
  softsign: { name: 'softsign', id: Act.softsign, alpha: 0 },
  swish: { name: 'swish', id: Act.swish, alpha: 0 },
  // Exact (erf) form, Keras 3's default (approximate=False).
  gelu: { name: 'gelu', id: Act.gelu, alpha: 0 },
  softmax: { name: 'softmax', id: -1, alpha: 0 },
};

export function getActivation(name: ActivationName | string | undefined | null): Activation {
  if (name === undefined || name === null) return table.linear;
  return lookup(table, name, 'activation', { silu: 'swish', none: 'linear' });
}

/** Keras snake_case name for saving. */
export function activationKerasName(a: Activation): string {
  return a.name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}
