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
 *
 * And two that change the shape:
 *   concatenate({ axis }): inputs equal but along `axis`, joined there; each input's gradient is
 *     its slice of dy.
 *   dot({ axes, normalize }): per sample, the product of the two inputs contracted over one axis
 *     each (a batched matrix product: vectors give [1], matrices [n, d]·[m, d] over axes 2 give
 *     [n, m]); with normalize, each input is first L2-normalized along its axis (cosine similarity).
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

export class Average extends Add {
  static override className = 'Average';
  override forward(ctx: RunContext, io: NodeIO): void {
    super.forward(ctx, io);
    ctx.be.scale(io.y, 1 / io.xs.length, ctx.batch * this.size);
  }
  override backward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.size, k = io.xs.length;
    for (const dx of io.dxs) if (dx) be.axpy(dx, io.dy, n, 1 / k);
  }
}

export class Multiply extends Merge {
  static className = 'Multiply';
  /** With more than two inputs, the product of the others is formed in a scratch buffer. */
  override buffersPerSample(): Record<string, number> {
    return this.inputShapes.length > 2 ? { others: this.size } : {};
  }
  forward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.size;
    be.copy(io.y, io.xs[0], n);
    for (let i = 1; i < io.xs.length; i++) be.mulInto(io.y, io.xs[i], n);
  }
  backward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.size, k = io.xs.length;
    for (let i = 0; i < k; i++) {
      if (!io.dxs[i]) continue;
      if (k === 2) { be.mulAdd(io.dxs[i], io.dy, io.xs[1 - i], n); continue; }
      const t = io.buffers.others;
      be.copy(t, io.dy, n);
      for (let j = 0; j < k; j++) if (j !== i) be.mulInto(t, io.xs[j], n);
      be.addInto(io.dxs[i], t, n);
    }
  }
}

/** Maximum (sign +1) and Minimum (sign −1): which input each element came from is kept for backward. */
abstract class Extremum extends Merge {
  protected abstract readonly sign: 1 | -1;
  override buffersPerSample(): Record<string, number> { return { chosen: this.size }; }
  forward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.size;
    for (let i = 0; i < io.xs.length; i++) be.extremumStep(io.y, io.buffers.chosen, io.xs[i], n, i, this.sign);
  }
  backward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.size;
    io.dxs.forEach((dx, i) => { if (dx) be.extremumBackward(dx, io.dy, io.buffers.chosen, n, i); });
  }
}

export class Maximum extends Extremum {
  static className = 'Maximum';
  protected readonly sign = 1 as const;
}

export class Minimum extends Extremum {
  static className = 'Minimum';
  protected readonly sign = -1 as const;
}

export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along, counting the batch axis as 0 (default −1, the last). */
  axis?: number;
}

export class Concatenate extends Merge {
  static className = 'Concatenate';
  readonly axis: number;
  constructor(args: ConcatenateArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis) || axis === 0) throw new Error(`${this.name}: axis must be a non-zero integer (0 is the batch axis), got ${String(args.axis)}`);
    this.axis = axis;
  }

  /** The axis within one sample's shape (rank r). */
  private sampleAxis(rank: number): number {
    const a = this.axis < 0 ? rank + 1 + this.axis : this.axis;
    if (a < 1 || a > rank) throw new Error(`${this.name}: axis ${this.axis} is out of range for inputs of rank ${rank + 1}`);
    return a - 1;
  }

  override outputShapeFor(shapes: number[][]): number[] {
    if (shapes.length < 2) throw new Error(`${this.name}: Concatenate joins at least 2 inputs, got ${shapes.length}`);
    const rank = shapes[0].length, a = this.sampleAxis(rank);
    shapes.forEach((s, i) => {
      const same = s.length === rank && s.every((d, j) => j === a || d === shapes[0][j]);
      if (!same) {
        throw new Error(`${this.name}: Concatenate on axis ${this.axis} needs inputs equal but along that axis; input 0 is ${shapeText(shapes[0])}, input ${i} is ${shapeText(s)}`);
      }
    });
    const out = [...shapes[0]];
    out[a] = shapes.reduce((t, s) => t + s[a], 0);
    return out;
  }

  /** Each input as (rows, cols) blocks: rows = batch · (dims before the axis), cols = the rest. */
  private blocks(batch: number): { rows: number; cols: number[]; stride: number } {
    const a = this.sampleAxis(this.inputShapes[0].length);
    const before = this.inputShapes[0].slice(0, a).reduce((p, d) => p * d, 1);
    const cols = this.inputShapes.map((s) => s.slice(a).reduce((p, d) => p * d, 1));
    return { rows: batch * before, cols, stride: cols.reduce((t, c) => t + c, 0) };
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const { rows, cols, stride } = this.blocks(batch);
    let offset = 0;
    io.xs.forEach((x, i) => { be.copyColumns(io.y, x, rows, cols[i], stride, offset); offset += cols[i]; });
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const { rows, cols, stride } = this.blocks(batch);
    let offset = 0;
    io.dxs.forEach((dx, i) => { if (dx) be.addColumnsFrom(dx, io.dy, rows, cols[i], stride, offset); offset += cols[i]; });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

export interface DotArgs extends LayerArgs {
  /** The axis of each input to contract, counting the batch axis as 0: one number for both, or a pair. */
  axes: number | [number, number];
  /** L2-normalize each input along its axis first, so the dot product is the cosine similarity (default false). */
  normalize?: boolean;
}

/** One input's role in Dot's batched product: its matrix (rows, cols) per sample, transposed or not, and its normalization. */
interface DotOperand { rows: number; cols: number; trans: 0 | 1; outer: number; len: number; inner: number }

export class Dot extends Merge {
  static className = 'Dot';
  readonly axes: [number, number];
  readonly normalize: boolean;
  constructor(args: DotArgs) {
    super(args);
    const axes = Array.isArray(args?.axes) ? args.axes : [args?.axes, args?.axes];
    if (axes.length !== 2 || !axes.every((a) => Number.isInteger(a) && a !== 0)) {
      throw new Error(`${this.name}: axes must be a non-zero integer or a pair of them (0 is the batch axis), got ${JSON.stringify(args?.axes)}`);
    }
    this.axes = axes as [number, number];
    this.normalize = args.normalize ?? false;
    if (typeof this.normalize !== 'boolean') throw new Error(`${this.name}: normalize must be true or false, got ${String(args.normalize)}`);
  }

  /** Input i's operand: rank-1 samples are row vectors (1, n); rank-2 samples (p, q) are contracted along axis 1 (p) or 2 (q). */
  private operand(i: 0 | 1, shape: number[]): DotOperand {
    const rank = shape.length, ax = this.axes[i] < 0 ? rank + 1 + this.axes[i] : this.axes[i];
    if (rank < 1 || rank > 2 || ax < 1 || ax > rank) {
      throw new Error(`${this.name}: Dot takes inputs of rank 2 or 3 (with the batch axis) and axes within them; input ${i} has shape ${shapeText(shape)} and axis ${this.axes[i]}`);
    }
    const [p, q] = rank === 1 ? [1, shape[0]] : shape;
    const contractLast = rank === 1 || ax === 2;
    // Input 0 is op(A) (M×K), input 1 is op(B) (K×N): A contracts its columns untransposed, B its rows.
    const trans = (i === 0 ? !contractLast : contractLast) ? 1 : 0;
    return { rows: p, cols: q, trans, outer: contractLast ? p : 1, len: contractLast ? q : p, inner: contractLast ? 1 : q };
  }

  private operands(): [DotOperand, DotOperand] {
    return [this.operand(0, this.inputShapes[0]), this.operand(1, this.inputShapes[1])];
  }

  override outputShapeFor(shapes: number[][]): number[] {
    if (shapes.length !== 2) throw new Error(`${this.name}: Dot takes exactly 2 inputs, got ${shapes.length}`);
    const a = this.operand(0, shapes[0]), b = this.operand(1, shapes[1]);
    if (a.len !== b.len) {
      throw new Error(`${this.name}: Dot over axes [${this.axes.join(', ')}] needs the same size along them; input 0 ${shapeText(shapes[0])} has ${a.len}, input 1 ${shapeText(shapes[1])} has ${b.len}`);
    }
    const M = a.trans ? a.cols : a.rows, N = b.trans ? b.rows : b.cols;
    if (shapes[0].length === 1 && shapes[1].length === 1) return [1];
    if (shapes[0].length !== shapes[1].length) throw new Error(`${this.name}: Dot needs inputs of one rank; got ${shapeText(shapes[0])} and ${shapeText(shapes[1])}`);
    return [M, N];
  }

  /** Normalized copies of the inputs and their inverse norms (normalize only); their gradients are zeroed each step. */
  override buffersPerSample(): Record<string, number> {
    if (!this.normalize) return {};
    const [a, b] = this.operands();
    return { na: a.rows * a.cols, nb: b.rows * b.cols, inva: a.outer * a.inner, invb: b.outer * b.inner };
  }

  override gradBuffersPerSample(): Record<string, number> {
    if (!this.normalize) return {};
    const [a, b] = this.operands();
    return { dna: a.rows * a.cols, dnb: b.rows * b.cols };
  }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const [a, b] = this.operands();
    let A = io.xs[0], B = io.xs[1];
    if (this.normalize) {
      be.l2NormalizeForward(io.buffers.na, io.buffers.inva, A, batch * a.outer, a.len, a.inner, L2_EPSILON);
      be.l2NormalizeForward(io.buffers.nb, io.buffers.invb, B, batch * b.outer, b.len, b.inner, L2_EPSILON);
      A = io.buffers.na; B = io.buffers.nb;
    }
    const M = a.trans ? a.cols : a.rows, N = b.trans ? b.rows : b.cols;
    be.gemmBatched(io.y, A, B, batch, M, N, a.len, a.trans, b.trans, 1, 0);
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    const [a, b] = this.operands();
    const M = a.trans ? a.cols : a.rows, N = b.trans ? b.rows : b.cols, K = a.len;
    const A = this.normalize ? io.buffers.na : io.xs[0], B = this.normalize ? io.buffers.nb : io.xs[1];
    const dA = this.normalize ? io.buffers.dna : io.dxs[0], dB = this.normalize ? io.buffers.dnb : io.dxs[1];
    // C = op(A)·op(B): d op(A) = dC·op(B)ᵀ, d op(B) = op(A)ᵀ·dC, each written in its input's storage order.
    if (dA) {
      if (!a.trans) be.gemmBatched(dA, io.dy, B, batch, M, K, N, 0, b.trans ? 0 : 1, 1, 1);
      else be.gemmBatched(dA, B, io.dy, batch, K, M, N, b.trans, 1, 1, 1);
    }
    if (dB) {
      if (!b.trans) be.gemmBatched(dB, A, io.dy, batch, K, N, M, a.trans ? 0 : 1, 0, 1, 1);
      else be.gemmBatched(dB, io.dy, A, batch, N, K, M, 1, a.trans, 1, 1);
    }
    if (this.normalize) {
      if (io.dxs[0]) be.l2NormalizeBackward(io.dxs[0], io.buffers.dna, io.buffers.na, io.buffers.inva, io.xs[0], batch * a.outer, a.len, a.inner, L2_EPSILON);
      if (io.dxs[1]) be.l2NormalizeBackward(io.dxs[1], io.buffers.dnb, io.buffers.nb, io.buffers.invb, io.xs[1], batch * b.outer, b.len, b.inner, L2_EPSILON);
    }
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axes: [...this.axes], normalize: this.normalize };
  }
}

/** Keras's l2_normalize epsilon: x / sqrt(max(Σx², 1e-12)). */
const L2_EPSILON = 1e-12;

export const add = (args: LayerArgs = {}) => new Add(args);
export const multiply = (args: LayerArgs = {}) => new Multiply(args);
export const maximum = (args: LayerArgs = {}) => new Maximum(args);
export const minimum = (args: LayerArgs = {}) => new Minimum(args);
export const concatenate = (args: ConcatenateArgs = {}) => new Concatenate(args);
export const dot = (args: DotArgs) => new Dot(args);
export const subtract = (args: LayerArgs = {}) => new Subtract(args);
export const average = (args: LayerArgs = {}) => new Average(args);
