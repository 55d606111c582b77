/**
 * Merge layers: element-wise add, subtract, multiply, average, maximum, minimum of inputs of one
 * shape (Keras 3's merging layers, TF.js names). Each backward pass adds into every input's
 * gradient that is needed; an input used twice (add([x, x])) gets both contributions.
 *
 *   add:       y = Σ xᵢ                 dxᵢ += dy
 *   subtract:  y = x₀ − x₁              dx₀ += dy, dx₁ −= dy
 *   average:   y = (Σ xᵢ)/k             dxᵢ += dy/k
 *   multiply:  y = Π xᵢ                 dxᵢ += dy·Π_{j≠i} xⱼ
 *   maximum:   y = max xᵢ (minimum: min) dxᵢ += dy where xᵢ was chosen (ties: the first input, as TF's gradient)
 */
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

const shapeText = (s: number[]) => `[${s.join(', ')}]`;

/** What the element-wise merge layers share: k ≥ 2 inputs of one shape, one output of that shape. */
export abstract class Merge extends Layer {
  override get arity(): 'many' { return 'many'; }

  computeOutputShape(inputShape: number[]): number[] {
    throw new Error(`${this.name}: a ${this.className} layer merges at least 2 inputs; apply it to an array of tensors, got one of shape ${shapeText(inputShape)}`);
  }

  override outputShapeFor(shapes: number[][]): number[] {
    if (shapes.length < 2) throw new Error(`${this.name}: a ${this.className} layer merges at least 2 inputs, got ${shapes.length}`);
    this.checkShapes(shapes);
    return [...shapes[0]];
  }

  /** Every input must have the first one's shape (merge layers that take other shapes override this). */
  protected checkShapes(shapes: number[][]): void {
    shapes.forEach((s, i) => {
      if (shapeText(s) !== shapeText(shapes[0])) {
        throw new Error(`${this.name}: ${this.className} needs inputs of one shape; input 0 is ${shapeText(shapes[0])}, input ${i} is ${shapeText(s)}`);
      }
    });
  }

  override buildFor(shapes: number[][]): void {
    this.outputShape = this.outputShapeFor(shapes);
    this.inputShapes = shapes.map((s) => [...s]);
    this.built = true;
  }

  /** Floats per sample of the output. */
  protected get size(): number { return this.outputSize; }
}

export class Add extends Merge {
  static className = 'Add';
  forward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.size;
    be.copy(io.y, io.xs[0], n);
    for (let i = 1; i < io.xs.length; i++) be.addInto(io.y, io.xs[i], n);
  }
  backward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.size;
    for (const dx of io.dxs) if (dx) be.addInto(dx, io.dy, n);
  }
}

export class Subtract extends Merge {
  static className = 'Subtract';
  override outputShapeFor(shapes: number[][]): number[] {
    if (shapes.length !== 2) throw new Error(`${this.name}: Subtract takes exactly 2 inputs, got ${shapes.length}`);
    return super.outputShapeFor(shapes);
  }
  forward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.size;
    be.copy(io.y, io.xs[0], n);
    be.axpy(io.y, io.xs[1], n, -1);
  }
  backward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.size;
    if (io.dxs[0]) be.addInto(io.dxs[0], io.dy, n);
    if (io.dxs[1]) be.axpy(io.dxs[1], io.dy, n, -1);
  }
}

export class Average extends Merge {
  static className = 'Average';
  forward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.size;
    be.copy(io.y, io.xs[0], n);
    for (let i = 1; i < io.xs.length; i++) be.addInto(io.y, io.xs[i], n);
    be.scale(io.y, 1 / io.xs.length, n);
  }
  backward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.size, k = io.xs.length;
    for (const dx of io.dxs) if (dx) be.axpy(dx, io.dy, n, 1 / k);
  }
}

export const add = (args: LayerArgs = {}) => new Add(args);
export const subtract = (args: LayerArgs = {}) => new Subtract(args);
export const average = (args: LayerArgs = {}) => new Average(args);
