/**
 * keelnet's own model configs (camelCase, no weights): what toJSON writes and modelFromJSON reads.
 * io/ turns them into the Keras/TF.js topology of saved files and back.
 */
import type { LayerJSON } from '../layers/registry.js';

/** A chain: the first layer carries the input shape. */
export interface SequentialJSON { className: 'Sequential'; config: { name?: string; layers: LayerJSON[] } }

/** [layer name, node index within this model, tensor index] — as Keras's inbound_nodes entries. */
export type TensorRef = [string, number, number];

/** A layer of a functional config: its own config, its name, and the inputs of each of its nodes. */
export interface GraphLayerJSON extends LayerJSON {
  name: string;
  /** One entry per node: the tensors it reads, each [layer, node, tensor, kwargs]. */
  inboundNodes: [string, number, number, Record<string, unknown>][][];
}

/** A graph (TF.js class `Model`, Keras 3 `Functional`). */
export interface GraphModelJSON {
  className: 'Model';
  config: { name: string; layers: GraphLayerJSON[]; inputLayers: TensorRef[]; outputLayers: TensorRef[] };
}

export type ModelJSON = SequentialJSON | GraphModelJSON;
