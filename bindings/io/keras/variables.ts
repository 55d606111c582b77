/**
 * Where a Keras file keeps each layer's variables, and the checks before any of them is used.
 *
 * `.keras` (Keras 3 saving_lib, model.weights.h5): the model's layers are a container named
 * `layers`, whose members are named by class, not by layer name — `to_snake_case(class)` with a
 * counter per class (dense, dense_1, conv2d, lstm, …) — and a layer's own variables are datasets
 * `0, 1, …` of its `vars` group, trainable ones first, each in creation order. Layers that own
 * sub-layers keep those under the attribute's name: an RNN's weights are in `layers/lstm/cell/vars`,
 * a TimeDistributed's in `layers/time_distributed/layer/vars`. Each `vars` group carries the
 * object's name as an attribute. The optimizer's variables are `optimizer/vars/0…`.
 * A Functional's InputLayers are layers of the list too (`layers/input_layer/vars`, empty). A
 * nested model is a layer named by its class (`layers/functional`, `layers/sequential`) with its
 * own empty `vars` and its layers below it (`layers/functional/layers/dense/vars`). A layer met a
 * second time (shared by two nested models) keeps its number but is written once, where first met.
 *
 * Legacy `.h5` (Keras `model.save('m.h5')`): `model_weights/<layer name>` lists its datasets in
 * the attribute `weight_names` (paths below the group, e.g. `mlp/dense/kernel`, or
 * `dense/kernel:0` from TF-Keras 2); the optimizer's are listed by `optimizer_weights`'s
 * `weight_names`.
 *
 * In `.keras` files a layer's variables come in the order keelnet's layers keep their weights;
 * in legacy files trainable ones first (Keras's _legacy_weights), which for a nested model differs.
 */
import type { Layer, Weight } from '../../layers/layer.js';
import { ModelLayer } from '../../models/layers-model.js';
import { kerasLayers } from '../keras-config.js';
import { h5Get, type H5Dataset, type H5Group, type H5Node } from './hdf5.js';

/** One variable found in a file, with where it came from (for messages). */
export interface FoundVariable { path: string; dataset: H5Dataset }

/** The variables a file holds for one layer (or one layer's own in a nested model), in order; `source` names their group. */
export interface FoundLayer { layer: Layer; weights: Weight[]; source: string; variables: FoundVariable[] }

/** Keras's naming.to_snake_case: drop non-word characters, then split words and lower-case. */
export function kerasSnakeCase(name: string): string {
  return name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

const RECURRENT = new Set(['SimpleRNN', 'LSTM', 'GRU']);

/** Below a layer's group, where its variables live: '' for its own, 'cell' for an RNN's, 'layer/…' for a wrapper's. */
function ownerPath(layer: Layer): string {
  if (RECURRENT.has(layer.className)) return 'cell';
  const inner = (layer as { inner?: Layer }).inner;
  if (layer.className === 'TimeDistributed' && inner) return ['layer', ownerPath(inner)].filter(Boolean).join('/');
  return '';
}

/** The name of a layer's variables group's object: the layer's name, or its cell's ('lstm_cell'). */
function ownerName(layer: Layer): string {
  if (RECURRENT.has(layer.className)) return `${kerasSnakeCase(layer.className)}_cell`;
  const inner = (layer as { inner?: Layer }).inner;
  if (layer.className === 'TimeDistributed' && inner) return ownerName(inner);
  return layer.name;
}

/** One object of model.weights.h5: its group (`layers/dense_1`), the group of its variables, and the weights kept there. */
export interface KerasLayerGroup { layer: Layer; group: string; vars: string; varsName: string; weights: Weight[] }

/**
 * Each layer's group in model.weights.h5 (`layers/dense_1`) and the group holding its variables
 * (`…/vars` or `…/cell/vars`), nested models' layers after their model's own entry.
 */
export function kerasLayerGroups(layers: readonly Layer[], prefix = 'layers', visited = new Set<Layer>()): KerasLayerGroup[] {
  const used = new Map<string, number>();
  return layers.flatMap((layer) => {
    const nested = layer instanceof ModelLayer ? layer.model : undefined;
    const cls = nested ? (layer.className === 'Sequential' ? 'Sequential' : 'Functional') : kerasLayers[layer.className]?.kerasClass ?? layer.className;
    const base = kerasSnakeCase(cls);
    const n = used.get(base);
    used.set(base, (n ?? -1) + 1);
    if (visited.has(layer)) return [];
    visited.add(layer);
    const group = `${prefix}/${n === undefined ? base : `${base}_${n + 1}`}`;
    if (nested) {
      return [{ layer, group, vars: `${group}/vars`, varsName: nested.name, weights: [] }, ...kerasLayerGroups(nested.layers, `${group}/layers`, visited)];
    }
    const owner = ownerPath(layer);
    return [{ layer, group, vars: `${group}${owner ? `/${owner}` : ''}/vars`, varsName: ownerName(layer), weights: layer.weights }];
  });
}

function datasetsOf(group: H5Group): Array<[string, H5Dataset]> {
  return [...group.children].filter((e): e is [string, H5Dataset] => e[1].kind === 'dataset');
}

/** A `vars` group's datasets 0…k−1, in order (anything else in it is an error). */
function numberedVariables(group: H5Group, path: string, where: string): FoundVariable[] {
  const found = datasetsOf(group);
  const names = found.map(([k]) => k);
  const expected = names.map((_, i) => String(i));
  if ([...names].sort().join() !== [...expected].sort().join()) {
    throw new Error(`${where}: ${path} holds datasets ${names.join(', ')}; Keras numbers a group's variables 0…${names.length - 1}`);
  }
  return expected.map((k) => ({ path: `${path}/${k}`, dataset: found.find(([n]) => n === k)![1] }));
}

/** Every group below `node` (itself included) that holds datasets, by path. */
function groupsWithData(node: H5Node, path: string, out: string[] = []): string[] {
  if (node.kind !== 'group') return out;
  if (datasetsOf(node).length) out.push(path);
  for (const [k, child] of node.children) groupsWithData(child, `${path}/${k}`, out);
  return out;
}

/** The variables of each layer in a Keras 3 model.weights.h5 (`where` names the archive). */
export function kerasFileVariables(root: H5Group, layers: readonly Layer[], where: string): FoundLayer[] {
  const visited = new Set<string>();
  const found = kerasLayerGroups(layers).map(({ layer, vars, weights }) => {
    const node = h5Get(root, vars);
    visited.add(vars);
    if (node === undefined) {
      if (weights.length === 0) return { layer, weights, source: vars, variables: [] };
      throw new Error(`${where}: layer '${layer.name}' (${layer.className}) has ${weights.length} weights, but model.weights.h5 has no group ${vars}`);
    }
    if (node.kind !== 'group') throw new Error(`${where}: model.weights.h5 has a dataset at ${vars}, where Keras keeps a group of variables`);
    return { layer, weights, source: vars, variables: numberedVariables(node, vars, `${where}: model.weights.h5`) };
  });
  const layersGroup = h5Get(root, 'layers');
  const stray = layersGroup ? groupsWithData(layersGroup, 'layers').filter((p) => !visited.has(p)) : [];
  if (stray.length) {
    throw new Error(`${where}: model.weights.h5 has variables no layer of the model owns: ${stray.join(', ')} (the file's config and weights disagree)`);
  }
  return found;
}

/** The Keras 3 optimizer's variables (`optimizer/vars/0…`), or undefined when the file has none. */
export function kerasFileOptimizerVariables(root: H5Group, where: string): FoundVariable[] | undefined {
  const node = h5Get(root, 'optimizer/vars');
  if (node === undefined) return undefined;
  if (node.kind !== 'group') throw new Error(`${where}: model.weights.h5 has a dataset at optimizer/vars, where Keras keeps a group`);
  return numberedVariables(node, 'optimizer/vars', `${where}: model.weights.h5`);
}

/**
 * A list of strings kept in attribute `name` — or, when it outgrew HDF5's 64 KB object header, in
 * `name0`, `name1`, … (Keras's save_attributes_to_hdf5_group). h5wasm gives a string or an array;
 * an empty list may come as an empty numeric array.
 */
function stringList(group: H5Group, name: string): string[] {
  const chunks: unknown[] = [];
  if (name in group.attrs) chunks.push(group.attrs[name]);
  else for (let i = 0; `${name}${i}` in group.attrs; i++) chunks.push(group.attrs[`${name}${i}`]);
  return chunks.flatMap((v) => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []));
}

/** Datasets listed by a group's `weight_names`, in that order. */
function listedVariables(group: H5Group, path: string, where: string): FoundVariable[] {
  return stringList(group, 'weight_names').map((name) => {
    const node = h5Get(group, name);
    if (node?.kind !== 'dataset') throw new Error(`${where}: ${path} lists weight '${name}' in weight_names, but has no such dataset`);
    return { path: `${path}/${name}`, dataset: node };
  });
}

/** The variables of each layer in a legacy Keras .h5 (`model_weights/<layer name>`). */
export function legacyFileVariables(root: H5Group, layers: readonly Layer[], where: string): FoundLayer[] {
  const weightsNode = stringList(root, 'layer_names').length === 0 ? h5Get(root, 'model_weights') : root;
  if (weightsNode?.kind !== 'group') throw new Error(`${where}: the file has no model_weights group (is it a Keras model saved as .h5?)`);
  const base = weightsNode === root ? '' : 'model_weights/';
  const listed = stringList(weightsNode, 'layer_names');
  const found = layers.map((layer) => {
    const path = `${base}${layer.name}`;
    const group = weightsNode.children.get(layer.name);
    const weights = legacyWeights(layer);
    if (group === undefined || group.kind !== 'group') {
      if (weights.length === 0) return { layer, weights, source: path, variables: [] };
      throw new Error(`${where}: layer '${layer.name}' (${layer.className}) has ${weights.length} weights, but the file has no group ${path}`);
    }
    return { layer, weights, source: path, variables: listedVariables(group, path, where) };
  });
  const names = new Set(layers.map((l) => l.name));
  const stray = listed.filter((n) => !names.has(n)).filter((n) => {
    const g = weightsNode.children.get(n);
    return g?.kind === 'group' && stringList(g, 'weight_names').length > 0;
  });
  if (stray.length) throw new Error(`${where}: the file has weights for layers the model does not have: ${stray.join(', ')}`);
  return found;
}

/** A layer's weights in legacy .h5 order: trainable ones first (Keras's _legacy_weights; a nested model's over all its layers). */
export function legacyWeights(layer: Layer): Weight[] {
  return [...layer.weights.filter((w) => w.trainable), ...layer.weights.filter((w) => !w.trainable)];
}

/** The legacy optimizer's variables (`optimizer_weights`, in `weight_names` order), or undefined. */
export function legacyFileOptimizerVariables(root: H5Group, where: string): FoundVariable[] | undefined {
  const node = h5Get(root, 'optimizer_weights');
  if (node?.kind !== 'group') return undefined;
  return listedVariables(node, 'optimizer_weights', where);
}

/** A dataset's values as float32, after checking it is a float array of this shape with finite values. */
export function checkedValues(v: FoundVariable, shape: readonly number[], what: string): Float32Array {
  const { dataset } = v;
  if (!/^[<>|=]?[fd]$/.test(dataset.dtype) || typeof dataset.values !== 'object' || dataset.values === null) {
    throw new Error(`${what} at ${v.path} is stored as HDF5 type ${dataset.dtype}${dataset.attrs.dtype ? ` (${String(dataset.attrs.dtype)})` : ''}; keelnet reads float32 or float64 weights`);
  }
  if (dataset.shape.join(',') !== shape.join(',')) {
    throw new Error(`${what} at ${v.path} has shape [${dataset.shape.join(', ')}] in the file; the layer needs [${shape.join(', ')}]`);
  }
  const values = dataset.values instanceof Float32Array ? dataset.values : Float32Array.from(dataset.values as number[]);
  const bad = values.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`${what} at ${v.path} has a non-finite value ${values[bad]} at index ${bad}`);
  return values;
}
