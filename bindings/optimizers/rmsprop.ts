/**
 * RMSprop (Keras 3 defaults: learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false).
 *   v = ρv + (1−ρ)g²;  centered: a = ρa + (1−ρ)g, d = v − a², else d = v
 *   inc = lr·g/√(d + ε);  momentum > 0: mo = momentum·mo + inc, w −= mo;  else w −= inc
 */
import type { Backend } from '../backend/backend.js';
import { checkEpsilon, checkUnit, Optimizer, type OptimizerArgs, type Run, positional } from './optimizer.js';

export interface RMSpropArgs extends OptimizerArgs { rho?: number; momentum?: number; epsilon?: number; centered?: boolean }

export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(args: RMSpropArgs = {}) {
    super(args, 0.001, { rho: 'number', momentum: 'number', epsilon: 'number', centered: 'boolean' });
    this.rho = args.rho ?? 0.9;
    this.momentum = args.momentum ?? 0;
    this.epsilon = args.epsilon ?? 1e-7;
    this.centered = args.centered ?? false;
    checkUnit('RMSprop', 'rho', this.rho);
    checkUnit('RMSprop', 'momentum', this.momentum);
    checkEpsilon('RMSprop', this.epsilon);
  }

  protected stateBuffers(): number { return 3; }

  protected update(be: Backend, _t: number, r: Run): void {
    be.rmspropUpdate(r.W, this.state(0, r), this.state(1, r), this.state(2, r), r.G, r.n,
      this.learningRate, this.rho, this.momentum, this.epsilon, this.centered ? 1 : 0);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

/** `rmsprop({ learningRate, rho, momentum, epsilon, centered })`, or TF.js's positional `rmsprop(learningRate, decay, momentum, epsilon, centered)` (TF.js's decay is rho). */
export const rmsprop = (...args: [RMSpropArgs?] | (number | boolean)[]) =>
  new RMSprop(positional<RMSpropArgs>('rmsprop', ['learningRate', 'rho', 'momentum', 'epsilon', 'centered'], args));
