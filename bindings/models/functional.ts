/**
 * The functional API: `model({ inputs, outputs })` over symbolic tensors, and models rebuilt from
 * their JSON config (Sequential chains and graphs, nested models included).
 */
import { layerFromJSON } from '../layers/registry.js';
import type { Layer } from '../layers/layer.js';
import { InputLayer, inputTensorOf } from '../graph/input-layer.js';
import type { SymbolicTensor } from '../graph/symbolic-tensor.js';
import { LayersModel } from './layers-model.js';
import { Sequential } from './sequential.js';
import type { GraphLayerJSON, GraphModelJSON, ModelJSON } from './model-json.js';

export interface ModelArgs {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
}

/** A model from its inputs and outputs (TF.js `tf.model`, Keras `keras.Model(inputs, outputs)`). */
export function model(args: ModelArgs): LayersModel {
  if (!args || typeof args !== 'object') throw new Error(`model: expected { inputs, outputs, name? }, got ${String(args)}`);
  if (args.inputs === undefined) throw new Error('model: inputs is required (the tensors from input())');
  if (args.outputs === undefined) throw new Error('model: outputs is required (the tensors the model computes)');
  return new LayersModel(args);
}

/** How a graph's layers are made from their configs (io passes a stricter one that checks every argument). */
export type LayerMaker = (json: GraphLayerJSON) => Layer | LayersModel;

/** A new model (fresh weights) from `toJSON()`'s config: a Sequential or a graph. */
export function modelFromJSON(json: ModelJSON | string, make?: LayerMaker): LayersModel {
  const j = typeof json === 'string' ? JSON.parse(json) as ModelJSON : json;
  if (j?.className === 'Sequential') return Sequential.fromJSON(j);
  if (j?.className === 'Model') return graphFromJSON(j, make);
  throw new Error(`modelFromJSON: expected className 'Sequential' or 'Model', got ${JSON.stringify((j as { className?: unknown })?.className)}`);
}

const isModelJSON = (j: { className?: string }) => j.className === 'Sequential' || j.className === 'Model';

/**
 * Rebuild a graph: make every layer, then create its nodes in an order where each node's inputs
 * exist (as Keras's `functional_from_config` does, looping until no node waits).
 */
function graphFromJSON(j: GraphModelJSON, make: LayerMaker = (l) => (isModelJSON(l) ? modelFromJSON(l as unknown as ModelJSON) : layerFromJSON(l))): LayersModel {
  const where = `modelFromJSON(${j.config?.name ?? '?'})`;
  if (!Array.isArray(j.config?.layers) || !Array.isArray(j.config.inputLayers) || !Array.isArray(j.config.outputLayers)) {
    throw new Error(`${where}: expected config { name, layers, inputLayers, outputLayers }`);
  }
  const made = new Map<string, { apply(x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor; input?: SymbolicTensor }>();
  for (const l of j.config.layers) {
    if (made.has(l.name)) throw new Error(`${where}: two layers are named '${l.name}'`);
    if (l.className === 'InputLayer') {
      const layer = new InputLayer(toInputArgs(l.config));
      made.set(l.name, { apply: () => { throw new Error(`${where}: input layer '${l.name}' has inbound nodes`); }, input: inputTensorOf(layer) });
      continue;
    }
    made.set(l.name, make(l));
  }
  // Node numbers per layer; a nested model's count from 1 (its node 0 is its own graph, as in Keras and TF.js).
  const outputs = new Map<string, (SymbolicTensor | undefined)[]>();
  for (const l of j.config.layers) {
    const m = made.get(l.name)!;
    outputs.set(l.name, m.input ? [m.input] : m instanceof LayersModel ? [undefined] : []);
  }
  const pending = j.config.layers.flatMap((l) => (made.get(l.name)!.input ? [] : l.inboundNodes.map((node) => ({ l, node }))));
  // Each layer's nodes are created in index order.
  while (pending.length) {
    const i = pending.findIndex(({ l, node }) => pending.find((p) => p.l === l)!.node === node
      && node.every(([name, idx]) => outputs.get(name)?.[idx] !== undefined));
    if (i < 0) {
      const { l } = pending[0];
      throw new Error(`${where}: the inputs of layer '${l.name}' are never computed (unknown layer names or a cycle in inbound_nodes)`);
    }
    const { l, node } = pending.splice(i, 1)[0];
    const ins = node.map(([name, idx]) => outputs.get(name)![idx]!);
    outputs.get(l.name)!.push(made.get(l.name)!.apply(ins.length === 1 ? ins[0] : ins));
  }
  const ref = ([name, idx]: [string, number, number]) => {
    const t = outputs.get(name)?.[idx];
    if (!t) throw new Error(`${where}: inputLayers/outputLayers name '${name}' node ${idx}, which the config does not define`);
    return t;
  };
  return new LayersModel({ name: j.config.name, inputs: j.config.inputLayers.map(ref), outputs: j.config.outputLayers.map(ref) });
}

function toInputArgs(c: Record<string, unknown>): ConstructorParameters<typeof InputLayer>[0] {
  const batch = (c.batchInputShape ?? c.batchShape) as (number | null)[] | undefined;
  return { name: c.name as string, shape: batch ? batch.slice(1) as number[] : c.inputShape as number[], batchSize: batch?.[0] ?? undefined };
}
