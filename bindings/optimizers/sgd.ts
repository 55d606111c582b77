/**
 * SGD (Keras 3 defaults: learningRate 0.01, momentum 0, nesterov false).
 *   momentum = 0: w −= lr·g
 *   else:         v = momentum·v − lr·g;  w += nesterov ? momentum·v − lr·g : v
 */
import type { Backend } from '../backend/backend.js';
import { checkUnit, Optimizer, type OptimizerArgs, type Run, positional } from './optimizer.js';

export interface SGDArgs extends OptimizerArgs { momentum?: number; nesterov?: boolean }

export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(args: SGDArgs = {}) {
    super(args, 0.01, { momentum: 'number', nesterov: 'boolean' });
    this.momentum = args.momentum ?? 0;
    checkUnit('SGD', 'momentum', this.momentum);
    this.nesterov = args.nesterov ?? false;
  }

  protected stateBuffers(): number { return this.momentum > 0 ? 1 : 0; }

  protected update(be: Backend, _t: number, r: Run): void {
    be.sgdUpdate(r.W, this.state(0, r), r.G, r.n, this.learningRate, this.momentum, this.nesterov ? 1 : 0);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}

/** `sgd({ learningRate, momentum, nesterov })`, or TF.js's positional `sgd(learningRate)`. */
export const sgd = (...args: [SGDArgs?] | number[]) => new SGD(positional<SGDArgs>('sgd', ['learningRate'], args));
