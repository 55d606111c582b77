/**
 * The legacy Keras `.h5` layout, as Keras 3's legacy_h5_format.save_model_to_hdf5 writes it:
 *   root attributes  keras_version, backend, model_config (JSON), training_config (JSON: the
 *                    compile config with the optimizer as optimizer_config)
 *   model_weights/   attributes layer_names, backend, keras_version; one group per layer named
 *                    after it, whose attribute weight_names lists its weights' paths
 *                    (`model/layer/kernel`), each a dataset at that path below the group;
 *                    top_level_model_weights with no weights
 *   optimizer_weights/  attribute weight_names (`adam/iteration`, …), datasets at those paths.
 * Keras reads it by order: the layers that have weights, in order, each weight in order.
 */
import type { Layer, Weight } from '../../layers/layer.js';
import { ModelLayer, type LayersModel } from '../../models/layers-model.js';
import { Sequential } from '../../models/sequential.js';
import { KERAS_FORMAT_VERSION, kerasConfigFromModel } from './config.js';
import type { H5WriteGroup } from './hdf5.js';
import { kerasCompileConfig, optimizerVariables } from './training.js';
import { kerasSnakeCase, legacyWeights } from './variables.js';

type Dict = Record<string, unknown>;

/** What legacy files say wrote them (Keras puts its backend's name here; nothing reads it back). */
const BACKEND = 'keelnet';

/** HDF5 keeps attributes in a 64 KB object header; Keras splits longer lists into name0, name1, … */
const HEADER_LIMIT = 64512;

function listAttribute(name: string, list: string[]): Record<string, string[]> {
  const bytes = list.reduce((n, s) => n + new TextEncoder().encode(s).length + 16, 0);
  const chunks = Math.ceil(bytes / HEADER_LIMIT);
  if (chunks <= 1) return { [name]: list };
  const per = Math.ceil(list.length / chunks);
  return Object.fromEntries(Array.from({ length: chunks }, (_, i) => [`${name}${i}`, list.slice(i * per, (i + 1) * per)]));
}

/** The model config as legacy files hold it: objects as `{ class_name, config }` without module and build_config (a graph's layers keep name and inbound_nodes). */
function legacyModelConfig(model: LayersModel): Dict {
  return legacyEntry(kerasConfigFromModel(model));
}

function legacyEntry({ class_name, config, name, inbound_nodes }: Dict): Dict {
  const c = config as Dict;
  const isModel = class_name === 'Sequential' || class_name === 'Functional';
  const out: Dict = { class_name, config: isModel ? { ...c, layers: (c.layers as Dict[]).map(legacyEntry) } : c };
  if (name !== undefined) Object.assign(out, { name, inbound_nodes });
  return out;
}

/** The training_config: the compile config, its optimizer moved to optimizer_config. */
function trainingConfig(model: LayersModel): Dict | undefined {
  const compile = kerasCompileConfig(model);
  if (!compile) return undefined;
  const { optimizer, ...rest } = compile as { optimizer: Dict } & Dict;
  return { ...rest, optimizer_config: { class_name: optimizer.class_name, config: optimizer.config } };
}

/**
 * A weight's path as Keras's variable.path would name it: model/layer[/cell]/weight for a
 * Sequential's layers (built in the model's scope), layer[/cell]/weight for a graph's, whose
 * layers are built when called; a nested model's weights by its own layers.
 */
function weightPathIn(model: LayersModel): (layer: Layer, w: Weight) => string {
  return (layer, w) => {
    if (layer instanceof ModelLayer) {
      const inner = layer.model.layers.find((l) => l.weights.includes(w))!;
      return weightPathIn(layer.model)(inner, w);
    }
    const cell = ['SimpleRNN', 'LSTM', 'GRU'].includes(layer.className) ? `${kerasSnakeCase(layer.className)}_cell/` : '';
    const inner = w.owner !== layer.name ? `${w.owner}/` : '';
    return `${model instanceof Sequential ? `${model.name}/` : ''}${layer.name}/${cell}${inner}${w.name}`;
  };
}

/** The attributes and groups of a legacy .h5 file for this model. */
export function legacyH5Layout(model: LayersModel, includeOptimizer: boolean, toJSON: (v: unknown) => string)
  : { rootAttrs: Record<string, string>; groups: Array<[string, H5WriteGroup]> } {
  const rootAttrs: Record<string, string> = { keras_version: KERAS_FORMAT_VERSION, backend: BACKEND, model_config: toJSON(legacyModelConfig(model)) };
  const training = includeOptimizer ? trainingConfig(model) : undefined;
  if (training) rootAttrs.training_config = toJSON(training);

  const params = model.engine.params;
  const values = new Map(model.getWeights().map((t, i) => [params.weights[i], t.values as Float32Array]));
  const pathOf = weightPathIn(model);
  const groups: Array<[string, H5WriteGroup]> = [['model_weights', {
    attrs: { ...listAttribute('layer_names', model.layers.map((l) => l.name)), backend: BACKEND, keras_version: KERAS_FORMAT_VERSION },
  }]];
  const ownerOf = new Map<Weight, Layer>();
  for (const layer of model.layers) {
    const weights = legacyWeights(layer);
    const paths = weights.map((w) => pathOf(layer, w));
    groups.push([`model_weights/${layer.name}`, { attrs: listAttribute('weight_names', paths) }]);
    weights.forEach((w, i) => {
      ownerOf.set(w, layer);
      const cut = paths[i].lastIndexOf('/');
      groups.push([`model_weights/${layer.name}/${paths[i].slice(0, cut)}`, {
        datasets: [{ name: paths[i].slice(cut + 1), shape: [...w.shape], values: values.get(w)! }],
      }]);
    });
  }
  groups.push(['model_weights/top_level_model_weights', { attrs: { weight_names: [] } }]);

  const opt = model.optimizer;
  if (includeOptimizer && opt) {
    const name = opt.className.toLowerCase();
    const vars = optimizerVariables(opt, params.trainable, (w) => pathOf(ownerOf.get(w)!, w));
    groups.push(['optimizer_weights', { attrs: listAttribute('weight_names', vars.map((v) => `${name}/${v.name}`)) }]);
    groups.push([`optimizer_weights/${name}`, { datasets: vars.map((v) => ({ name: v.name, shape: v.shape, values: v.values })) }]);
  }
  return { rootAttrs, groups };
}
