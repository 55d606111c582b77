/**
 * Weight initializers with Keras 3 formulas (keras/src/initializers/random_initializers.py).
 * All draw from the global seeded stream, so `setSeed(n)` fixes them.
 */
import { random, type Random } from './random.js';
import { lookup } from './names.js';
import { shapeSize } from './tensor.js';

export interface Initializer {
  /** Keras class name, used when saving. */
  readonly className: string;
  readonly config: Record<string, unknown>;
  /** Values for a weight of this shape, row-major. */
  sample(shape: readonly number[], rng?: Random): Float32Array;
}

/** fan_in, fan_out as Keras's compute_fans: the last two axes, times the receptive field. */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const receptive = shapeSize(shape.slice(0, -2));
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

function make(className: string, config: Record<string, unknown>, draw: (shape: readonly number[], rng: Random) => Float32Array): Initializer {
  return { className, config, sample: (shape, rng = random()) => draw(shape, rng) };
}

function fillWith(shape: readonly number[], f: () => number): Float32Array {
  const out = new Float32Array(shapeSize(shape));
  for (let i = 0; i < out.length; i++) out[i] = f();
  return out;
}

export function zeros(): Initializer { return make('Zeros', {}, (s) => new Float32Array(shapeSize(s))); }
export function ones(): Initializer { return make('Ones', {}, (s) => new Float32Array(shapeSize(s)).fill(1)); }
export function constant({ value = 0 }: { value?: number } = {}): Initializer {
  return make('Constant', { value }, (s) => new Float32Array(shapeSize(s)).fill(value));
}

export function randomUniform({ minval = -0.05, maxval = 0.05 }: { minval?: number; maxval?: number } = {}): Initializer {
  if (!(maxval > minval)) throw new Error(`randomUniform: maxval (${maxval}) must be greater than minval (${minval})`);
  return make('RandomUniform', { minval, maxval }, (s, r) => fillWith(s, () => minval + (maxval - minval) * r.uniform()));
}

export function randomNormal({ mean = 0, stddev = 0.05 }: { mean?: number; stddev?: number } = {}): Initializer {
  checkPositive('randomNormal', 'stddev', stddev);
  return make('RandomNormal', { mean, stddev }, (s, r) => fillWith(s, () => mean + stddev * r.normal()));
}

/** Normal truncated at two standard deviations (no variance correction, as Keras's TruncatedNormal). */
export function truncatedNormal({ mean = 0, stddev = 0.05 }: { mean?: number; stddev?: number } = {}): Initializer {
  checkPositive('truncatedNormal', 'stddev', stddev);
  return make('TruncatedNormal', { mean, stddev }, (s, r) => fillWith(s, () => mean + stddev * r.truncatedNormal()));
}

export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
export type Distribution = 'truncatedNormal' | 'untruncatedNormal' | 'normal' | 'uniform';

/**
 * scale /= max(1, fan); truncatedNormal: stddev = √scale / 0.87962566 (the stddev of a standard
 * normal truncated at ±2, so the drawn variance is `scale`); untruncatedNormal: stddev = √scale;
 * uniform: limit = √(3·scale).
 */
export function varianceScaling({ scale = 1, mode = 'fanIn', distribution = 'truncatedNormal' }:
  { scale?: number; mode?: FanMode | 'fan_in' | 'fan_out' | 'fan_avg'; distribution?: Distribution | 'truncated_normal' | 'untruncated_normal' } = {},
  className = 'VarianceScaling'): Initializer {
  checkPositive('varianceScaling', 'scale', scale);
  const m = lookup({ fanIn: 'fanIn', fanOut: 'fanOut', fanAvg: 'fanAvg' } as const, mode, 'varianceScaling mode');
  const d = lookup({ truncatedNormal: 'truncatedNormal', untruncatedNormal: 'untruncatedNormal', normal: 'truncatedNormal', uniform: 'uniform' } as const, distribution, 'varianceScaling distribution');
  return make(className, { scale, mode: m, distribution: d }, (shape, r) => {
    const [fanIn, fanOut] = computeFans(shape);
    const fan = m === 'fanIn' ? fanIn : m === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const s = scale / Math.max(1, fan);
    if (d === 'uniform') {
      const limit = Math.sqrt(3 * s);
      return fillWith(shape, () => (2 * r.uniform() - 1) * limit);
    }
    if (d === 'untruncatedNormal') {
      const sd = Math.sqrt(s);
      return fillWith(shape, () => sd * r.normal());
    }
    const sd = Math.sqrt(s) / 0.87962566103423978;
    return fillWith(shape, () => sd * r.truncatedNormal());
  });
}

export const glorotUniform = () => varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'uniform' }, 'GlorotUniform');
export const glorotNormal = () => varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' }, 'GlorotNormal');
export const heUniform = () => varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'uniform' }, 'HeUniform');
export const heNormal = () => varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' }, 'HeNormal');
export const lecunUniform = () => varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' }, 'LecunUniform');
export const lecunNormal = () => varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' }, 'LecunNormal');

/**
 * A (semi-)orthogonal matrix: QR of a normal (max(r,c), min(r,c)) matrix, Q's columns signed by
 * diag(R) so the distribution is uniform (Haar), transposed when rows < cols, times gain.
 * Shapes of rank > 2 are flattened to (prod(shape[:-1]), shape[-1]), as Keras.
 */
export function orthogonal({ gain = 1 }: { gain?: number } = {}): Initializer {
  return make('Orthogonal', { gain }, (shape, r) => {
    if (shape.length < 2) throw new Error(`orthogonal: needs a weight of rank ≥ 2, got shape [${shape.join(', ')}]`);
    const rows = shapeSize(shape.slice(0, -1)), cols = shape[shape.length - 1];
    const n = Math.max(rows, cols), k = Math.min(rows, cols);
    // Columns of a (n, k) normal matrix, orthonormalized by modified Gram–Schmidt (twice, for stability).
    const q: Float64Array[] = [];
    for (let j = 0; j < k; j++) {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = r.normal();
      let rjj = 0;
      for (let pass = 0; pass < 2; pass++) {
        for (const u of q) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += u[i] * v[i];
          for (let i = 0; i < n; i++) v[i] -= dot * u[i];
        }
      }
      for (let i = 0; i < n; i++) rjj += v[i] * v[i];
      rjj = Math.sqrt(rjj);
      for (let i = 0; i < n; i++) v[i] /= rjj;
      q.push(v);
    }
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) out[i * cols + j] = gain * (rows >= cols ? q[j][i] : q[i][j]);
    }
    return out;
  });
}

/** gain × the identity matrix (2-D weights only; rectangular gives ones on the diagonal). */
export function identity({ gain = 1 }: { gain?: number } = {}): Initializer {
  return make('Identity', { gain }, (shape) => {
    if (shape.length !== 2) throw new Error(`identity: needs a 2-D weight, got shape [${shape.join(', ')}]`);
    const out = new Float32Array(shape[0] * shape[1]);
    for (let i = 0; i < Math.min(shape[0], shape[1]); i++) out[i * shape[1] + i] = gain;
    return out;
  });
}

function checkPositive(fn: string, arg: string, v: number): void {
  if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${fn}: ${arg} must be a positive finite number, got ${v}`);
}

type Config = Record<string, never>;
const byName: Record<string, (config?: Config) => Initializer> = {
  zeros, ones, constant: (c) => constant(c), randomUniform: (c) => randomUniform(c), randomNormal: (c) => randomNormal(c),
  truncatedNormal: (c) => truncatedNormal(c), varianceScaling: (c) => varianceScaling(c),
  glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal,
  orthogonal: (c) => orthogonal(c), identity: (c) => identity(c),
};

export type InitializerIdentifier = keyof typeof byName | string | Initializer;

/** Keras 3's extra names (keras/src/initializers/__init__.py), normalized: 'uniform', 'normal', 'one', 'zero'. */
const kerasAliases = { uniform: 'randomuniform', normal: 'randomnormal', one: 'ones', zero: 'zeros', orthogonalinitializer: 'orthogonal' };

/** An initializer from a name ('heNormal', 'he_normal', 'HeNormal', Keras's 'normal') or an Initializer object. */
export function getInitializer(id: InitializerIdentifier, what = 'initializer'): Initializer {
  if (typeof id === 'object' && id !== null) {
    if (typeof (id as Initializer).sample === 'function') return id as Initializer;
    // A serialized initializer, { className, config } (from toJSON or a saved model).
    const { className, config } = id as { className?: unknown; config?: unknown };
    if (typeof className === 'string' && (config === undefined || (typeof config === 'object' && config !== null))) {
      const make = lookup(byName, className, what, kerasAliases);
      const named = ['GlorotUniform', 'GlorotNormal', 'HeUniform', 'HeNormal', 'LecunUniform', 'LecunNormal', 'Zeros', 'Ones'];
      return named.includes(className) ? make() : make(config as Config);
    }
    throw new Error(`${what}: expected an initializer name or an object from keelnet's initializers, got ${JSON.stringify(id)}; valid names: ${Object.keys(byName).join(', ')}`);
  }
  return lookup(byName, id, what, kerasAliases)();
}
