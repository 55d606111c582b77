/**
 * A seeded property test over the public API, as a careless or hostile caller uses it: models
 * built from random layer arguments (valid or not: NaN, negatives, strings, null, huge), compiled
 * with random losses and optimizers, then fit / evaluate / predict / setWeights / trainOnBatch on
 * data of random shapes (right or wrong, with NaN or not).
 *
 * The properties: every call either works or throws a plain `Error` with a message (never a
 * TypeError, RangeError or an engine crash from inside keelnet); a call that throws leaves every
 * weight exactly as it was; setWeights never takes NaN.
 *
 * `runApiFuzz(runs, seed)` is shared by the suite (test/models/api-fuzz.test.ts, a few hundred cases)
 * and the script (`npx tsx test/fuzz/run.ts [runs] [seed]`, thousands).
 */
import fc from 'fast-check';
import { Sequential, Tensor, layers, setSeed, type Layer } from '../../bindings/index.js';

const odd = fc.constantFrom<unknown>(NaN, Infinity, -1, 0, 2.5, '3', null, true, 1e9, [], {});
/** A number argument: mostly sensible, sometimes not. */
const num = (lo: number, hi: number) => fc.oneof({ weight: 4, arbitrary: fc.integer({ min: lo, max: hi }) }, { weight: 1, arbitrary: odd });
const rate = fc.oneof({ weight: 4, arbitrary: fc.double({ min: 0, max: 0.9, noNaN: true }) }, { weight: 1, arbitrary: odd });
const activation = fc.constantFrom<unknown>('relu', 'tanh', 'sigmoid', 'linear', 'softmax', 'elu', 'gelu', 'relux', 7, null);

type LayerSpec = { kind: string; args: Record<string, unknown> };
const layerSpec: fc.Arbitrary<LayerSpec> = fc.oneof(
  fc.record({ kind: fc.constant('dense'), args: fc.record({ units: num(1, 12), activation, useBias: fc.constantFrom<unknown>(true, false, 'false', undefined) }, { requiredKeys: ['units'] }) }),
  fc.record({ kind: fc.constant('dropout'), args: fc.record({ rate }) }),
  fc.record({ kind: fc.constant('batchNormalization'), args: fc.record({ momentum: fc.oneof(fc.constant(0.9), odd), epsilon: fc.oneof(fc.constant(1e-3), odd) }, { requiredKeys: [] }) }),
  fc.record({ kind: fc.constant('layerNormalization'), args: fc.record({}) }),
  fc.record({ kind: fc.constant('activation'), args: fc.record({ activation }) }),
  fc.record({ kind: fc.constant('gaussianNoise'), args: fc.record({ stddev: rate }) }),
);

const caseSpec = fc.record({
  inputWidth: num(1, 8),
  layers: fc.array(layerSpec, { minLength: 1, maxLength: 4 }),
  loss: fc.constantFrom<unknown>('meanSquaredError', 'meanAbsoluteError', 'huber', 'logcosh', 'binaryCrossentropy', 'sparseCategoricalCrossentropy', 'nope', 3, null),
  optimizer: fc.constantFrom<unknown>('sgd', 'adam', 'rmsprop', 'adagrad', 'adamw', 'bogus', 0.1, null),
  samples: fc.integer({ min: 1, max: 20 }),
  dataWidth: fc.oneof({ weight: 4, arbitrary: fc.constant('match') }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }) }),
  nanAt: fc.option(fc.nat(200), { freq: 4 }),
  batchSize: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 25 }) }, { weight: 1, arbitrary: odd }),
  // Not 1e9: a billion epochs is a valid request, just not one a test can wait for.
  epochs: fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(NaN, Infinity, -1, 0, 2.5, '3', null, true, [], {}) }),
  labelShift: fc.integer({ min: 0, max: 3 }),
});

/** Run `f`; if it throws, the error must be a plain Error with a message. */
async function attempt(what: string, f: () => unknown | Promise<unknown>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (e) {
    if (!(e instanceof Error) || e.constructor !== Error || !e.message) {
      throw new Error(`${what} threw ${(e as Error)?.constructor?.name ?? typeof e}: ${(e as Error)?.message ?? String(e)}`);
    }
    return false;
  }
}

const weightsOf = (m: Sequential) => m.getWeights().map((w) => Array.from(w.values));

/** How far the cases got: the harness must reach training often, or it tests only argument checks. */
export interface FuzzStats { cases: number; models: number; compiled: number; trained: number; refused: number }

export async function runApiFuzz(numRuns: number, seed: number): Promise<FuzzStats> {
  const stats: FuzzStats = { cases: 0, models: 0, compiled: 0, trained: 0, refused: 0 };
  await fc.assert(fc.asyncProperty(caseSpec, async (c) => {
    if (process.env.FUZZ_TRACE) (await import('node:fs')).appendFileSync(process.env.FUZZ_TRACE, `${JSON.stringify(c)}\n`);
    setSeed(7);
    stats.cases++;
    const made: Layer[] = [];
    for (const spec of c.layers) {
      const make = (layers as unknown as Record<string, (a: unknown) => Layer>)[spec.kind];
      const first = made.length === 0 ? { inputShape: [c.inputWidth] } : {};
      await attempt(`layers.${spec.kind}(${JSON.stringify(spec.args)})`, () => { made.push(make({ ...spec.args, ...first })); });
    }
    if (made.length === 0) return;
    let model: Sequential | undefined;
    await attempt('new Sequential', () => { model = new Sequential(made); });
    if (!model) return;
    stats.models++;
    const m = model;
    try {
      const compiled = await attempt(`compile(${String(c.loss)}, ${String(c.optimizer)})`, () => m.compile({ optimizer: c.optimizer as never, loss: c.loss as never }));
      // The data itself stays small: a bad width in the model is the model's problem, not the data's.
      const declared = typeof c.inputWidth === 'number' && Number.isInteger(c.inputWidth) && c.inputWidth > 0 && c.inputWidth < 64 ? c.inputWidth : 3;
      const width: number = c.dataWidth === 'match' ? declared : Number(c.dataWidth);
      const xv = Float32Array.from({ length: c.samples * width }, (_, i) => Math.sin(i + 1));
      if (c.nanAt !== null && c.nanAt < xv.length) xv[c.nanAt] = NaN;
      const x = new Tensor(xv, [c.samples, width]);
      const outWidth = Math.min(m.built ? m.outputShape[m.outputShape.length - 1] ?? 1 : 1, 64);
      const sparse = c.loss === 'sparseCategoricalCrossentropy';
      const y = sparse
        ? new Tensor(Int32Array.from({ length: c.samples }, (_, i) => (i + c.labelShift) % (outWidth + 1)), [c.samples])
        : new Tensor(Float32Array.from({ length: c.samples * outWidth }, (_, i) => (i % 2)), [c.samples, outWidth]);
      await attempt('predict', () => m.predict(x, { batchSize: c.batchSize as never }));
      if (!compiled) return;
      stats.compiled++;
      for (const call of ['fit', 'trainOnBatch', 'evaluate', 'setWeights'] as const) {
        const before = m.built ? weightsOf(m) : undefined;
        const ok = await attempt(call, () => (call === 'fit' ? m.fit(x, y, { epochs: c.epochs as never, batchSize: c.batchSize as never, verbose: 0 })
          : call === 'trainOnBatch' ? m.trainOnBatch(x, y)
            : call === 'evaluate' ? m.evaluate(x, y, { batchSize: c.batchSize as never })
              : m.setWeights(m.getWeights().map((w, i) => (i === 0 ? new Tensor(new Float32Array(w.size).fill(NaN), w.shape) : w)))));
        if (call === 'fit') { if (ok) stats.trained++; else stats.refused++; }
        if (ok && call === 'setWeights' && weightsOf(m).some((w) => w.some((v) => !Number.isFinite(v)))) throw new Error('setWeights took NaN');
        if (!ok && before) {
          const after = weightsOf(m);
          if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`${call} threw but changed the weights`);
        }
      }
    } finally {
      m.dispose();
    }
  }), { numRuns, seed, endOnFailure: true });
  return stats;
}
