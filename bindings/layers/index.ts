/** Layer factories, as `layers.dense({ units })`. */
import { dense } from './dense.js';

export { Layer } from './layer.js';
export type { LayerArgs, Weight } from './layer.js';
export { Dense } from './dense.js';
export type { DenseArgs } from './dense.js';

export const layers = { dense };
