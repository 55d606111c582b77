/**
 * A model's graph, found by walking back from its outputs: the nodes in an order that computes
 * every input before its use, the layers in Keras's order, and the checks that make a graph a
 * model (every output computed from the declared inputs, every declared input used).
 *
 * Layer order (what getWeights follows) is Keras's and TF.js's (keras/src/ops/function.py
 * `map_graph`, tfjs-layers container.ts): each node's depth is its longest distance to an output;
 * layers are listed by decreasing depth, and layers of equal depth in the order a depth-first walk
 * from the outputs (inputs in order) first met them.
 */
import type { Layer } from '../layers/layer.js';
import { InputLayer } from './input-layer.js';
import { SymbolicTensor, type GraphLayer, type Node } from './symbolic-tensor.js';

export interface Topology {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  /** Every node but the input nodes, inputs before their uses. */
  nodes: Node[];
  /** Keras's model.layers (input layers included): by decreasing depth, then discovery. */
  layers: Layer[];
}

const tensorName = (t: SymbolicTensor) => `'${t.name}'`;

export function topology(inputs: SymbolicTensor[], outputs: SymbolicTensor[], owner: string): Topology {
  const check = (ts: SymbolicTensor[], what: string) => ts.forEach((t, i) => {
    if (!(t instanceof SymbolicTensor)) {
      throw new Error(`${owner}: ${what}[${i}] must be a symbolic tensor (from input() or layer.apply), got ${t === null ? 'null' : typeof t}`);
    }
  });
  check(inputs, 'inputs');
  check(outputs, 'outputs');
  if (outputs.length === 0) throw new Error(`${owner}: a model needs at least one output`);
  inputs.forEach((t) => {
    if (!(t.node.layer instanceof InputLayer)) {
      throw new Error(`${owner}: inputs must come from input(); ${tensorName(t)} is the output of ${t.node.layer.className} '${t.node.layer.name}'`);
    }
  });
  const declared = new Set(inputs.map((t) => t.node));
  if (declared.size !== inputs.length) throw new Error(`${owner}: an input is listed twice in inputs`);

  // Post-order walk from the outputs: every node after its inputs.
  const order: Node[] = [];
  const done = new Set<Node>(), active = new Set<Node>();
  const layerIndex = new Map<GraphLayer, number>();
  const visit = (node: Node, from: SymbolicTensor) => {
    if (done.has(node)) return;
    if (active.has(node)) throw new Error(`${owner}: the graph has a cycle through layer '${node.layer.name}'`);
    if (!layerIndex.has(node.layer)) layerIndex.set(node.layer, layerIndex.size);
    if (node.layer instanceof InputLayer && !declared.has(node)) {
      throw new Error(`${owner}: output ${tensorName(from)} is computed from input '${node.layer.name}', which is not among the declared inputs `
        + `[${inputs.map((t) => t.name).join(', ')}]; add it to inputs`);
    }
    active.add(node);
    for (const t of node.inputs) visit(t.node, from);
    active.delete(node);
    done.add(node);
    order.push(node);
  };
  for (const t of outputs) visit(t.node, t);
  for (const t of inputs) {
    if (!done.has(t.node)) throw new Error(`${owner}: input '${t.name}' is declared but no output depends on it; remove it from inputs or use it`);
  }

  // Depths: an output node 0, each input of a node at depth d at least d + 1; a layer takes its deepest node's depth.
  const nodeDepth = new Map<Node, number>(), layerDepth = new Map<GraphLayer, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    const depth = Math.max(nodeDepth.get(node) ?? 0, layerDepth.get(node.layer) ?? 0);
    layerDepth.set(node.layer, depth);
    nodeDepth.set(node, depth);
    for (const t of node.inputs) nodeDepth.set(t.node, Math.max(depth + 1, nodeDepth.get(t.node) ?? 0));
  }
  const layers = [...layerDepth.keys()].sort((a, b) => (layerDepth.get(b)! - layerDepth.get(a)!) || (layerIndex.get(a)! - layerIndex.get(b)!));
  // Every node is made by a Layer's apply (or input()): GraphLayer is that Layer seen from the graph.
  return { inputs, outputs, nodes: order.filter((n) => !(n.layer instanceof InputLayer)), layers: layers as Layer[] };
}
