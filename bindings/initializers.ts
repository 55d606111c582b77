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

/**
 * The most floats one weight may be initialized with: 2^28 (1 GiB). Its gradient and optimizer
 * state take as much again each, and a wasm32 memory holds 4 GiB in all; a larger shape is
 * refused before anything is allocated (an LSTM with units 1e6 used to block for 40 s).
 */
export const MAX_INIT_FLOATS = 2 ** 28;

const shown = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));

function checkShape(className: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${className}: a weight shape must be a list of non-negative integers, got ${shown(shape)}`);
  }
  const size = shapeSize(shape);
  if (size > MAX_INIT_FLOATS) {
    throw new Error(`${className}: cannot initialize a weight of shape [${shape.join(', ')}]: ${size} floats, `
      + `more than the 2^28 (${MAX_INIT_FLOATS}, 1 GiB) one weight may have`);
  }
}

function make(className: string, config: Record<string, unknown>, draw: (shape: readonly number[], rng: Random) => Float32Array): Initializer {
  return {
    className, config,
    sample: (shape, rng = random()) => {
      checkShape(className, shape);
      return draw(shape, rng);
    },
  };
}

/** The options object of an initializer factory ({} when none is given). */
function options<T extends object>(fn: string, args: T | undefined): T {
  if (args === undefined) return {} as T;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new Error(`${fn}: expected an options object, got ${shown(args)}`);
  }
  return args;
}

function fillWith(shape: readonly number[], f: () => number): Float32Array {
  const out = new Float32Array(shapeSize(shape));
  for (let i = 0; i < out.length; i++) out[i] = f();
  return out;
}

export function zeros(): Initializer { return make('Zeros', {}, (s) => new Float32Array(shapeSize(s))); }
export function ones(): Initializer { return make('Ones', {}, (s) => new Float32Array(shapeSize(s)).fill(1)); }
export function constant(args?: { value?: number }): Initializer {
  const { value = 0 } = options('constant', args);
  checkFinite('constant', 'value', value);
  return make('Constant', { value }, (s) => new Float32Array(shapeSize(s)).fill(value));
}

export function randomUniform(args?: { minval?: number; maxval?: number }): Initializer {
  const { minval = -0.05, maxval = 0.05 } = options('randomUniform', args);
  checkFinite('randomUniform', 'minval', minval);
  checkFinite('randomUniform', 'maxval', maxval);
  if (!(maxval > minval)) throw new Error(`randomUniform: maxval (${maxval}) must be greater than minval (${minval})`);
  return make('RandomUniform', { minval, maxval }, (s, r) => fillWith(s, () => minval + (maxval - minval) * r.uniform()));
}

export function randomNormal(args?: { mean?: number; stddev?: number }): Initializer {
  const { mean = 0, stddev = 0.05 } = options('randomNormal', args);
  checkFinite('randomNormal', 'mean', mean);
  checkPositive('randomNormal', 'stddev', stddev);
  return make('RandomNormal', { mean, stddev }, (s, r) => fillWith(s, () => mean + stddev * r.normal()));
}

/** Normal truncated at two standard deviations (no variance correction, as Keras's TruncatedNormal). */
export function truncatedNormal(args?: { mean?: number; stddev?: number }): Initializer {
  const { mean = 0, stddev = 0.05 } = options('truncatedNormal', args);
  checkFinite('truncatedNormal', 'mean', mean);
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
export function varianceScaling(args?:
  { scale?: number; mode?: FanMode | 'fan_in' | 'fan_out' | 'fan_avg'; distribution?: Distribution | 'truncated_normal' | 'untruncated_normal' },
  className = 'VarianceScaling'): Initializer {
  const { scale = 1, mode = 'fanIn', distribution = 'truncatedNormal' } = options('varianceScaling', args);
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
export function orthogonal(args?: { gain?: number }): Initializer {
  const { gain = 1 } = options('orthogonal', args);
  checkFinite('orthogonal', 'gain', gain);
  return make('Orthogonal', { gain }, (shape, r) => {
    if (shape.length < 2) throw new Error(`orthogonal: needs a weight of rank ≥ 2, got shape [${shape.join(', ')}]`);
    const rows = shapeSize(shape.slice(0, -1)), cols = shape[shape.length - 1];
    const n = Math.max(rows, cols), k = Math.min(rows, cols);
    // The (n, k) normal matrix, drawn column by column (contiguous), then laid out row-major.
    const drawn = new Float64Array(n * k);
    for (let i = 0; i < drawn.length; i++) drawn[i] = r.normal();
    const a = new Float64Array(n * k);
    for (let i0 = 0; i0 < n; i0 += 64) {
      for (let j = 0; j < k; j++) for (let i = i0; i < Math.min(n, i0 + 64); i++) a[i * k + j] = drawn[j * n + i];
    }
    orthonormalizeColumns(a, n, k);
    const out = new Float32Array(rows * cols);
    if (rows >= cols) {
      for (let i = 0; i < a.length; i++) out[i] = gain * a[i];
    } else {
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = gain * a[j * k + i];
    }
    return out;
  });
}

/**
 * The Q of A = QR in place, for A (n, k) row-major with n ≥ k, by modified Gram–Schmidt: column
 * j is normalized, then its component is removed from every later column. R's diagonal is the
 * column norms, positive, so this Q is the QR's Q with signs from diag(R) (Keras's). In float64
 * one pass keeps ‖QᵀQ − I‖ near κ(A)·1e-16, far below the float32 the result is stored in.
 *
 * Cache-friendly and light on loads: step j walks the rows four at a time along the remaining
 * columns (each projection coefficient is loaded once per four rows, no reduction in the inner
 * loop), and gathers, from the values it has just updated, the dot products step j + 1 needs —
 * so each step reads the remaining columns once.
 */
function orthonormalizeColumns(a: Float64Array, n: number, k: number): void {
  // dots[l] = a_jᵀ a_l for the current column j and every later l; next gathers them for j + 1.
  let dots = new Float64Array(k), next = new Float64Array(k);
  let norm2 = 0;
  for (let t = 0; t < n; t++) {
    const row = t * k, v = a[row];
    norm2 += v * v;
    for (let l = 1; l < k; l++) dots[l] += v * a[row + l];
  }
  for (let j = 0; j < k; j++) {
    const inv = 1 / Math.sqrt(norm2), j1 = j + 1;
    if (j1 === k) {
      for (let t = 0; t < n; t++) a[t * k + j] *= inv;
      break;
    }
    // a_l −= (a_jᵀ a_l / ‖a_j‖²) a_j: the projection coefficients, on the unnormalized a_j.
    for (let l = j1; l < k; l++) dots[l] /= norm2;
    next.fill(0);
    norm2 = 0;
    const c1 = dots[j1];
    let t = 0;
    for (; t + 4 <= n; t += 4) {
      const r0 = t * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
      const v0 = a[r0 + j], v1 = a[r1 + j], v2 = a[r2 + j], v3 = a[r3 + j];
      a[r0 + j] = v0 * inv; a[r1 + j] = v1 * inv; a[r2 + j] = v2 * inv; a[r3 + j] = v3 * inv;
      // Column j + 1, updated: the next step's column, whose dots with the later ones are gathered below.
      const w0 = a[r0 + j1] - v0 * c1, w1 = a[r1 + j1] - v1 * c1, w2 = a[r2 + j1] - v2 * c1, w3 = a[r3 + j1] - v3 * c1;
      a[r0 + j1] = w0; a[r1 + j1] = w1; a[r2 + j1] = w2; a[r3 + j1] = w3;
      norm2 += w0 * w0 + w1 * w1 + w2 * w2 + w3 * w3;
      for (let l = j1 + 1; l < k; l++) {
        const c = dots[l];
        const x0 = a[r0 + l] - v0 * c, x1 = a[r1 + l] - v1 * c, x2 = a[r2 + l] - v2 * c, x3 = a[r3 + l] - v3 * c;
        a[r0 + l] = x0; a[r1 + l] = x1; a[r2 + l] = x2; a[r3 + l] = x3;
        next[l] += w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3;
      }
    }
    for (; t < n; t++) {
      const row = t * k, v = a[row + j];
      for (let l = j1; l < k; l++) a[row + l] -= v * dots[l];
      a[row + j] = v * inv;
      const w = a[row + j1];
      norm2 += w * w;
      for (let l = j1 + 1; l < k; l++) next[l] += w * a[row + l];
    }
    [dots, next] = [next, dots];
  }
}

/** gain × the identity matrix (2-D weights only; rectangular gives ones on the diagonal). */
export function identity(args?: { gain?: number }): Initializer {
  const { gain = 1 } = options('identity', args);
  checkFinite('identity', 'gain', gain);
  return make('Identity', { gain }, (shape) => {
    if (shape.length !== 2) throw new Error(`identity: needs a 2-D weight, got shape [${shape.join(', ')}]`);
    const out = new Float32Array(shape[0] * shape[1]);
    for (let i = 0; i < Math.min(shape[0], shape[1]); i++) out[i * shape[1] + i] = gain;
    return out;
  });
}

function checkFinite(fn: string, arg: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${fn}: ${arg} must be a finite number, got ${shown(v)}`);
}

function checkPositive(fn: string, arg: string, v: unknown): void {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new Error(`${fn}: ${arg} must be a positive finite number, got ${shown(v)}`);
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
