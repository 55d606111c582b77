/** Layer factories, as `layers.dense({ units })`. */
import { dense } from './dense.js';
import { residual, Residual } from './residual.js';
import { activation } from './activation.js';
import { leakyReLU } from './leaky-relu.js';
import { elu } from './elu.js';
import { prelu } from './prelu.js';
import { batchNormalization } from './batch-normalization.js';
import { layerNormalization } from './layer-normalization.js';
import { dropout } from './dropout.js';

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
export { BatchNormalization } from './batch-normalization.js';
export type { BatchNormalizationArgs } from './batch-normalization.js';
export { LayerNormalization } from './layer-normalization.js';
export type { LayerNormalizationArgs } from './layer-normalization.js';
export { Dropout } from './dropout.js';
export type { DropoutArgs } from './dropout.js';

export const layers = { dense, activation, leakyReLU, elu, prelu, residual, batchNormalization, layerNormalization, dropout };

export { Residual };
export type { ResidualArgs } from './residual.js';
