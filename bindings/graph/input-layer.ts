/**
 * InputLayer and `input({ shape })`: where a functional model's data enters. The layer computes
 * nothing; its node's output is the symbolic tensor the user builds on, and the model loads each
 * batch straight into that tensor's buffer.
 */
import { Layer, type LayerArgs, type NodeIO, type RunContext } from '../layers/layer.js';
import { Node, type SymbolicTensor } from './symbolic-tensor.js';

export interface InputArgs {
  /** Shape of one sample, without the batch axis. */
  shape?: number[];
  /** Shape with a leading batch axis (null or a fixed size), as Keras's batch_shape. */
  batchShape?: (number | null)[];
  /** Fixed batch size (accepted for TF.js compatibility; keelnet plans memory per call anyway). */
  batchSize?: number;
  name?: string;
  /** Only 'float32' (token ids for an Embedding are float32 integers too). */
  dtype?: string;
}

export class InputLayer extends Layer {
  static className = 'InputLayer';
  readonly batchSize?: number;

  constructor(args: InputArgs & LayerArgs) {
    const shape = args.shape ?? args.inputShape ?? args.batchShape?.slice(1) ?? args.batchInputShape?.slice(1);
    const name = args.name;
    if (!Array.isArray(shape) || shape.some((d) => !(Number.isInteger(d) && (d as number) > 0))) {
      throw new Error(`input${name ? ` '${name}'` : ''}: shape must be an array of positive integers (one sample, no batch axis), got ${JSON.stringify(shape)}`);
    }
    if (args.dtype !== undefined && args.dtype !== 'float32') {
      throw new Error(`input${name ? ` '${name}'` : ''}: dtype '${args.dtype}' is not supported; keelnet inputs are float32`);
    }
    const batch = args.batchSize ?? args.batchShape?.[0] ?? args.batchInputShape?.[0] ?? undefined;
    if (batch !== undefined && batch !== null && !(Number.isInteger(batch) && batch > 0)) {
      throw new Error(`input${name ? ` '${name}'` : ''}: batchSize must be a positive integer, got ${String(batch)}`);
    }
    super({ name: args.name, inputShape: shape as number[] });
    this.batchSize = batch ?? undefined;
    this.build(shape as number[]);
  }

  computeOutputShape(inputShape: number[]): number[] { return [...inputShape]; }

  forward(_ctx: RunContext, _io: NodeIO): void {}
  backward(_ctx: RunContext, _io: NodeIO): void {}

  override getConfig(): Record<string, unknown> {
    return { name: this.name, batchInputShape: [this.batchSize ?? null, ...this.inputShape], dtype: 'float32', sparse: false };
  }
}

/** A symbolic model input: `const x = input({ shape: [784] })`. */
export function input(args: InputArgs): SymbolicTensor {
  if (!args || typeof args !== 'object') throw new Error(`input: expected { shape, name?, batchSize? }, got ${String(args)}`);
  return inputTensorOf(new InputLayer(args));
}

/** The one input tensor of an InputLayer. */
export function inputTensorOf(layer: InputLayer): SymbolicTensor {
  const known = tensors.get(layer);
  if (known) return known;
  const t = new Node(layer, [], layer.inputShape).output;
  tensors.set(layer, t);
  return t;
}
const tensors = new WeakMap<InputLayer, SymbolicTensor>();
