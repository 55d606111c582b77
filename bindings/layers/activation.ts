/**
 * Activation: y = f(x) elementwise, or softmax over the last axis, with no weights (Keras 3
 * `Activation(activation)`).
 *
 * Forward: one activation (or softmax) kernel.
 * Backward: dy ← f'(x)·dy in place, then dx += dy (skipped for the first layer).
 */
import { getActivation, type Activation as ActivationFn, type ActivationName } from '../activations.js';
import { Layer, type LayerArgs, type NodeIO, type RunContext } from './layer.js';

export interface ActivationArgs extends LayerArgs {
  /** Activation name ('relu', 'tanh', 'softmax', … or the Keras snake_case alias); softmax runs over the last axis. */
  activation: ActivationName | string;
}

export class Activation extends Layer {
  static className = 'Activation';
  readonly activation: ActivationFn;

  constructor(args: ActivationArgs) {
    super(args);
    if (args?.activation === undefined || args.activation === null) {
      throw new Error(`${this.name}: activation is required, e.g. layers.activation({ activation: 'relu' })`);
    }
    try {
      this.activation = getActivation(args.activation);
    } catch (e) {
      throw new Error(`${this.name}: ${(e as Error).message}`);
    }
  }

  computeOutputShape(inputShape: number[]): number[] {
    if (this.activation.id === -1 && inputShape.length < 1) {
      throw new Error(`${this.name}: softmax needs an input of rank ≥ 1 per sample, got []`);
    }
    return [...inputShape];
  }

  /** Softmax rows: samples × positions; each row is one last-axis vector. */
  private get cols(): number { return this.inputShape[this.inputShape.length - 1]; }

  forward({ be, batch }: RunContext, io: NodeIO): void {
    const n = batch * this.inputSize, act = this.activation;
    if (act.id === -1) be.softmaxForward(io.y, io.x, n / this.cols, this.cols);
    else be.activationForward(io.y, io.x, n, act.id, act.alpha);
  }

  /** The logits of a softmax/sigmoid output are this layer's input. */
  override outputLogits(io: NodeIO): { activation: string; logits: number } {
    return { activation: this.activation.name, logits: io.x };
  }

  backward({ be, batch }: RunContext, io: NodeIO): void {
    if (!io.dx) return;
    const n = batch * this.inputSize, act = this.activation;
    if (io.lossGivesPreActivationGrad) { /* dy already holds dL/dx */ }
    else if (act.id === -1) be.softmaxBackward(io.dy, io.dy, io.y, n / this.cols, this.cols);
    else if (act.name !== 'linear') be.activationBackward(io.dy, io.dy, io.x, io.y, n, act.id, act.alpha);
    be.addInto(io.dx, io.dy, n);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation.name };
  }
}

export function activation(args: ActivationArgs): Activation {
  return new Activation(args);
}
