/**
 * model.save(url): the model's Keras topology and float32 weights as TF.js Layers artifacts,
 * handed to the handler the URL names ('file://dir', 'indexeddb://name', 'downloads://name')
 * or to any TF.js IOHandler.
 */
import type { Layer } from '../layers/layer.js';
import type { ModelJSON as KeelnetModelJSON } from '../models/model-json.js';
import type { Tensor } from '../tensor.js';
import { handlerFor } from './handlers.js';
import { savedWeightNames } from './keras-config.js';
import { modelToKeras } from './graph-topology.js';
import type { IOHandler, ModelArtifacts, SaveResult } from './types.js';
import { encodeWeights } from './weights.js';

/** Written as `generatedBy`; keelnet's own files are told apart by it (see keras-config.ts on hard_sigmoid). */
export const GENERATED_BY = 'keelnet 0.1.0';
export const KERAS_VERSION = 'tfjs-layers 4.22.0';

/** What saving needs from a model (Sequential). */
export interface SavableModel {
  readonly name: string;
  readonly layers: readonly Layer[];
  toJSON(): KeelnetModelJSON;
  getWeights(): Tensor[];
}

/** The Keras `modelTopology` of a keelnet model config: snake_case; a chain's first layer with batch_input_shape, a graph's inbound nodes. */
export function kerasTopology(json: KeelnetModelJSON): Record<string, unknown> {
  return { ...modelToKeras(json), keras_version: KERAS_VERSION, backend: 'tensor_flow.js' };
}

/** The artifacts TF.js's LayersModel.save would produce: topology, weight specs, little-endian float32 bytes. */
export function modelToArtifacts(model: SavableModel): ModelArtifacts {
  const values = model.getWeights();
  const names = savedWeightNames(model.layers);
  const named = values.map((t, i) => ({ name: names[i], shape: [...t.shape], values: t.values as Float32Array }));
  const seen = new Set<string>();
  for (const w of named) {
    if (seen.has(w.name)) throw new Error(`save: two weights of ${model.name} are both named '${w.name}'; give the layers unique names`);
    seen.add(w.name);
  }
  const { specs, data } = encodeWeights(named);
  return {
    modelTopology: kerasTopology(model.toJSON()), weightSpecs: specs, weightData: data,
    format: 'layers-model', generatedBy: GENERATED_BY, convertedBy: null,
  };
}

export async function saveModel(model: SavableModel, target: string | IOHandler): Promise<SaveResult> {
  const handler = typeof target === 'string' ? handlerFor(target) : target;
  if (!handler || typeof handler.save !== 'function') {
    throw new Error(`save: ${typeof target === 'string' ? `'${target}' cannot be saved to` : 'the IOHandler has no save()'}`);
  }
  return handler.save(modelToArtifacts(model));
}
