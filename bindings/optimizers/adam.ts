/**
 * Adam (Keras 3 defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false).
 *   alpha = lr·√(1 − β2ᵗ)/(1 − β1ᵗ);  m += (g − m)(1 − β1);  v += (g² − v)(1 − β2)
 *   amsgrad: vhat = max(vhat, v) replaces v;  w −= alpha·m/(√v + ε)   (ε-hat form, as Keras)
 */
import type { Backend } from '../backend/backend.js';
import { checkArgs, checkEpsilon, checkUnit, Optimizer, type OptimizerArgs, type Run, positional } from './optimizer.js';

export interface AdamArgs extends OptimizerArgs { beta1?: number; beta2?: number; epsilon?: number; amsgrad?: boolean }

export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  constructor(args: AdamArgs = {}) {
    super(args, 0.001, { beta1: 'number', beta2: 'number', epsilon: 'number', amsgrad: 'boolean' });
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
    this.amsgrad = args.amsgrad ?? false;
    checkUnit(this.constructor.name, 'beta1', this.beta1);
    checkUnit(this.constructor.name, 'beta2', this.beta2);
    checkEpsilon(this.constructor.name, this.epsilon);
  }

  protected stateBuffers(): number { return this.amsgrad ? 3 : 2; }

  protected update(be: Backend, t: number, r: Run): void {
    const alpha = this.learningRate * Math.sqrt(1 - this.beta2 ** t) / (1 - this.beta1 ** t);
    be.adamUpdate(r.W, this.state(0, r), this.state(1, r), this.amsgrad ? this.state(2, r) : 0, r.G, r.n,
      alpha, this.beta1, this.beta2, this.epsilon, this.amsgrad ? 1 : 0);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

/** `adam({ learningRate, … })`, or TF.js's positional `adam(learningRate, beta1, beta2, epsilon)`. */
export const adam = (...args: [AdamArgs?] | number[]) => new Adam(positional<AdamArgs>('adam', ['learningRate', 'beta1', 'beta2', 'epsilon'], args));

/** AdamW: Adam with decoupled weight decay (Keras 3 default weightDecay 0.004). */
export class AdamW extends Adam {
  override readonly className: string = 'AdamW';
  constructor(args: AdamArgs = {}) {
    if (typeof args !== 'object' || args === null) checkArgs('AdamW', args, {});
    super({ weightDecay: 0.004, ...args });
  }
}

/** `adamw({ learningRate, weightDecay, … })`, or positionally `adamw(learningRate, beta1, beta2, epsilon)`. */
export const adamw = (...args: [AdamArgs?] | number[]) => new AdamW(positional<AdamArgs>('adamw', ['learningRate', 'beta1', 'beta2', 'epsilon'], args));
