/**
 * The graph a model runs: its topology with every container (a nested model, a residual block)
 * replaced by the nodes inside it, so the executor sees only layers that compute. Each tensor knows
 * its producer and how many nodes read it; the activation plan gives each one its buffers.
 */
import type { Layer, Weight } from '../layers/layer.js';
import type { SymbolicTensor, Node } from '../graph/symbolic-tensor.js';
import type { Topology } from '../graph/topology.js';
import { shapeSize } from '../tensor.js';

export interface ExecTensor {
  shape: number[];
  /** Floats per sample. */
  size: number;
  /** The node that computes it; undefined for a model input. */
  producer?: ExecNode;
  /** The model input it is (index into the model's inputs), if it is one. */
  input?: number;
  /** Nodes that read it. */
  consumers: number;
}

export interface ExecNode {
  layer: Layer;
  inputs: ExecTensor[];
  output: ExecTensor;
  /** Index in run order. */
  index: number;
}

export interface ExecGraph {
  inputs: ExecTensor[];
  outputs: ExecTensor[];
  /** Inputs before their uses. */
  nodes: ExecNode[];
}

/** Containers give their inner graph; the planner runs its nodes in place of the container's node. */
export interface Container {
  innerGraph(): Topology;
}

export function isContainer(layer: Layer): layer is Layer & Container {
  return typeof (layer as Partial<Container>).innerGraph === 'function';
}

export function execGraph(top: Topology): ExecGraph {
  const nodes: ExecNode[] = [];
  const tensor = (shape: number[], extra: Partial<ExecTensor> = {}): ExecTensor => ({ shape, size: shapeSize(shape), consumers: 0, ...extra });
  const inputs = top.inputs.map((t, i) => tensor(t.shape, { input: i }));
  const expand = (list: Node[], map: Map<SymbolicTensor, ExecTensor>) => {
    for (const node of list) {
      const ins = node.inputs.map((t) => map.get(t)!);
      // Nodes are made by Layer.apply: the graph's GraphLayer is a Layer.
      const layer = node.layer as Layer;
      if (isContainer(layer)) {
        const inner = layer.innerGraph();
        const innerMap = new Map<SymbolicTensor, ExecTensor>();
        inner.inputs.forEach((t, i) => innerMap.set(t, ins[i]));
        expand(inner.nodes, innerMap);
        map.set(node.output, innerMap.get(inner.outputs[0])!);
        continue;
      }
      const output = tensor(node.output.shape);
      const e: ExecNode = { layer, inputs: ins, output, index: nodes.length };
      output.producer = e;
      for (const t of ins) t.consumers++;
      nodes.push(e);
      map.set(node.output, output);
    }
  };
  const map = new Map<SymbolicTensor, ExecTensor>();
  top.inputs.forEach((t, i) => map.set(t, inputs[i]));
  expand(top.nodes, map);
  const outputs = top.outputs.map((t) => map.get(t)!);
  return { inputs, outputs, nodes };
}

/** How many nodes use each weight (a layer applied twice counts twice). */
export function weightUses(graph: ExecGraph): Map<Weight, number> {
  const uses = new Map<Weight, number>();
  for (const n of graph.nodes) for (const w of n.layer.weights) uses.set(w, (uses.get(w) ?? 0) + 1);
  return uses;
}
