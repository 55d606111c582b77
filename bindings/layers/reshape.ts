/**
 * Reshape (Keras 3): one sample → `targetShape` (the batch axis untouched), e.g. MNIST's flat
 * [784] into an image [28, 28, 1]. One entry may be -1, inferred from the size. The values keep
 * their row-major order: forward is a copy, backward adds dy into dx.
 */
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';
import { shapeStr, kerasName } from './conv-geometry.js';

export interface ReshapeArgs extends LayerArgs {
  /** Shape of one output sample; positive integers, at most one -1. */
  targetShape: number[];
}

export class Reshape extends Layer {
  static className = 'Reshape';
  readonly targetShape: number[];

  constructor(args: ReshapeArgs) {
    super(kerasName(args, 'reshape'));
    const t = args?.targetShape;
    if (!Array.isArray(t) || t.length === 0 || !t.every((d) => Number.isInteger(d) && (d > 0 || d === -1)) || t.filter((d) => d === -1).length > 1) {
      throw new Error(`${this.name}: targetShape must be a non-empty array of positive integers with at most one -1, got ${JSON.stringify(t)}`);
    }
    this.targetShape = [...t];
  }

  computeOutputShape(inputShape: number[]): number[] {
    const size = inputShape.reduce((a, b) => a * b, 1);
    const known = this.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const out = this.targetShape.map((d) => (d === -1 ? size / known : d));
    if (out.reduce((a, b) => a * b, 1) !== size || !out.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(`${this.name}: cannot reshape an input of shape ${shapeStr(inputShape)} (${size} values) to ${shapeStr(this.targetShape)}`);
    }
    return out;
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    be.copy(io.y, io.x, batch * this.outputSize);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (io.dx) be.addInto(io.dx, io.dy, batch * this.outputSize);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), targetShape: [...this.targetShape] };
  }
}

export function reshape(args: ReshapeArgs): Reshape {
  return new Reshape(args);
}
