/**
 * model.save(url): the model's Keras topology and float32 weights as TF.js Layers artifacts,
 * handed to the handler the URL names ('file://dir', 'indexeddb://name', 'downloads://name')
 * or to any TF.js IOHandler.
 */
import type { Layer } from '../layers/layer.js';
import type { LayerJSON } from '../layers/registry.js';
import type { ModelJSON as KeelnetModelJSON } from '../models/sequential.js';
import type { Tensor } from '../tensor.js';
import { handlerFor } from './handlers.js';
import { layerToKeras, savedWeightNames } from './keras-config.js';
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

/** The Keras `modelTopology` of a keelnet model config: snake_case, the first layer with batch_input_shape. */
export function kerasTopology(json: KeelnetModelJSON): Record<string, unknown> {
  const layers = json.config.layers.map((l, i) => {
    const k = layerToKeras(l) as { class_name: string; config: Record<string, unknown> };
    const shape = l.config.inputShape as number[] | undefined;
    if (i === 0 && shape) Object.assign(k.config, { batch_input_shape: [null, ...shape], dtype: 'float32' });
    return k;
  });
  return { class_name: 'Sequential', config: { name: json.config.name, layers }, keras_version: KERAS_VERSION, backend: 'tensor_flow.js' };
}

/** The artifacts TF.js's LayersModel.save would produce: topology, weight specs, little-endian float32 bytes. */
export function modelToArtifacts(model: SavableModel): ModelArtifacts {
  checkLayerNames(model.toJSON().config.layers, model.name);
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

/**
 * Every layer name (nested layers too) must be a non-empty string without '/': the saved weight
 * names are `<layer>/<weight>`, so 'enc/dense' would be written as 'enc/dense/kernel' and read
 * back as 'enc/kernel' (TF ≥ 2.2's 'layer/cell/weight' form). Keras 3 forbids '/' in names.
 */
export function checkLayerNames(layers: readonly LayerJSON[], model: string): void {
  for (const l of layers) {
    const name = l.config.name;
    if (typeof name !== 'string' || name === '') {
      throw new Error(`save: a ${l.className} layer of ${model} has the name ${JSON.stringify(name) ?? String(name)}; a layer name must be a non-empty string`);
    }
    if (name.includes('/')) {
      throw new Error(`save: layer '${name}' of ${model} has '/' in its name; '/' separates the layer from the weight in saved weight names `
        + `('${name}/kernel' would load as '${name.slice(0, name.indexOf('/'))}/kernel'), and Keras forbids it in layer names: rename the layer`);
    }
    if (Array.isArray(l.config.layers)) checkLayerNames(l.config.layers as LayerJSON[], model);
    if (typeof l.config.layer === 'object' && l.config.layer !== null) checkLayerNames([l.config.layer as LayerJSON], model);
  }
}

export async function saveModel(model: SavableModel, target: string | IOHandler): Promise<SaveResult> {
  const handler = typeof target === 'string' ? handlerFor(target) : target;
  if (!handler || typeof handler.save !== 'function') {
    throw new Error(`save: ${typeof target === 'string' ? `'${target}' cannot be saved to` : 'the IOHandler has no save()'}`);
  }
  return handler.save(modelToArtifacts(model));
}
