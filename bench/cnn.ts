/**
 * Training throughput on the MNIST CNN of examples/mnist-cnn.ts: Conv2D(32, 3×3, relu) →
 * MaxPool(2) → Conv2D(64, 3×3, relu) → MaxPool(2) → Flatten → Dense(128, relu) → Dropout(0.5) →
 * Dense(10, softmax), Adam 0.001, batch 128, the real MNIST training images. Contenders:
 *   keelnet wasm (the build ready() picks) on 1 and on 2 threads, keelnet js, TensorFlow.js 4.22 cpu.
 * TensorFlow.js's wasm backend cannot train this model: it has no Conv2DBackpropFilter kernel
 * (tensorflow/tfjs#8474). The bench tries one step on it and reports the error it gets.
 * TensorFlow.js cpu trains it, but its Conv2DBackpropFilter is a plain loop nest that takes
 * ~1 s per sample here (tf.profile: >80% of the step), so a batch of 128 takes minutes: it is
 * timed on steps of 16 samples (same model, same per-sample work; its rate barely depends on
 * the batch size) and its row says so.
 *
 * Method as bench/training.ts: the same initial weights everywhere, checked by the loss of the
 * first batch in inference mode (dropout masks differ between libraries, so training losses
 * cannot be compared step for step); a warm-up; rounds A B C A B C …; medians over rounds.
 * GFLOP/s counts the GEMM work of a training step (2·M·N·K for the forward products of every
 * Conv2D and Dense, twice more for the weight and input gradients, except the first layer's
 * input gradient, which is not needed), and is reported as % of the one-core SIMD peak measured
 * right before and after the rounds (two threads can pass 100%).
 *
 * Run alone: npx tsx bench/cnn.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Conv2D, Dense, Sequential, Tensor, loadMnist, optimizers, ready, setBackend, setSeed, wasmBuild } from '../bindings/index.js';
import { backend as currentBackend } from '../bindings/backend/index.js';
import type { Backend } from '../bindings/backend/backend.js';
import { JsBackend } from '../bindings/backend/js.js';
import { createThreadedBackend } from '../bindings/backend/threads/index.js';
import { mnistCnn } from '../examples/mnist-cnn.js';
import { timeKeelnetFit } from './lib/keelnet.js';
import { type Contender, round3, runRounds } from './lib/rounds.js';
import { setTfjsWasmPaths, tfjsBackend, tfjsWeights, timeTfjsFit } from './lib/tfjs.js';

export type CnnContenderName = 'keelnet-wasm' | 'keelnet-wasm-2threads' | 'keelnet-js' | 'tfjs-cpu';

export interface CnnOptions {
  /** Timed rounds (default 5). */
  rounds?: number;
  /** Timed steps per round (defaults: keelnet-wasm 16 and keelnet-js 1 of 128 samples, tfjs-cpu 1 of 16). */
  steps?: Partial<Record<CnnContenderName, number>>;
  /** Progress lines (default console.error). */
  log?: (line: string) => void;
}

export interface CnnRow {
  name: string;
  backend: string;
  batch: number;
  rounds: number;
  stepsPerRound: number;
  /** Median over rounds; null when the contender cannot train the model. */
  samplesPerSec: number | null;
  minSamplesPerSec: number | null;
  maxSamplesPerSec: number | null;
  /** Median over rounds of (keelnet wasm samples/s) / (this row's samples/s), same round. */
  keelnetWasmSpeedup: number | null;
  /** GEMM GFLOP/s of the training step at the median rate. */
  gflops: number | null;
  /** gflops as % of the higher of the SIMD peaks measured before and after the rounds (wasm rows only). */
  pctOfPeak: number | null;
  lastLoss: number | null;
  note?: string;
}

const BATCH = 128, CLASSES = 10, LR = 0.001, SEED = 42, PIXELS = 784;
/** Samples per step: keelnet trains the example's batch of 128; TF.js cpu, see above. */
const BATCHES: Record<CnnContenderName, number> = { 'keelnet-wasm': BATCH, 'keelnet-wasm-2threads': BATCH, 'keelnet-js': BATCH, 'tfjs-cpu': 16 };
const DEFAULT_STEPS: Record<CnnContenderName, number> = { 'keelnet-wasm': 16, 'keelnet-wasm-2threads': 16, 'keelnet-js': 1, 'tfjs-cpu': 1 };

interface Data { x: Float32Array; labels: Int32Array; n: number }

/** examples/mnist-cnn.ts's model (mnistCnn) on TensorFlow.js. */
function tfjsModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
    ],
  });
}

/** GEMM FLOPs of one training step per sample: forward, weight gradient, input gradient (not for the first layer). */
export function trainingFlopsPerSample(model: Sequential): number {
  let flops = 0;
  model.layers.forEach((l, i) => {
    let fwd = 0;
    if (l instanceof Conv2D) {
      const [kh, kw, inC, f] = l.kernel.shape;
      fwd = 2 * l.outputShape[0] * l.outputShape[1] * kh * kw * inC * f;
    } else if (l instanceof Dense) {
      fwd = 2 * l.inputSize * l.units;
    }
    flops += fwd * (i === 0 ? 2 : 3);
  });
  return flops;
}

export async function benchCnn(opts: CnnOptions = {}): Promise<CnnRow[]> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const rounds = opts.rounds ?? 5;
  const steps = { ...DEFAULT_STEPS, ...opts.steps };
  const mnist = await loadMnist();
  const data: Data = { x: mnist.xTrain.values as Float32Array, labels: mnist.yTrain.values as Int32Array, n: mnist.xTrain.shape[0] };

  await ready();
  const wasm = keelnetContender('keelnet-wasm', 'wasm', currentBackend(), data);
  const initial = wasm.model.getWeights();
  // The same build (ready()'s pick) on a 2-thread pool.
  const pool = await createThreadedBackend(2, { simd: wasmBuild() ?? 'auto' });
  const threads = keelnetContender('keelnet-wasm-2threads', 'wasm 2 threads', pool, data, initial);
  const js = keelnetContender('keelnet-js', 'js', new JsBackend(), data, initial);
  const tfCpu = await tfjsContender(data, initial);
  const tfWasmError = await tfjsWasmTrainingError(data, initial);
  const contenders: Contender<CnnContenderName>[] = [wasm.contender, threads.contender, js.contender, tfCpu];
  const flopsPerSample = trainingFlopsPerSample(wasm.model);

  const losses: number[] = [];
  for (const c of contenders) losses.push(await c.firstLoss()); // in inference mode: dropout masks differ between libraries
  contenders.forEach((c, i) => {
    if (!(Math.abs(losses[i] - losses[0]) <= 1e-4 * Math.abs(losses[0]))) {
      throw new Error(`cnn bench: ${c.name} ${c.backend} first-batch loss ${losses[i]} differs from keelnet wasm's ${losses[0]}; the contenders do not hold the same model`);
    }
  });
  log(`cnn: first-batch loss ${losses[0].toFixed(6)} on all ${contenders.length} contenders; ${(flopsPerSample / 1e6).toFixed(2)} MFLOP per training sample; warming up`);
  log(`cnn: TensorFlow.js wasm cannot train it: ${tfWasmError}`);
  for (const c of contenders) await c.train(BATCH, Math.max(1, Math.ceil(steps[c.id] / 4)));

  const peaks: number[] = [];
  const peakModule = await import('./peak.js').catch(() => undefined);
  if (peakModule) peaks.push(await peakModule.measurePeak());
  const timed = await runRounds(contenders, { bench: 'cnn', rounds, steps, batch: BATCHES, dataSize: data.n, log });
  if (peakModule) peaks.push(await peakModule.measurePeak());
  for (const k of [wasm, threads, js]) k.model.dispose();
  await pool.terminate();
  setBackend('wasm');
  // The higher of the two: load only ever lowers a peak timing (see bench/gemm.ts).
  const peak = peaks.length ? Math.max(...peaks) : NaN;

  const rows: CnnRow[] = contenders.map((c) => {
    const t = timed[c.id], gflops = (t.samplesPerSec * flopsPerSample) / 1e9;
    return {
      name: c.name, backend: c.backend, batch: BATCHES[c.id], rounds, stepsPerRound: steps[c.id],
      samplesPerSec: rate(t.samplesPerSec), minSamplesPerSec: rate(t.minSamplesPerSec), maxSamplesPerSec: rate(t.maxSamplesPerSec),
      keelnetWasmSpeedup: round3(t.speedup),
      // Of the one-core peak: two threads can pass 100%.
      gflops: round3(gflops), pctOfPeak: c.id.startsWith('keelnet-wasm') && Number.isFinite(peak) ? Math.round((1000 * gflops) / peak) / 10 : null,
      lastLoss: round3(t.lastLoss),
      ...(c.id === 'tfjs-cpu' && { note: `timed on batches of ${BATCHES[c.id]}: its Conv2DBackpropFilter takes ~1 s per sample` }),
    };
  });
  rows.push({
    name: `TensorFlow.js ${tf.version.tfjs}`, backend: 'wasm', batch: BATCH, rounds: 0, stepsPerRound: 0,
    samplesPerSec: null, minSamplesPerSec: null, maxSamplesPerSec: null, keelnetWasmSpeedup: null, gflops: null, pctOfPeak: null, lastLoss: null,
    note: `cannot train Conv2D (tensorflow/tfjs#8474): ${tfWasmError}`,
  });
  if (Number.isFinite(peak)) log(`cnn: SIMD peak ${peaks.map((p) => p.toFixed(1)).join(' / ')} GFLOP/s (before / after the rounds)`);
  return rows;
}

function keelnetContender(id: CnnContenderName, label: string, backend: Backend, data: Data, initial?: Tensor[]): { model: Sequential; contender: Contender<CnnContenderName> } {
  setBackend(backend);
  setSeed(SEED);
  const model = mnistCnn();
  if (initial) model.setWeights(initial);
  model.compile({ optimizer: optimizers.adam({ learningRate: LR }), loss: 'sparseCategoricalCrossentropy' });
  const slice = (from: number, count: number) => [
    new Tensor(data.x.subarray(from * PIXELS, (from + count) * PIXELS), [count, 28, 28, 1]),
    new Tensor(data.labels.subarray(from, from + count), [count]),
  ] as const;
  return {
    model,
    contender: {
      id, name: 'keelnet', backend: label,
      async firstLoss() {
        const [x, y] = slice(0, BATCH);
        return (await model.evaluate(x, y, { batchSize: BATCH })).loss;
      },
      async train(from, steps) {
        const [x, y] = slice(from, steps * BATCH);
        return timeKeelnetFit(model, x, y, BATCH);
      },
    },
  };
}

function tfjsSlice(data: Data, from: number, count: number) {
  return [
    tf.tensor4d(data.x.subarray(from * PIXELS, (from + count) * PIXELS), [count, 28, 28, 1]),
    tf.tensor1d(Float32Array.from(data.labels.subarray(from, from + count))),
  ] as const;
}

async function tfjsContender(data: Data, initial: Tensor[]): Promise<Contender<CnnContenderName>> {
  const use = tfjsBackend('cpu', 'cnn');
  await use();
  const model = tfjsModel();
  model.setWeights(tfjsWeights(initial));
  model.compile({ optimizer: tf.train.adam(LR), loss: 'sparseCategoricalCrossentropy' });
  return {
    id: 'tfjs-cpu', name: `TensorFlow.js ${tf.version.tfjs}`, backend: 'cpu',
    async firstLoss() {
      await use();
      const [x, y] = tfjsSlice(data, 0, BATCH);
      const loss = model.evaluate(x, y, { batchSize: BATCH }) as tf.Scalar;
      const v = (await loss.data())[0];
      tf.dispose([x, y, loss]);
      return v;
    },
    async train(from, steps) {
      await use();
      const batch = BATCHES['tfjs-cpu'];
      const [x, y] = tfjsSlice(data, from, steps * batch);
      return timeTfjsFit(model, x, y, batch);
    },
  };
}

/** One training step of the same model on TF.js's wasm backend: the error it throws (or 'none'). */
async function tfjsWasmTrainingError(data: Data, initial: Tensor[]): Promise<string> {
  setTfjsWasmPaths();
  if (!(await tf.setBackend('wasm'))) return "TF.js backend 'wasm' failed to initialize";
  const model = tfjsModel();
  model.setWeights(tfjsWeights(initial));
  model.compile({ optimizer: tf.train.adam(LR), loss: 'sparseCategoricalCrossentropy' });
  const [x, y] = tfjsSlice(data, 0, 8);
  let message = 'none (it trained)';
  try {
    await model.trainOnBatch(x, y);
  } catch (e) {
    message = e instanceof Error ? e.message : String(e);
  }
  tf.dispose([x, y]);
  model.dispose();
  await tf.setBackend('cpu');
  return message;
}

/** Whole samples/s, or one decimal below 100 (TF.js cpu trains ~2 samples/s). */
const rate = (v: number) => (v < 100 ? Math.round(v * 10) / 10 : Math.round(v));

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await benchCnn();
  console.table(rows.map(({ note, ...r }) => r));
  for (const r of rows) if (r.note) console.log(`${r.name} ${r.backend}: ${r.note}`);
}
