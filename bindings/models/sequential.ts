/**
 * Sequential: a chain of layers — the simplest graph. Layers are added one by one; once the first
 * layer's input shape is known (its inputShape, `build(shape)`, or the first data), the chain is
 * applied to an input tensor and the model is a LayersModel like any functional one.
 */
import type { Backend } from '../backend/backend.js';
import { Layer } from '../layers/layer.js';
import { layerFromJSON, layerToJSON } from '../layers/registry.js';
import { InputLayer, input, inputTensorOf } from '../graph/input-layer.js';
import { topology, type Topology } from '../graph/topology.js';
import { shapeStr } from './data.js';
import { LayersModel, type PredictArgs } from './layers-model.js';
import type { Tensor } from '../tensor.js';
import type { SequentialJSON } from './model-json.js';

export type { CompileArgs, FitArgs, EvaluateArgs, PredictArgs } from './layers-model.js';
export type { ModelJSON } from './model-json.js';

export class Sequential extends LayersModel {
  static override className = 'Sequential';
  private readonly stack: Layer[] = [];
  /** A first `inputLayer`, if the chain began with one. */
  private inputLayer?: InputLayer;

  /** `new Sequential([layers…], { name })`, or TF.js's `new Sequential({ layers, name })`. */
  constructor(layers: Layer[] | { layers?: Layer[]; name?: string } = [], args: { name?: string } = {}) {
    const list = Array.isArray(layers) ? layers : layers && typeof layers === 'object' ? layers.layers ?? [] : undefined;
    if (!Array.isArray(list)) {
      throw new Error(`Sequential: expected an array of layers or { layers, name }, got ${layers === null ? 'null' : JSON.stringify(layers) ?? typeof layers}`);
    }
    super({ name: Array.isArray(layers) ? args?.name : layers.name ?? args?.name });
    list.forEach((l, i) => {
      if (!(l instanceof Layer)) throw new Error(`Sequential: layers[${i}] must be a layer (e.g. layers.dense({ units: 10 })), got ${l === null ? 'null' : typeof l}`);
      this.add(l);
    });
  }

  /** The layers in order (no input layer, as in Keras and TF.js). */
  override get layers(): Layer[] { return this.stack; }

  /** Append a layer. The chain is built as soon as the first layer's inputShape is known. */
  add(layer: Layer): void {
    this.checkAlive('add');
    if (!(layer instanceof Layer)) throw new Error(`add: expected a layer, got ${String(layer)}`);
    if (this.plannedEngine) throw new Error(`add: ${this.name} is already built; add layers before training or predicting`);
    if (layer instanceof InputLayer) {
      // TF.js's `layers.inputLayer({ inputShape })` as the first layer: it names the input and its shape.
      if (this.stack.length || this.inputLayer) throw new Error(`add: an InputLayer ('${layer.name}') can only come first in ${this.name}`);
      this.inputLayer = layer;
      return;
    }
    if (this.stack.some((l) => l.name === layer.name)) throw new Error(`add: a layer named '${layer.name}' is already in ${this.name}; layer names must be unique`);
    if (this.stack.length > 0 && layer.declaredInputShape && this.graph) {
      // Keras ignores inputShape on later layers; so do we, but only when it agrees.
      const prev = this.graph.outputs[0].shape;
      if (shapeStr(prev) !== shapeStr(layer.declaredInputShape)) {
        throw new Error(`${layer.name}: inputShape ${shapeStr(layer.declaredInputShape)} does not match the previous layer's output ${shapeStr(prev)}`);
      }
    }
    if (this.graph) {
      const out = layer.apply(this.graph.outputs[0]);
      this.stack.push(layer);
      this.graph = topology(this.graph.inputs, [out], this.name);
      return;
    }
    this.stack.push(layer);
    const shape = this.inputLayer?.inputShape ?? this.stack[0].declaredInputShape;
    if (shape) this.chain(shape);
  }

  /** Shapes through the chain without building anything: the first layer that cannot take its input throws. */
  private dryShapes(inputShape: number[]): void {
    let shape = inputShape;
    for (const l of this.stack) {
      if (l.built) l.checkInputShapes([shape]);
      shape = l.built ? l.outputShape : l.computeOutputShape(shape);
    }
  }

  /** Apply the chain to an input of this shape (building the layers) and make it the model's graph. */
  private chain(inputShape: number[]): Topology {
    this.dryShapes(inputShape);
    const x = this.inputLayer ? inputTensorOf(this.inputLayer) : input({ shape: inputShape });
    let t = x;
    for (const l of this.stack) t = l.apply(t);
    this.graph = topology([x], [t], this.name);
    return this.graph;
  }

  override requireGraph(what: string, sampleShape?: number[]): Topology {
    if (this.graph) return this.graph;
    if (this.stack.length === 0) throw new Error(`${what}: ${this.name} has no layers`);
    const shape = this.inputLayer?.inputShape ?? this.stack[0].declaredInputShape ?? sampleShape;
    if (!shape) throw new Error(`${what}: ${this.name} does not know its input shape; give the first layer an inputShape or call build(shape)`);
    return this.chain(shape);
  }

  /** Build for samples of this shape (without the batch axis): plans and initializes the parameters. */
  override build(inputShape?: number[], be?: Backend): void {
    this.checkAlive('build');
    if (!this.graph) this.requireGraph('build', inputShape);
    super.build(inputShape, be);
  }

  /** Outputs for every sample, in inference mode: a Tensor of shape [n, ...outputShape]. */
  override predict(x: Tensor, args: PredictArgs = {}): Tensor {
    return super.predict(x, args) as Tensor;
  }

  override get built(): boolean { return this.stack.length > 0 && this.stack.every((l) => l.built) && this.graph !== undefined; }
  override get inputShape(): number[] { return this.graph?.inputs[0].shape ?? this.stack[0]?.inputShape ?? []; }
  override get outputShape(): number[] { return this.graph?.outputs[0].shape ?? []; }
  protected override inputLabels(): string[] { return [this.stack[0]?.name ?? this.name]; }
  protected override get showsConnections(): boolean { return false; }

  protected override summaryRows(): string[][] {
    if (this.graph) return super.summaryRows();
    return this.stack.map((l) => [`${l.name} (${l.className})`, '?', l.countParams().toLocaleString('en-US'), '-']);
  }

  /** The model's configuration as plain JSON (no weights): `Sequential.fromJSON` rebuilds it. */
  override toJSON(): SequentialJSON {
    const layers = this.stack.map(layerToJSON);
    const inputShape = this.graph ? this.inputShape : this.stack[0]?.declaredInputShape;
    if (layers.length && inputShape) layers[0].config.inputShape = [...inputShape];
    return { className: 'Sequential', config: { name: this.name, layers } };
  }

  /** A new model with the configuration of `toJSON()` (fresh weights: copy them with setWeights). */
  static fromJSON(json: SequentialJSON | string): Sequential {
    const j = typeof json === 'string' ? JSON.parse(json) as SequentialJSON : json;
    if (!j || j.className !== 'Sequential' || !Array.isArray(j.config?.layers)) {
      throw new Error(`Sequential.fromJSON: expected { className: 'Sequential', config: { layers: [...] } }, got ${JSON.stringify(j)?.slice(0, 80)}`);
    }
    return new Sequential(j.config.layers.map(layerFromJSON), { name: j.config.name });
  }
}
