/**
 * Symbolic tensors and nodes: the functional API's graph. A node is one application of a layer
 * to its input tensors; its output is a symbolic tensor with a per-sample shape and no values.
 * Nodes live in the tensors that reference them, never on the layer, so a layer applied in
 * several places (or several models) holds no trace of where: a model finds its nodes by walking
 * back from its outputs (graph/topology.ts).
 */

/**
 * What the graph needs of a layer (layers/layer.ts's Layer is one). Declared here so that the
 * graph does not import the layer module that imports it.
 */
export interface GraphLayer {
  readonly name: string;
  readonly className: string;
  readonly arity: 1 | 'many';
  built: boolean;
  outputShape: number[];
  buildFor(inputShapes: number[][]): void;
  checkInputShapes(shapes: number[][]): void;
}

let nextId = 0;

export class SymbolicTensor {
  readonly id = nextId++;
  constructor(
    /** Shape of one sample (no batch axis). */
    readonly shape: number[],
    /** The node that computes it. */
    readonly node: Node,
  ) {}

  /** The layer that produced it (an InputLayer for a model input). */
  get sourceLayer(): GraphLayer { return this.node.layer; }
  /** Keras's name for a tensor: the producing layer's name. */
  get name(): string { return this.node.layer.name; }
  get rank(): number { return this.shape.length + 1; }

  toString(): string {
    return `SymbolicTensor(${this.name}, shape [null, ${this.shape.join(', ')}])`;
  }
}

export class Node {
  readonly id = nextId++;
  readonly output: SymbolicTensor;
  constructor(readonly layer: GraphLayer, readonly inputs: SymbolicTensor[], outputShape: number[]) {
    this.output = new SymbolicTensor([...outputShape], this);
  }
}

const shapeText = (s: number[]) => `[${s.join(', ')}]`;

/**
 * `layer.apply(inputs)`: build the layer at its first use (from the inputs' shapes), or check the
 * shapes against what it was built for; then a new node and its output tensor.
 */
export function applyLayer(layer: GraphLayer, inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  list.forEach((t, i) => {
    if (!(t instanceof SymbolicTensor)) {
      throw new Error(`${layer.name}.apply: input ${list.length > 1 ? `${i} ` : ''}must be a symbolic tensor (from input() or another layer's apply), `
        + `got ${t === null ? 'null' : typeof t === 'object' ? (t as object).constructor?.name ?? 'an object' : typeof t}`);
    }
  });
  if (layer.arity === 1 && list.length !== 1) {
    throw new Error(`${layer.name}.apply: a ${layer.className} layer takes one input, got ${list.length}`);
  }
  if (layer.arity === 'many' && list.length < 2) {
    throw new Error(`${layer.name}.apply: a ${layer.className} layer merges at least 2 inputs, got ${list.length}`);
  }
  const shapes = list.map((t) => t.shape);
  if (layer.built) layer.checkInputShapes(shapes);
  else layer.buildFor(shapes);
  const node = new Node(layer, list, layer.outputShape);
  return node.output;
}

export { shapeText };
