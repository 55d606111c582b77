/**
 * Functional models in saved files: keelnet's graph config ↔ the Keras topology of TF.js's class
 * `Model` (`layers` with `inbound_nodes`, `input_layers`, `output_layers`), also read in Keras 3's
 * `Functional` form, where each inbound node is `{ args: [KerasTensor…], kwargs }` and a tensor
 * names its source as `keras_history: [layer, node, tensor]`.
 *
 * Nested models are layers of the graph whose config is a whole model (class `Model`,
 * `Functional` or `Sequential`), written and read recursively.
 */
import type { LayerJSON } from '../layers/registry.js';
import type { GraphLayerJSON, GraphModelJSON, ModelJSON, SequentialJSON, TensorRef } from '../models/model-json.js';
import { layerFromKeras, layerToKeras, toPythonic, type ReadContext } from './keras-config.js';

type Dict = Record<string, unknown>;

const isGraphClass = (c: unknown) => c === 'Model' || c === 'Functional';

/** A nested model read from a file: already built (by the reader's `readModel`), used as it is. */
export interface NestedModelEntry<M> extends GraphLayerJSON { model: M }

/** One InputLayer's Keras config. */
function inputLayerToKeras(l: LayerJSON): Dict {
  const c = l.config as { name: string; batchInputShape: (number | null)[] };
  return { class_name: 'InputLayer', config: { batch_input_shape: c.batchInputShape, dtype: 'float32', sparse: false, name: c.name } };
}

/** The Keras config (class_name + config) of a Sequential chain: the first layer carries batch_input_shape. */
export function sequentialToKeras(json: SequentialJSON): Dict {
  const layers = json.config.layers.map((l, i) => {
    const k = layerToKeras(l) as { class_name: string; config: Dict };
    const shape = l.config.inputShape as number[] | undefined;
    if (i === 0 && shape) Object.assign(k.config, { batch_input_shape: [null, ...shape], dtype: 'float32' });
    return k;
  });
  return { class_name: 'Sequential', config: { name: json.config.name, layers } };
}

/** The Keras config of any keelnet model config. */
export function modelToKeras(json: ModelJSON): Dict {
  return json.className === 'Sequential' ? sequentialToKeras(json) : graphToKeras(json);
}

function graphToKeras(json: GraphModelJSON): Dict {
  const layers = json.config.layers.map((l) => {
    const nested = l.className === 'Model' || l.className === 'Sequential';
    const k = l.className === 'InputLayer' ? inputLayerToKeras(l)
      : nested ? modelToKeras(l as unknown as ModelJSON) : layerToKeras({ className: l.className, config: l.config });
    return { name: l.name, class_name: k.class_name, config: k.config, inbound_nodes: l.inboundNodes };
  });
  return {
    class_name: 'Model',
    config: { name: json.config.name, layers, input_layers: json.config.inputLayers, output_layers: json.config.outputLayers },
  };
}

/** [layer, node, tensor] refs: TF.js writes a list of them; Keras 3 a single ref when there is one. */
function refs(v: unknown, what: string, where: string): TensorRef[] {
  const isRef = (r: unknown) => Array.isArray(r) && typeof r[0] === 'string' && Number.isInteger(r[1]) && Number.isInteger(r[2]);
  if (isRef(v)) return [(v as unknown[]).slice(0, 3) as TensorRef];
  if (Array.isArray(v) && v.length > 0 && v.every(isRef)) return v.map((r) => (r as unknown[]).slice(0, 3) as TensorRef);
  throw new Error(`${where}: ${what} must be [layer name, node index, tensor index] entries, got ${JSON.stringify(v)?.slice(0, 100)}`);
}

/** A Keras 3 KerasTensor in a node's args → its ref. */
function kerasTensorRef(t: unknown, where: string): [string, number, number, Dict] {
  const h = ((t as Dict)?.config as Dict | undefined)?.keras_history;
  if ((t as Dict)?.class_name !== '__keras_tensor__' || !Array.isArray(h)) {
    throw new Error(`${where}: an inbound node argument is not a Keras tensor: ${JSON.stringify(t)?.slice(0, 100)}`);
  }
  return [h[0] as string, h[1] as number, h[2] as number, {}];
}

/** One layer's inbound nodes, in TF.js's form: per node, the list of [layer, node, tensor, kwargs]. */
function inboundNodes(v: unknown, where: string): [string, number, number, Dict][][] {
  if (!Array.isArray(v)) throw new Error(`${where}: inbound_nodes must be a list, got ${JSON.stringify(v)?.slice(0, 80)}`);
  return v.map((node) => {
    if (Array.isArray(node)) {
      return node.map((r) => {
        if (!Array.isArray(r) || typeof r[0] !== 'string') throw new Error(`${where}: an inbound node entry is not [layer, node, tensor, kwargs]: ${JSON.stringify(r)?.slice(0, 80)}`);
        const kwargs = (r[3] ?? {}) as Dict;
        if (Object.keys(kwargs).length) throw new Error(`${where}: call arguments ${JSON.stringify(kwargs)} are not supported`);
        return [r[0], r[1] as number, r[2] as number, {}] as [string, number, number, Dict];
      });
    }
    const n = node as Dict;
    if (!Array.isArray(n?.args)) throw new Error(`${where}: an inbound node is neither a list nor { args, kwargs }: ${JSON.stringify(node)?.slice(0, 80)}`);
    const kwargs = (n.kwargs ?? {}) as Dict;
    const extra = Object.keys(kwargs).filter((k) => k !== 'training' && k !== 'mask');
    if (extra.length) throw new Error(`${where}: call arguments ${extra.join(', ')} are not supported`);
    // A merge layer's args hold one list of tensors; any other layer's, one tensor.
    const args = n.args.length === 1 && Array.isArray(n.args[0]) ? n.args[0] as unknown[] : n.args;
    return args.map((t) => kerasTensorRef(t, where));
  });
}

/** Input shape (no batch axis) of a Keras InputLayer config; fixed sizes only. */
function inputShape(c: Dict, where: string): number[] {
  const batch = (c.batch_input_shape ?? c.batch_shape) as (number | null)[] | undefined;
  const shape = Array.isArray(batch) ? batch.slice(1) : undefined;
  if (!shape || shape.some((d) => !Number.isInteger(d) || (d as number) <= 0)) {
    throw new Error(`${where}: input shape ${JSON.stringify(shape ?? c)?.slice(0, 80)} has unknown sizes; keelnet needs a fixed shape per sample`);
  }
  return shape as number[];
}

/**
 * A Keras `Model`/`Functional` topology → keelnet's graph config (layers read strictly by
 * layerFromKeras). `readModel` reads a nested model's whole config (Sequential or graph).
 */
export function graphFromKeras<M>(t: Dict, ctx: ReadContext, readModel: (t: Dict, ctx: ReadContext) => M): GraphModelJSON {
  const config = t.config as Dict;
  const name = typeof config?.name === 'string' ? config.name : 'model';
  const where = `${ctx.where}: model '${name}'`;
  if (!Array.isArray(config?.layers)) throw new Error(`${where}: the ${String(t.class_name)} topology has no layers list`);
  const layers: GraphLayerJSON[] = config.layers.map((raw: Dict, i) => {
    const layerName = (raw?.name ?? (raw?.config as Dict | undefined)?.name) as string | undefined;
    if (typeof layerName !== 'string') throw new Error(`${where}: layer ${i} has no name`);
    const label = `layer '${layerName}'`;
    const nodes = inboundNodes(raw.inbound_nodes ?? [], `${where}: ${label}`);
    const cls = raw.class_name;
    if (cls === 'InputLayer') {
      const c = (raw.config ?? {}) as Dict;
      return { className: 'InputLayer', name: layerName, inboundNodes: [], config: { name: layerName, batchInputShape: [null, ...inputShape(c, `${where}: ${label}`)] } };
    }
    if (isGraphClass(cls) || cls === 'Sequential') {
      const nested: NestedModelEntry<M> = { className: String(cls), config: {}, name: layerName, inboundNodes: nodes,
        model: readModel(raw, { ...ctx, where: `${ctx.where}: nested model '${layerName}'` }) };
      return nested;
    }
    // layerFromKeras names the layer from its config; the label only when the config has no name.
    const json = layerFromKeras(raw, ctx, (raw.config as Dict | undefined)?.name === layerName ? 'layer' : label);
    return { ...json, name: layerName, inboundNodes: nodes };
  });
  return {
    className: 'Model',
    config: { name, layers, inputLayers: refs(config.input_layers, 'input_layers', where), outputLayers: refs(config.output_layers, 'output_layers', where) },
  };
}

export { isGraphClass, toPythonic };
