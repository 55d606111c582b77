/**
 * Adagrad (Keras 3 defaults: learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7).
 *   acc += g²;  w −= lr·g/√(acc + ε)
 */
import type { Backend } from '../backend/backend.js';
import { checkNonNegative, Optimizer, type OptimizerArgs, type Run, type Slot, positional } from './optimizer.js';

export interface AdagradArgs extends OptimizerArgs { initialAccumulatorValue?: number; epsilon?: number }

export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(args: AdagradArgs = {}) {
    super(args, 0.001, { initialAccumulatorValue: 'number', epsilon: 'number' });
    this.initialAccumulatorValue = args.initialAccumulatorValue ?? 0.1;
    this.epsilon = args.epsilon ?? 1e-7;
    checkNonNegative('Adagrad', 'initialAccumulatorValue', this.initialAccumulatorValue);
    checkNonNegative('Adagrad', 'epsilon', this.epsilon);
    if (this.epsilon === 0 && this.initialAccumulatorValue === 0) {
      throw new Error('Adagrad: epsilon and initialAccumulatorValue cannot both be 0: a weight whose gradient is 0 would be updated by 0/0 = NaN');
    }
  }

  protected stateBuffers(): number { return 1; }

  override build(be: Backend, G: number, n: number, slots: Slot[], owner: object, ownerName: string): void {
    super.build(be, G, n, slots, owner, ownerName);
    for (const r of this.runs) be.fill(this.state(0, r), this.initialAccumulatorValue, r.n);
  }

  protected update(be: Backend, _t: number, r: Run): void {
    be.adagradUpdate(r.W, this.state(0, r), r.G, r.n, this.learningRate, this.epsilon);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

/** `adagrad({ learningRate, initialAccumulatorValue, epsilon })`, or TF.js's positional `adagrad(learningRate, initialAccumulatorValue)`. */
export const adagrad = (...args: [AdagradArgs?] | number[]) => new Adagrad(positional<AdagradArgs>('adagrad', ['learningRate', 'initialAccumulatorValue'], args));
