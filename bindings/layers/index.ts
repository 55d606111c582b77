/** Layer factories, as `layers.dense({ units })`. */
import { dense } from './dense.js';
import { activation } from './activation.js';
import { leakyReLU } from './leaky-relu.js';
import { elu } from './elu.js';
import { prelu } from './prelu.js';

export { Layer } from './layer.js';
export type { LayerArgs, Weight } from './layer.js';
export { Dense } from './dense.js';
export type { DenseArgs } from './dense.js';
export { Activation } from './activation.js';
export type { ActivationArgs } from './activation.js';
export { LeakyReLU } from './leaky-relu.js';
export type { LeakyReLUArgs } from './leaky-relu.js';
export { ELU } from './elu.js';
export type { ELUArgs } from './elu.js';
export { PReLU } from './prelu.js';
export type { PReLUArgs } from './prelu.js';

export const layers = { dense, activation, leakyReLU, elu, prelu };
