/**
 * Training throughput on the MNIST MLP: 784-500(relu)-10(softmax), Adam 0.001, batch 100,
 * sparse categorical crossentropy, the real MNIST training images. The contenders train the
 * same model from the same initial weights on the same batches:
 *   keelnet wasm (SIMD128 build), keelnet wasm 2 threads (the threads build, gemm split by rows over
 *   2 threads; everything else on one), keelnet wasm relaxed (relaxed-SIMD build, where the engine runs
 *   it: Node 20 needs --experimental-wasm-relaxed-simd), keelnet js, TensorFlow.js 4.22 wasm (one
 *   thread, SIMD), TensorFlow.js cpu, and jax-js 0.1.25 wasm (a jitted step, bench/jax.ts).
 * Each timed chunk is a `fit` call (shuffle on, silent) over `steps × 100` samples, so every
 * step is a full training step: forward, loss, backward, optimizer update (jax-js: its jitted
 * step over the same batches in order).
 *
 * benchPredict times inference on the same model: latency of predict() on one sample, and
 * throughput of predict() over 2,560 samples in batches of 256 (median of alternating rounds).
 *
 * Method: check first that all four compute the same first-step loss (same model, same data),
 * warm every contender up, then time rounds A B C D A B C D … so machine noise hits all alike,
 * and report the median samples/s over rounds. "keelnet wasm ×" is the median over rounds of
 * keelnet wasm's rate divided by the row's rate in the same round.
 *
 * Run alone: npx tsx bench/training.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Sequential, Tensor, input, layers, loadMnist, model as buildModel, optimizers, setBackend, setSeed, type LayersModel } from '../bindings/index.js';
import type { Backend } from '../bindings/backend/backend.js';
import { relaxedSimdSupported } from '../bindings/backend/features.js';
import { JsBackend } from '../bindings/backend/js.js';
import { WasmBackend } from '../bindings/backend/wasm.js';
import { createThreadedBackend } from '../bindings/backend/threads/index.js';
import { jaxMlp } from './jax.js';
import { timeKeelnetFit } from './lib/keelnet.js';
import { type Contender, median, round3, runRounds } from './lib/rounds.js';
import { tfjsBackend, tfjsTraining, tfjsWasmLabel, tfjsWeights } from './lib/tfjs.js';

export type ContenderName = 'keelnet-wasm' | 'keelnet-wasm-2threads' | 'keelnet-wasm-relaxed' | 'keelnet-wasm-relaxed-2threads' | 'keelnet-js' | 'tfjs-wasm' | 'tfjs-cpu' | 'jax-wasm'
  | 'keelnet-wasm-functional' | 'keelnet-wasm-defaults' | 'keelnet-wasm-2threads-defaults';

export interface TrainingOptions {
  /** Timed rounds; each round times every contender once (default 7). */
  rounds?: number;
  /** Timed steps per round, per contender (defaults: keelnet-wasm 120, 2 threads 120, relaxed 120, keelnet-js 10, tfjs-wasm 30, tfjs-cpu 10, jax-wasm 40). */
  steps?: Partial<Record<ContenderName, number>>;
  /** Untimed steps per contender before the first round (defaults: a quarter of `steps`, at least 4). */
  warmupSteps?: Partial<Record<ContenderName, number>>;
  /** Progress lines (default console.error, so stdout keeps only the table). */
  log?: (line: string) => void;
  /** Contenders to run (default: all this engine runs). */
  only?: ContenderName[];
}

export interface Row {
  name: string;
  backend: string;
  batch: number;
  rounds: number;
  stepsPerRound: number;
  /** Median over rounds. */
  samplesPerSec: number;
  minSamplesPerSec: number;
  maxSamplesPerSec: number;
  msPerStep: number;
  /** Median over rounds of (keelnet wasm samples/s) / (this row's samples/s), same round. */
  keelnetWasmSpeedup: number;
  /** Mean loss over the last timed chunk: proof that it trained. Not comparable across rows (the contenders train different numbers of steps). */
  lastLoss: number;
}

const BATCH = 100, INPUT = 784, HIDDEN = 500, CLASSES = 10, LR = 0.001, SEED = 42;
const DEFAULT_STEPS: Record<ContenderName, number> = { 'keelnet-wasm': 120, 'keelnet-wasm-2threads': 120, 'keelnet-wasm-relaxed': 120, 'keelnet-wasm-relaxed-2threads': 120, 'keelnet-js': 10, 'tfjs-wasm': 30, 'tfjs-cpu': 10, 'jax-wasm': 40,
  'keelnet-wasm-functional': 120, 'keelnet-wasm-defaults': 120, 'keelnet-wasm-2threads-defaults': 120 };
const ORDER: ContenderName[] = ['keelnet-wasm', 'keelnet-wasm-functional', 'keelnet-wasm-defaults', 'keelnet-wasm-2threads', 'keelnet-wasm-2threads-defaults', 'keelnet-wasm-relaxed', 'keelnet-wasm-relaxed-2threads', 'keelnet-js', 'tfjs-wasm', 'tfjs-cpu', 'jax-wasm'];

export interface Data { x: Float32Array; labels: Int32Array; n: number }

export async function benchTraining(opts: TrainingOptions = {}): Promise<Row[]> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const rounds = opts.rounds ?? 7;
  const steps = { ...DEFAULT_STEPS, ...opts.steps };
  const warmup = Object.fromEntries(ORDER.map((id) => [id, opts.warmupSteps?.[id] ?? Math.max(4, Math.ceil(steps[id] / 4))])) as Record<ContenderName, number>;

  const mnist = await loadMnist();
  const data: Data = { x: mnist.xTrain.values as Float32Array, labels: mnist.yTrain.values as Int32Array, n: mnist.xTrain.shape[0] };

  const want = (id: ContenderName) => !opts.only || opts.only.includes(id);
  const keelWasm = keelnetContender('keelnet-wasm', 'wasm', await WasmBackend.create({ simd: 'simd' }), data);
  const initial = keelWasm.model.getWeights();
  const twoThreads = want('keelnet-wasm-2threads') ? await createThreadedBackend(2, { simd: 'simd' }) : undefined;
  const keelThreads = twoThreads ? keelnetContender('keelnet-wasm-2threads', 'wasm 2 threads', twoThreads, data, initial) : undefined;
  // The same MLP built with model({ inputs, outputs }), and fit as users run it (verbose 1, a callback), on 1 and 2 threads.
  const keelFunctional = want('keelnet-wasm-functional')
    ? keelnetContender('keelnet-wasm-functional', 'wasm, model({ inputs, outputs })', await WasmBackend.create({ simd: 'simd' }), data, initial, { functional: true }) : undefined;
  const keelDefaults = want('keelnet-wasm-defaults')
    ? keelnetContender('keelnet-wasm-defaults', 'wasm, fit defaults (verbose 1, EarlyStopping)', await WasmBackend.create({ simd: 'simd' }), data, initial, { defaults: true }) : undefined;
  const twoThreadsDefaults = want('keelnet-wasm-2threads-defaults') ? await createThreadedBackend(2, { simd: 'simd' }) : undefined;
  const keelThreadsDefaults = twoThreadsDefaults
    ? keelnetContender('keelnet-wasm-2threads-defaults', 'wasm 2 threads, fit defaults (verbose 1, EarlyStopping)', twoThreadsDefaults, data, initial, { defaults: true }) : undefined;
  const keelRelaxed = relaxedSimdSupported() && want('keelnet-wasm-relaxed')
    ? keelnetContender('keelnet-wasm-relaxed', 'wasm relaxed', await WasmBackend.create({ simd: 'relaxed' }), data, initial) : undefined;
  const relaxedTwo = relaxedSimdSupported() && want('keelnet-wasm-relaxed-2threads') ? await createThreadedBackend(2, { simd: 'relaxed' }) : undefined;
  const keelRelaxedTwo = relaxedTwo ? keelnetContender('keelnet-wasm-relaxed-2threads', 'wasm relaxed 2 threads', relaxedTwo, data, initial) : undefined;
  const keelJs = want('keelnet-js') ? keelnetContender('keelnet-js', 'js', new JsBackend(), data, initial) : undefined;
  const contenders: Contender<ContenderName>[] = [
    keelWasm.contender,
    ...(keelFunctional ? [keelFunctional.contender] : []),
    ...(keelDefaults ? [keelDefaults.contender] : []),
    ...(keelThreads ? [keelThreads.contender] : []),
    ...(keelThreadsDefaults ? [keelThreadsDefaults.contender] : []),
    ...(keelRelaxed ? [keelRelaxed.contender] : []),
    ...(keelRelaxedTwo ? [keelRelaxedTwo.contender] : []),
    ...(keelJs ? [keelJs.contender] : []),
    ...(want('tfjs-wasm') ? [await tfjsContender('wasm', data, initial)] : []),
    ...(want('tfjs-cpu') ? [await tfjsContender('cpu', data, initial)] : []),
    ...(want('jax-wasm') ? [await jaxContender(data, initial)] : []),
  ];

  // Check: same weights and same batch must give the same loss everywhere (float32, different summation orders).
  const losses: number[] = [];
  for (const c of contenders) losses.push(await c.firstLoss());
  const ref = losses[0];
  contenders.forEach((c, i) => {
    if (!(Math.abs(losses[i] - ref) <= 1e-5 * Math.abs(ref) + 1e-6)) {
      throw new Error(`training bench: ${c.name} ${c.backend} first-step loss ${losses[i]} differs from keelnet wasm's ${ref}; the contenders are not training the same thing`);
    }
  });
  log(`training: first-step loss ${ref.toFixed(6)} on all ${contenders.length} contenders; warming up`);

  for (const c of contenders) await c.train(BATCH, warmup[c.id]);

  const timed = await runRounds(contenders, { bench: 'training', rounds, steps, batch: BATCH, dataSize: data.n, log });
  for (const k of [keelWasm, keelFunctional, keelDefaults, keelThreads, keelThreadsDefaults, keelRelaxed, keelRelaxedTwo, keelJs]) k?.model.dispose();
  await twoThreads?.terminate();
  await twoThreadsDefaults?.terminate();
  await relaxedTwo?.terminate();
  for (const c of contenders) c.dispose?.();
  setBackend('wasm'); // the contenders switched backends; leave the default for whoever runs next

  return contenders.map((c) => {
    const t = timed[c.id];
    return {
      name: c.name,
      backend: c.backend,
      batch: BATCH,
      rounds,
      stepsPerRound: steps[c.id],
      samplesPerSec: Math.round(t.samplesPerSec),
      minSamplesPerSec: Math.round(t.minSamplesPerSec),
      maxSamplesPerSec: Math.round(t.maxSamplesPerSec),
      msPerStep: round3((1000 * BATCH) / t.samplesPerSec),
      keelnetWasmSpeedup: round3(t.speedup),
      lastLoss: round3(t.lastLoss),
    };
  });
}

export function keelnetContender(id: ContenderName, label: string, be: Backend, data: Data, initial?: Tensor[],
  how: { functional?: boolean; defaults?: boolean } = {}): { model: LayersModel; contender: Contender<ContenderName> } {
  setBackend(be);
  setSeed(SEED);
  const hidden = layers.dense({ units: HIDDEN, activation: 'relu' }), out = layers.dense({ units: CLASSES, activation: 'softmax' });
  const x0 = input({ shape: [INPUT] });
  const model: LayersModel = how.functional
    ? buildModel({ inputs: x0, outputs: out.apply(hidden.apply(x0)) })
    : new Sequential([layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [INPUT] }), layers.dense({ units: CLASSES, activation: 'softmax' })]);
  if (initial) model.setWeights(initial);
  model.compile({ optimizer: optimizers.adam({ learningRate: LR }), loss: 'sparseCategoricalCrossentropy' });
  const slice = (from: number, count: number) => [
    new Tensor(data.x.subarray(from * INPUT, (from + count) * INPUT), [count, INPUT]),
    new Tensor(data.labels.subarray(from, from + count), [count]),
  ] as const;
  const contender: Contender<ContenderName> = {
    id,
    name: 'keelnet',
    backend: label,
    async firstLoss() {
      const [x, y] = slice(0, BATCH);
      const h = await model.fit(x, y, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
      return h.history.loss[0];
    },
    async train(from, steps) {
      const [x, y] = slice(from, steps * BATCH);
      return timeKeelnetFit(model, x, y, BATCH, how.defaults);
    },
  };
  return { model, contender };
}

/** A tf.sequential twin on one TF.js backend. Its weights and data are created while that backend is active, so switching never moves them. */
async function tfjsContender(backend: 'wasm' | 'cpu', data: Data, initial: Tensor[]): Promise<Contender<ContenderName>> {
  const use = tfjsBackend(backend, 'training');
  await use();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [INPUT] }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
    ],
  });
  model.setWeights(tfjsWeights(initial));
  model.compile({ optimizer: tf.train.adam(LR), loss: 'sparseCategoricalCrossentropy' });
  const slice = (from: number, count: number) => [
    tf.tensor2d(data.x.subarray(from * INPUT, (from + count) * INPUT), [count, INPUT]),
    tf.tensor1d(Float32Array.from(data.labels.subarray(from, from + count))),
  ] as const;
  return {
    id: `tfjs-${backend}`,
    name: `TensorFlow.js ${tf.version.tfjs}`,
    backend: backend === 'wasm' ? await tfjsWasmLabel() : backend,
    ...tfjsTraining(use, model, slice, BATCH),
  };
}

/** jax-js on its wasm device, one thread in Node (bench/jax.ts): its jitted step over the same batches, in order. */
async function jaxContender(data: Data, initial: Tensor[]): Promise<Contender<ContenderName>> {
  const mlp = await jaxMlp(initial.map((w) => w.values as Float32Array), { input: INPUT, hidden: HIDDEN, classes: CLASSES, batch: BATCH, lr: LR });
  const x = (from: number) => data.x.subarray(from * INPUT);
  const y = (from: number) => data.labels.subarray(from);
  return {
    id: 'jax-wasm',
    name: 'jax-js 0.1.25',
    backend: 'wasm (1 thread, jit)',
    firstLoss: () => mlp.step(x(0), y(0)),
    train: (from, steps) => mlp.train(x(from), y(from), steps),
    dispose: () => mlp.dispose(),
  };
}

/** The ratios the README quotes, from benchTraining's rows (each the median of per-round ratios). */
export function trainingRatios(rows: Row[]): Record<string, number> {
  const by = (name: string, backend: string) => rows.find((r) => r.name.startsWith(name) && r.backend === backend)?.keelnetWasmSpeedup ?? NaN;
  const tfWasm = rows.find((r) => r.name.startsWith('TensorFlow.js') && r.backend.startsWith('wasm'))?.keelnetWasmSpeedup ?? NaN;
  const relaxed = by('keelnet', 'wasm relaxed');
  const twoThreads = by('keelnet', 'wasm 2 threads');
  const relaxedTwo = by('keelnet', 'wasm relaxed 2 threads');
  return {
    keelnetWasmOverTfjsWasm: tfWasm,
    keelnetWasmOverKeelnetJs: by('keelnet', 'js'),
    keelnetWasmOverJax: by('jax-js', 'wasm (1 thread, jit)'),
    keelnetRelaxedOverSimd: round3(1 / relaxed),
    /** The issue's bar: ≥ 1.7. */
    keelnetTwoThreadsOverOne: round3(1 / twoThreads),
    /** The same bar for the relaxed builds: relaxed 2 threads over relaxed 1 thread (per-round ratios' medians divided). */
    keelnetRelaxedTwoThreadsOverOne: round3(relaxed / relaxedTwo),
    /** The graph-engine bars: the functional MLP over the Sequential (≥ 0.97), default fit over silent fit on 1 and 2 threads (≥ 0.97). */
    functionalOverSequential: round3(1 / by('keelnet', 'wasm, model({ inputs, outputs })')),
    defaultsOverSilent: round3(1 / by('keelnet', 'wasm, fit defaults (verbose 1, EarlyStopping)')),
    twoThreadsDefaultsOverSilent: round3(twoThreads / by('keelnet', 'wasm 2 threads, fit defaults (verbose 1, EarlyStopping)')),
  };
}

/** Inference: one row per contender. */
export interface PredictRow {
  name: string;
  backend: string;
  /** Median ms of predict() on one sample (read back included). */
  latencyBatch1Ms: number;
  /** Median samples/s of predict() over 2,560 samples in batches of 256. */
  samplesPerSecBatch256: number;
}

/**
 * Predict latency at batch 1 and throughput at batch 256 on the MNIST MLP (same weights on every
 * contender; outputs checked against keelnet wasm first). Rounds alternate contenders; medians.
 */
export async function benchPredict({ rounds = 7, log = (l: string) => console.error(l) }: { rounds?: number; log?: (line: string) => void } = {}): Promise<PredictRow[]> {
  const mnist = await loadMnist();
  const data: Data = { x: mnist.xTrain.values as Float32Array, labels: mnist.yTrain.values as Int32Array, n: mnist.xTrain.shape[0] };
  const MANY = 2560;
  const x1 = data.x.subarray(0, INPUT), xMany = data.x.subarray(0, MANY * INPUT);
  interface P { name: string; backend: string; one(): Promise<Float32Array>; many(): Promise<void>; dispose(): void }
  const keel = (label: string, be: Backend, initial?: Tensor[]): { p: P; model: LayersModel } => {
    const { model } = keelnetContender('keelnet-wasm', label, be, data, initial);
    const t1 = new Tensor(x1, [1, INPUT]), tMany = new Tensor(xMany, [MANY, INPUT]);
    return {
      model,
      p: {
        name: 'keelnet', backend: label,
        one: async () => (model.predict(t1, { batchSize: 1 }) as Tensor).values as Float32Array,
        many: async () => { model.predict(tMany, { batchSize: 256 }); },
        dispose: () => model.dispose(),
      },
    };
  };
  const first = keel('wasm', await WasmBackend.create({ simd: 'simd' }));
  const initial = first.model.getWeights();
  const tfjs = async (backend: 'wasm' | 'cpu'): Promise<P> => {
    await tfjsContender(backend, data, initial); // sets the wasm paths and the backend up
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [INPUT] }),
        tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
      ],
    });
    model.setWeights(tfjsWeights(initial));
    const t1 = tf.tensor2d(x1, [1, INPUT]), tMany = tf.tensor2d(xMany, [MANY, INPUT]);
    const use = async () => { if (tf.getBackend() !== backend) await tf.setBackend(backend); };
    return {
      name: `TensorFlow.js ${tf.version.tfjs}`, backend,
      one: async () => { await use(); const y = model.predict(t1) as tf.Tensor; const v = (await y.data()) as Float32Array; y.dispose(); return v; },
      many: async () => { await use(); const y = model.predict(tMany, { batchSize: 256 }) as tf.Tensor; await y.data(); y.dispose(); },
      dispose: () => { tf.dispose([t1, tMany]); model.dispose(); },
    };
  };
  const contenders: P[] = [
    first.p,
    ...(relaxedSimdSupported() ? [keel('wasm relaxed', await WasmBackend.create({ simd: 'relaxed' }), initial).p] : []),
    keel('js', new JsBackend(), initial).p,
    await tfjs('wasm'),
    await tfjs('cpu'),
  ];
  // Check: the same weights give the same probabilities everywhere.
  const ref = await contenders[0].one();
  for (const c of contenders) {
    const got = await c.one();
    const err = Math.max(...Array.from(ref, (v, i) => Math.abs(v - got[i])));
    if (!(err <= 1e-5)) throw new Error(`predict bench: ${c.name} ${c.backend} differs from keelnet wasm by ${err}`);
  }
  // Warm up, then alternate: each round times 50 single-sample calls and one 2,560-sample call per contender.
  for (const c of contenders) { for (let i = 0; i < 50; i++) await c.one(); await c.many(); }
  const lat = contenders.map(() => [] as number[]), thr = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of contenders.entries()) {
      let t0 = performance.now();
      for (let k = 0; k < 50; k++) await c.one();
      lat[i].push((performance.now() - t0) / 50);
      t0 = performance.now();
      await c.many();
      thr[i].push(MANY / ((performance.now() - t0) / 1000));
    }
    log(`predict: round ${r + 1}/${rounds}: ${contenders.map((c, i) => `${c.name.split(' ')[0]} ${c.backend} ${lat[i][r].toFixed(3)} ms, ${Math.round(thr[i][r])}/s`).join('; ')}`);
  }
  for (const c of contenders) c.dispose();
  setBackend('wasm'); // the contenders switched backends; leave the default for whoever runs next
  return contenders.map((c, i) => ({
    name: c.name, backend: c.backend, latencyBatch1Ms: round3(median(lat[i])), samplesPerSecBatch256: Math.round(median(thr[i])),
  }));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await benchTraining();
  console.table(rows);
  console.log(trainingRatios(rows));
  console.table(await benchPredict());
}
