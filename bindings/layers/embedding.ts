/**
 * Embedding (Keras 3): integer token ids → rows of a trainable table `embeddings` [inputDim,
 * outputDim]. Input [batch, ...] of floats holding integer ids (e.g. [batch, time]); output
 * [batch, ..., outputDim]. Ids outside [0, inputDim) (or not integers) are an error naming the
 * layer, the id and where it was: the gather kernel reports the first bad position.
 *
 * Forward: one gather; backward: one scatter-add into the table's gradient. No gradient flows to
 * the ids.
 */
import type { InitializerIdentifier } from '../initializers.js';
import { getRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext, type Weight } from './layer.js';

export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: ids must lie in [0, inputDim). */
  inputDim: number;
  /** Size of each embedding vector. */
  outputDim: number;
  /** Initializer of the table (default 'uniform': randomUniform(−0.05, 0.05), as Keras 3). */
  embeddingsInitializer?: InitializerIdentifier;
  /** Penalty on the table. */
  embeddingsRegularizer?: RegularizerIdentifier;
}

export class Embedding extends Layer {
  static className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  private readonly embeddingsInitializer: InitializerIdentifier;
  readonly embeddingsRegularizer?: Regularizer;
  embeddings!: Weight;

  constructor(args: EmbeddingArgs) {
    super(args);
    for (const k of ['inputDim', 'outputDim'] as const) {
      if (!Number.isInteger(args?.[k]) || args[k] <= 0) throw new Error(`${this.name}: ${k} must be a positive integer, got ${args?.[k]}`);
    }
    if ((args as { maskZero?: boolean }).maskZero) throw new Error(`${this.name}: maskZero: true (masking) is not supported`);
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.embeddingsInitializer = args.embeddingsInitializer ?? 'uniform';
    this.embeddingsRegularizer = getRegularizer(args.embeddingsRegularizer, `${this.name}: embeddingsRegularizer`);
  }

  override checkInputData(values: ArrayLike<number>, arg: string): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < 0 || v >= this.inputDim) {
        throw new Error(`${this.name}: token ids must be integers in [0, ${this.inputDim}) (inputDim ${this.inputDim}); ${arg} has ${v} at flat index ${i}`);
      }
    }
  }

  computeOutputShape(inputShape: number[]): number[] {
    if (inputShape.length < 1) throw new Error(`${this.name}: expected token ids of shape [batch, time], got [batch]`);
    return [...inputShape, this.outputDim];
  }

  override build(inputShape: number[]): void {
    super.build(inputShape);
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], this.embeddingsInitializer, true, this.embeddingsRegularizer);
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.inputSize;
    const bad = be.embeddingForward(io.y, this.embeddings.ptr, io.x, n, this.outputDim, this.inputDim);
    if (bad >= 0) {
      const id = be.read(io.x + bad * 4, 1)[0];
      const per = this.inputSize;
      // The sample's index in the batch is not its index in the data (fit shuffles): name the position in the sequence.
      throw new Error(`${this.name}: token ids must be integers in [0, ${this.inputDim}) (inputDim ${this.inputDim}); got ${id} `
        + `at position ${bad % per} of a sample (input shape [batch, ${this.inputShape.join(', ')}])`);
    }
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.grad(this.embeddings)) be.embeddingBackward(io.grad(this.embeddings), io.dy, io.x, batch * this.inputSize, this.outputDim);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim, embeddingsInitializer: this.embeddingsInitializer,
      ...(this.embeddingsRegularizer && { embeddingsRegularizer: this.embeddingsRegularizer }),
    };
  }
}

export function embedding(args: EmbeddingArgs): Embedding {
  return new Embedding(args);
}
