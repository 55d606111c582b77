/**
 * Initializers against the Keras 3 formulas (keras/src/initializers/random_initializers.py):
 * fans from compute_fans, the mean, variance, kurtosis and bounds of large seeded draws,
 * orthogonality, determinism under setSeed, Dense's defaults, and name lookup.
 *
 * Statistical margins: with N draws of kurtosis κ, the sample mean has standard error σ/√N and
 * the sample variance a relative standard error √((κ − 1)/N); every check allows 6 of them, and
 * every draw is seeded, so the tests are both stable and repeatable. The kurtosis (1.8 uniform,
 * 2.366 normal truncated at ±2σ, 3 normal) tells the three distributions apart; its standard
 * error is below √(24/N) ≈ 0.015 at N = 10⁵, and the checks allow 0.1.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, initializers, layers, ready, setSeed } from '../bindings/index.js';
import { computeFans, getInitializer, type Initializer } from '../bindings/initializers.js';

/** The stddev of a standard normal truncated to [−2, 2] (Keras's correction constant). */
const TRUNC_SD = 0.87962566103423978;
/** Kurtosis of the standard normal truncated to [−2, 2]: m4/m2² with m2 = TRUNC_SD². */
const TRUNC_KURTOSIS = (() => {
  const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI), z = 0.9544997361036416; // φ(2), P(|Z| ≤ 2)
  const m2 = 1 - 4 * phi2 / z, m4 = 3 * m2 - 16 * phi2 / z;
  return m4 / (m2 * m2);
})();
const KURTOSIS = { uniform: 1.8, truncatedNormal: TRUNC_KURTOSIS, untruncatedNormal: 3 } as const;
type Dist = keyof typeof KURTOSIS;

interface Moments { n: number; mean: number; variance: number; kurtosis: number; maxAbs: number }

function moments(xs: ArrayLike<number>, center = 0): Moments {
  const n = xs.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i];
  const mean = s / n;
  let m2 = 0, m4 = 0, maxAbs = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i] - mean, d2 = d * d;
    m2 += d2; m4 += d2 * d2;
    maxAbs = Math.max(maxAbs, Math.abs(xs[i] - center));
  }
  m2 /= n; m4 /= n;
  return { n, mean, variance: m2, kurtosis: m4 / (m2 * m2), maxAbs };
}

/** Draw `shape` repeatedly until at least `atLeast` values, pooled (independent draws from the stream). */
function pooled(init: Initializer, shape: number[], atLeast = 100_000): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const reps = Math.ceil(atLeast / size);
  const out = new Float32Array(reps * size);
  for (let r = 0; r < reps; r++) out.set(init.sample(shape), r * size);
  return out;
}

/** Mean, variance and kurtosis within 6 standard errors (see the file comment). */
function expectMoments(m: Moments, mean: number, variance: number, kurtosis: number, what: string): void {
  const sd = Math.sqrt(variance);
  expect(Math.abs(m.mean - mean), `${what}: mean ${m.mean}, expected ${mean}`).toBeLessThan(6 * sd / Math.sqrt(m.n));
  expect(Math.abs(m.variance / variance - 1), `${what}: variance ${m.variance}, expected ${variance}`)
    .toBeLessThan(6 * Math.sqrt((kurtosis - 1) / m.n));
  expect(Math.abs(m.kurtosis - kurtosis), `${what}: kurtosis ${m.kurtosis}, expected ${kurtosis}`).toBeLessThan(0.1);
}

/**
 * The support of each distribution for a target variance v: uniform is [−√(3v), √(3v)] and its
 * extremes are reached (P(max < 0.999·limit) = 0.999ᴺ ≈ e⁻¹⁰⁰); truncated normal stops at
 * 2·sd and reaches within 1% of it (≈ 240 expected draws there); the untruncated one exceeds
 * 3·sd (≈ 270 expected draws).
 */
function expectBounds(m: Moments, variance: number, dist: Dist, what: string): void {
  if (dist === 'uniform') {
    const limit = Math.sqrt(3 * variance);
    expect(m.maxAbs, what).toBeLessThanOrEqual(limit * (1 + 1e-6));
    expect(m.maxAbs, what).toBeGreaterThan(0.999 * limit);
  } else if (dist === 'truncatedNormal') {
    const edge = 2 * Math.sqrt(variance) / TRUNC_SD;
    expect(m.maxAbs, what).toBeLessThanOrEqual(edge * (1 + 1e-6));
    expect(m.maxAbs, what).toBeGreaterThan(0.99 * edge);
  } else {
    expect(m.maxAbs, what).toBeGreaterThan(3 * Math.sqrt(variance));
  }
}

beforeAll(async () => { await ready(); });

describe('computeFans (Keras compute_fans)', () => {
  it.each([
    [[], [1, 1]],
    [[7], [7, 7]],
    [[3, 4], [3, 4]],
    // Conv2D kernel (kh, kw, in, out): receptive field 3·3 = 9.
    [[3, 3, 16, 32], [144, 288]],
    [[5, 8, 4], [40, 20]],
    [[2, 3, 4, 5, 6], [120, 144]],
  ])('%j → %j', (shape, fans) => {
    expect(computeFans(shape)).toEqual(fans);
  });
});

describe('constant initializers', () => {
  it('zeros, ones and constant fill every element', () => {
    expect(Array.from(initializers.zeros().sample([2, 3]))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(initializers.ones().sample([5]))).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(initializers.constant({ value: 2.5 }).sample([2, 2]))).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(Array.from(initializers.constant().sample([2]))).toEqual([0, 0]);
    expect([initializers.zeros(), initializers.ones(), initializers.constant({ value: 3 })].map((i) => [i.className, i.config]))
      .toEqual([['Zeros', {}], ['Ones', {}], ['Constant', { value: 3 }]]);
  });

  it('identity: gain on the diagonal, rectangular shapes too, 2-D only', () => {
    expect(Array.from(initializers.identity().sample([3, 3]))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(initializers.identity({ gain: 0.5 }).sample([2, 4]))).toEqual([0.5, 0, 0, 0, 0, 0.5, 0, 0]);
    expect(Array.from(initializers.identity({ gain: 2 }).sample([3, 2]))).toEqual([2, 0, 0, 2, 0, 0]);
    expect(() => initializers.identity().sample([2, 2, 2])).toThrow(/identity: needs a 2-D weight, got shape \[2, 2, 2\]/);
  });
});

describe('randomUniform, randomNormal, truncatedNormal (Keras defaults ±0.05, stddev 0.05)', () => {
  it('randomUniform: default [−0.05, 0.05), and [2, 5)', () => {
    setSeed(1);
    const d = pooled(initializers.randomUniform(), [1000]);
    expectMoments(moments(d), 0, 0.1 ** 2 / 12, 1.8, 'default');
    expect(Math.min(...d)).toBeGreaterThanOrEqual(-0.05);
    expect(Math.max(...d)).toBeLessThanOrEqual(0.05);
    const c = pooled(initializers.randomUniform({ minval: 2, maxval: 5 }), [1000]);
    expectMoments(moments(c), 3.5, 9 / 12, 1.8, '[2, 5)');
    expect(Math.min(...c)).toBeGreaterThanOrEqual(2);
    expect(Math.min(...c)).toBeLessThan(2.001);
    expect(Math.max(...c)).toBeGreaterThan(4.999);
    expect(Math.max(...c)).toBeLessThanOrEqual(5);
    expect(initializers.randomUniform().config).toEqual({ minval: -0.05, maxval: 0.05 });
  });

  it('randomNormal: default stddev 0.05, and mean 3 stddev 2 (untruncated)', () => {
    setSeed(2);
    const d = moments(pooled(initializers.randomNormal(), [1000]));
    expectMoments(d, 0, 0.05 ** 2, 3, 'default');
    expectBounds(d, 0.05 ** 2, 'untruncatedNormal', 'default');
    const c = moments(pooled(initializers.randomNormal({ mean: 3, stddev: 2 }), [1000]), 3);
    expectMoments(c, 3, 4, 3, 'mean 3 stddev 2');
    expect(initializers.randomNormal().config).toEqual({ mean: 0, stddev: 0.05 });
  });

  it('truncatedNormal: cut at mean ± 2·stddev, no variance correction (variance stddev²·0.8796²)', () => {
    setSeed(3);
    const d = moments(pooled(initializers.truncatedNormal(), [1000]));
    expectMoments(d, 0, (0.05 * TRUNC_SD) ** 2, TRUNC_KURTOSIS, 'default');
    expectBounds(d, (0.05 * TRUNC_SD) ** 2, 'truncatedNormal', 'default');
    const c = moments(pooled(initializers.truncatedNormal({ mean: 1, stddev: 0.5 }), [1000]), 1);
    expectMoments(c, 1, (0.5 * TRUNC_SD) ** 2, TRUNC_KURTOSIS, 'mean 1 stddev 0.5');
    expectBounds(c, (0.5 * TRUNC_SD) ** 2, 'truncatedNormal', 'mean 1 stddev 0.5');
  });

  it('bad arguments are clear errors', () => {
    expect(() => initializers.randomUniform({ minval: 1, maxval: 1 })).toThrow(/randomUniform: maxval \(1\) must be greater than minval \(1\)/);
    expect(() => initializers.randomNormal({ stddev: -1 })).toThrow(/randomNormal: stddev must be a positive finite number, got -1/);
    expect(() => initializers.truncatedNormal({ stddev: NaN })).toThrow(/truncatedNormal: stddev must be a positive finite number, got NaN/);
  });
});

describe('varianceScaling: variance scale/fan for every mode and distribution', () => {
  // [3, 3, 16, 32]: fan_in 144, fan_out 288, fan_avg 216; [50, 200]: 50, 200, 125.
  const SHAPES: [number[], Record<string, number>][] = [
    [[3, 3, 16, 32], { fanIn: 144, fanOut: 288, fanAvg: 216 }],
    [[50, 200], { fanIn: 50, fanOut: 200, fanAvg: 125 }],
  ];
  const MODES = ['fanIn', 'fanOut', 'fanAvg'] as const;
  // 'normal' is Keras 3's alias for truncated_normal (with the correction).
  const DISTS: [string, Dist][] = [['uniform', 'uniform'], ['truncatedNormal', 'truncatedNormal'], ['normal', 'truncatedNormal'], ['untruncatedNormal', 'untruncatedNormal']];
  const cases = SHAPES.flatMap(([shape, fans]) => MODES.flatMap((mode) => DISTS.map(([dist, kind]) => [shape, mode, dist, kind, fans[mode]] as const)));

  it.each(cases)('%j %s %s', (shape, mode, dist, kind, fan) => {
    setSeed(fan + shape.length);
    const scale = 1.7;
    const init = initializers.varianceScaling({ scale, mode, distribution: dist as never });
    expect(init.className).toBe('VarianceScaling');
    expect(init.config).toEqual({ scale, mode, distribution: kind });
    const m = moments(pooled(init, shape));
    const variance = scale / fan;
    expectMoments(m, 0, variance, KURTOSIS[kind], `${mode} ${dist}`);
    expectBounds(m, variance, kind, `${mode} ${dist}`);
  });

  it('defaults: scale 1, fanIn, truncatedNormal; Keras snake_case spellings accepted', () => {
    expect(initializers.varianceScaling().config).toEqual({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' });
    expect(initializers.varianceScaling({ mode: 'fan_avg', distribution: 'untruncated_normal' }).config)
      .toEqual({ scale: 1, mode: 'fanAvg', distribution: 'untruncatedNormal' });
  });

  it('scalars and one-element weights have fan 1 (compute_fans), so the variance is the scale itself', () => {
    setSeed(4);
    for (const shape of [[], [1]]) {
      const m = moments(pooled(initializers.varianceScaling({ scale: 0.5, mode: 'fanAvg', distribution: 'uniform' }), shape, 20_000));
      expectMoments(m, 0, 0.5, 1.8, `shape ${JSON.stringify(shape)}`);
    }
  });

  it('bad arguments are clear errors listing the valid values', () => {
    expect(() => initializers.varianceScaling({ scale: 0 })).toThrow(/varianceScaling: scale must be a positive finite number, got 0/);
    expect(() => initializers.varianceScaling({ scale: -2 })).toThrow(/scale must be a positive finite number, got -2/);
    expect(() => initializers.varianceScaling({ mode: 'fan_sum' as never })).toThrow(/Unknown varianceScaling mode 'fan_sum'; valid names: fanIn, fanOut, fanAvg/);
    expect(() => initializers.varianceScaling({ distribution: 'cauchy' as never }))
      .toThrow(/Unknown varianceScaling distribution 'cauchy'; valid names: truncatedNormal, untruncatedNormal, normal, uniform/);
  });
});

describe('named variance-scaling initializers (Keras 3 definitions, truncation corrected)', () => {
  // name, class, scale, mode, distribution; drawn for a conv kernel [3, 3, 16, 32]: fan_in 144, fan_avg 216.
  const NAMED: [keyof typeof initializers, string, number, 'fanIn' | 'fanAvg', Dist][] = [
    ['glorotUniform', 'GlorotUniform', 1, 'fanAvg', 'uniform'],
    ['glorotNormal', 'GlorotNormal', 1, 'fanAvg', 'truncatedNormal'],
    ['heUniform', 'HeUniform', 2, 'fanIn', 'uniform'],
    ['heNormal', 'HeNormal', 2, 'fanIn', 'truncatedNormal'],
    ['lecunUniform', 'LecunUniform', 1, 'fanIn', 'uniform'],
    ['lecunNormal', 'LecunNormal', 1, 'fanIn', 'truncatedNormal'],
  ];
  it.each(NAMED)('%s', (name, className, scale, mode, dist) => {
    setSeed(className.length);
    const init = (initializers[name] as () => Initializer)();
    expect(init.className).toBe(className);
    expect(init.config).toEqual({ scale, mode, distribution: dist });
    const fan = mode === 'fanIn' ? 144 : 216;
    const m = moments(pooled(init, [3, 3, 16, 32]));
    expectMoments(m, 0, scale / fan, KURTOSIS[dist], name);
    expectBounds(m, scale / fan, dist, name);
    // TF.js applies no truncation correction: its variance would be 0.774·scale/fan, 29 % lower.
    if (dist === 'truncatedNormal') expect(m.variance).toBeGreaterThan(0.95 * scale / fan);
  });

  it('glorotUniform on a Dense kernel [50, 200]: limit √(6/(fan_in + fan_out))', () => {
    setSeed(9);
    const m = moments(pooled(initializers.glorotUniform(), [50, 200]));
    expectBounds(m, 2 / 250, 'uniform', 'glorotUniform');
    expect(m.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 250) * (1 + 1e-6));
  });
});

describe('orthogonal (QR of a normal matrix, signs from diag(R), times gain)', () => {
  /** max |AᵀA − g²I| over the (cols × cols) Gram matrix of the columns of A (rows, cols). */
  function gramError(a: Float32Array, rows: number, cols: number, gain: number, byRows = false): number {
    const [n, k] = byRows ? [cols, rows] : [rows, cols];
    const at = (i: number, j: number) => (byRows ? a[j * cols + i] : a[i * cols + j]);
    let err = 0;
    for (let p = 0; p < k; p++) {
      for (let q = 0; q < k; q++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += at(i, p) * at(i, q);
        err = Math.max(err, Math.abs(dot - (p === q ? gain * gain : 0)));
      }
    }
    return err;
  }

  // float32 entries: each dot product carries ≈ √n·6e-8 of rounding; 1e-5 is far above it and far
  // below anything a non-orthogonal matrix gives.
  it('tall [40, 10]: QᵀQ ≈ I', () => {
    setSeed(10);
    expect(gramError(initializers.orthogonal().sample([40, 10]), 40, 10, 1)).toBeLessThan(1e-5);
  });

  it('wide [10, 40]: QQᵀ ≈ I', () => {
    setSeed(11);
    expect(gramError(initializers.orthogonal().sample([10, 40]), 10, 40, 1, true)).toBeLessThan(1e-5);
  });

  it('square [16, 16]: both', () => {
    setSeed(12);
    const q = initializers.orthogonal().sample([16, 16]);
    expect(gramError(q, 16, 16, 1)).toBeLessThan(1e-5);
    expect(gramError(q, 16, 16, 1, true)).toBeLessThan(1e-5);
  });

  it('gain 2 on [30, 7]: QᵀQ ≈ 4I; gain 0.5 on [3, 9]: QQᵀ ≈ 0.25I', () => {
    setSeed(13);
    const g2 = initializers.orthogonal({ gain: 2 });
    expect(g2.config).toEqual({ gain: 2 });
    expect(g2.className).toBe('Orthogonal');
    expect(gramError(g2.sample([30, 7]), 30, 7, 2)).toBeLessThan(4e-5);
    expect(gramError(initializers.orthogonal({ gain: 0.5 }).sample([3, 9]), 3, 9, 0.5, true)).toBeLessThan(1e-5);
  });

  it('rank 3 [4, 5, 6] is flattened to (20, 6), as Keras', () => {
    setSeed(14);
    expect(gramError(initializers.orthogonal().sample([4, 5, 6]), 20, 6, 1)).toBeLessThan(1e-5);
  });

  // Haar (uniform) Q: a (1, 1) draw is ±1 with equal odds; with signs not taken from diag(R)
  // (e.g. Householder QR as is) it would be one sign always. 2000 draws: σ = 22, 5σ = 112.
  it('signs are uniform: a [1, 1] draw is +1 about half the time', () => {
    setSeed(15);
    const init = initializers.orthogonal();
    let plus = 0;
    for (let i = 0; i < 2000; i++) {
      const v = init.sample([1, 1])[0];
      expect(Math.abs(v)).toBeCloseTo(1, 6);
      if (v > 0) plus++;
    }
    expect(Math.abs(plus - 1000)).toBeLessThan(112);
  });

  it('rank < 2 is an error', () => {
    expect(() => initializers.orthogonal().sample([5])).toThrow(/orthogonal: needs a weight of rank ≥ 2, got shape \[5\]/);
  });
});

describe('determinism under setSeed', () => {
  const RANDOM = ['randomUniform', 'randomNormal', 'truncatedNormal', 'varianceScaling', 'glorotUniform', 'glorotNormal',
    'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal', 'orthogonal'];

  it.each(RANDOM)('%s: same seed, same values; the stream moves on; another seed differs', (name) => {
    const init = getInitializer(name);
    setSeed(123);
    const a = init.sample([6, 5]), b = init.sample([6, 5]);
    setSeed(123);
    const a2 = init.sample([6, 5]), b2 = init.sample([6, 5]);
    setSeed(124);
    const c = init.sample([6, 5]);
    expect(Array.from(a2)).toEqual(Array.from(a));
    expect(Array.from(b2)).toEqual(Array.from(b));
    expect(Array.from(b)).not.toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('a model built twice under the same seed has the same weights', () => {
    const build = () => {
      setSeed(77);
      const m = new Sequential([layers.dense({ units: 5, inputShape: [4], biasInitializer: 'randomNormal' }), layers.dense({ units: 3, kernelInitializer: 'orthogonal' })]);
      const w = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return w;
    };
    expect(build()).toEqual(build());
  });
});

describe('Dense defaults to glorotUniform kernel and zeros bias (Keras 3; TF.js uses glorotNormal)', () => {
  it('a [500, 300] kernel has variance 2/800, uniform support √(6/800), kurtosis 1.8; the bias is zero', () => {
    setSeed(21);
    const layer = layers.dense({ units: 300, inputShape: [500] });
    const model = new Sequential([layer]);
    const [kernel, bias] = model.getWeights();
    expect(kernel.shape).toEqual([500, 300]);
    const m = moments(kernel.dataSync());
    expectMoments(m, 0, 2 / 800, 1.8, 'dense kernel');
    expectBounds(m, 2 / 800, 'uniform', 'dense kernel');
    expect(Array.from(bias.dataSync()).every((v) => v === 0)).toBe(true);
    expect(layer.getConfig()).toMatchObject({ kernelInitializer: 'glorotUniform', biasInitializer: 'zeros' });
    model.dispose();
  });
});

describe('name lookup', () => {
  it.each([
    ['he_normal', 'HeNormal'], ['HeNormal', 'HeNormal'], ['heNormal', 'HeNormal'],
    ['glorot_uniform', 'GlorotUniform'], ['GlorotNormal', 'GlorotNormal'], ['lecun_uniform', 'LecunUniform'],
    ['leCunNormal', 'LecunNormal'], ['he_uniform', 'HeUniform'],
    ['random_normal', 'RandomNormal'], ['RandomUniform', 'RandomUniform'], ['truncated_normal', 'TruncatedNormal'],
    ['variance_scaling', 'VarianceScaling'], ['Zeros', 'Zeros'], ['ones', 'Ones'], ['constant', 'Constant'],
    ['Orthogonal', 'Orthogonal'], ['identity', 'Identity'],
    // Keras 3's aliases (keras/src/initializers/__init__.py).
    ['uniform', 'RandomUniform'], ['normal', 'RandomNormal'], ['one', 'Ones'], ['zero', 'Zeros'], ['OrthogonalInitializer', 'Orthogonal'],
  ])('%s → %s', (name, className) => {
    expect(getInitializer(name).className).toBe(className);
  });

  it('an Initializer object is used as is', () => {
    const init = initializers.constant({ value: 4 });
    expect(getInitializer(init)).toBe(init);
  });

  it('unknown names list every valid one; a layer names itself', () => {
    const valid = 'zeros, ones, constant, randomUniform, randomNormal, truncatedNormal, varianceScaling, glorotUniform, '
      + 'glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal, orthogonal, identity';
    expect(() => getInitializer('he_normall')).toThrow(`Unknown initializer 'he_normall'; valid names: ${valid}`);
    expect(() => new Sequential([layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'xavier', name: 'd_bad_init' })]))
      .toThrow(/d_bad_init.*'xavier'; valid names: zeros, ones/);
    // A serialized initializer ({ className, config }, as toJSON and saved files hold) is read back;
    // anything else is an error that shows what was given.
    expect(getInitializer({ className: 'HeNormal', config: {} } as never).className).toBe('HeNormal');
    expect(getInitializer({ className: 'RandomNormal', config: { stddev: 2 } } as never).config).toEqual({ mean: 0, stddev: 2 });
    expect(() => getInitializer({ className: 'Xavier', config: {} } as never)).toThrow(/Unknown initializer 'Xavier'; valid names: zeros/);
    expect(() => getInitializer({ kind: 'HeNormal' } as never)).toThrow(/expected an initializer name or an object from keelnet's initializers, got \{"kind":"HeNormal"\}/);
  });
});
