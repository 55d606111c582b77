/**
 * LSTM training throughput: LSTM(64) → Dense(1) on the adding problem (T = 50 steps of 2
 * features), batch 32, MSE, Adam 0.001. Three contenders train the same model from the same
 * initial weights on the same batches: keelnet wasm, keelnet js, TensorFlow.js 4.22 wasm (one
 * thread, SIMD; TF.js's LSTM with recurrentActivation 'sigmoid' to match Keras 3). Every step is
 * a full training step (forward, backpropagation through time, Adam update).
 *
 * Method as bench/training.ts: check that all compute the same first-step loss, warm each up,
 * then time rounds A B C A B C … and report medians; "keelnet wasm ×" is the median over rounds
 * of keelnet wasm's rate over the row's rate in the same round.
 *
 * Run alone: npx tsx bench/lstm.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Sequential, Tensor, layers, optimizers, ready, setBackend, setSeed } from '../bindings/index.js';
import { addingProblem } from '../examples/lib/adding-problem.js';
import { timeKeelnetFit } from './lib/keelnet.js';
import { type Contender, round3, runRounds } from './lib/rounds.js';
import type { Row } from './training.js';
import { tfjsBackend, tfjsTraining, tfjsWasmLabel, tfjsWeights } from './lib/tfjs.js';

export type LstmContender = 'keelnet-wasm' | 'keelnet-js' | 'tfjs-wasm';

export interface LstmBenchOptions {
  /** Timed rounds (default 5). */
  rounds?: number;
  /** Timed steps per round (defaults: keelnet-wasm 40, keelnet-js 4, tfjs-wasm 4). */
  steps?: Partial<Record<LstmContender, number>>;
  log?: (line: string) => void;
}

/** A row of bench/training.ts's table, with the task's shape. */
export interface LstmRow extends Row {
  shape: string;
}

const T = 50, FEATURES = 2, UNITS = 64, BATCH = 32, LR = 0.001, SEED = 42, SAMPLES = 4096;
const SHAPE = `LSTM(${UNITS}) T=${T}×${FEATURES} → Dense(1), batch ${BATCH}, Adam`;
const DEFAULT_STEPS: Record<LstmContender, number> = { 'keelnet-wasm': 40, 'keelnet-js': 4, 'tfjs-wasm': 4 };

export async function benchLstm(opts: LstmBenchOptions = {}): Promise<LstmRow[]> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const rounds = opts.rounds ?? 5;
  const steps = { ...DEFAULT_STEPS, ...opts.steps };
  const data = addingProblem(SAMPLES, T, 7);
  await ready();
  const wasm = keelnet('wasm', data);
  const initial = wasm.model.getWeights();
  const contenders = [wasm.contender, keelnet('js', data, initial).contender, await tfjsWasm(data, initial)];
  setBackend('wasm');

  const losses: number[] = [];
  for (const c of contenders) losses.push(await c.firstLoss());
  contenders.forEach((c, i) => {
    if (!(Math.abs(losses[i] - losses[0]) <= 1e-4 * Math.abs(losses[0]) + 1e-6)) {
      throw new Error(`lstm bench: ${c.name} ${c.backend} first-step loss ${losses[i]} differs from keelnet wasm's ${losses[0]}`);
    }
  });
  log(`lstm: first-step loss ${losses[0].toFixed(6)} on all ${contenders.length} contenders; warming up`);
  for (const c of contenders) await c.train(BATCH, Math.max(2, Math.ceil(steps[c.id] / 4)));

  const timed = await runRounds(contenders, { bench: 'lstm', rounds, steps, batch: BATCH, dataSize: SAMPLES, log });
  for (const c of contenders) c.dispose?.();
  return contenders.map((c) => {
    const t = timed[c.id];
    return {
      name: c.name, backend: c.backend, shape: SHAPE, batch: BATCH, rounds, stepsPerRound: steps[c.id],
      samplesPerSec: Math.round(t.samplesPerSec), minSamplesPerSec: Math.round(t.minSamplesPerSec), maxSamplesPerSec: Math.round(t.maxSamplesPerSec),
      msPerStep: round3((1000 * BATCH) / t.samplesPerSec),
      keelnetWasmSpeedup: round3(t.speedup),
      lastLoss: round3(t.lastLoss),
    };
  });
}

function keelnet(backend: 'wasm' | 'js', data: { x: Tensor; y: Tensor }, initial?: Tensor[]): { model: Sequential; contender: Contender<LstmContender> } {
  setBackend(backend);
  setSeed(SEED);
  const model = new Sequential([layers.lstm({ units: UNITS, inputShape: [T, FEATURES] }), layers.dense({ units: 1 })]);
  model.build();
  if (initial) model.setWeights(initial);
  model.compile({ optimizer: optimizers.adam({ learningRate: LR }), loss: 'meanSquaredError' });
  const slice = (from: number, count: number) => [
    new Tensor(data.x.values.subarray(from * T * FEATURES, (from + count) * T * FEATURES), [count, T, FEATURES]),
    new Tensor(data.y.values.subarray(from, from + count), [count, 1]),
  ] as const;
  return {
    model,
    contender: {
      id: `keelnet-${backend}`, name: 'keelnet', backend,
      async firstLoss() {
        const [x, y] = slice(0, BATCH);
        return model.trainOnBatch(x, y).loss;
      },
      async train(from, steps) {
        const [x, y] = slice(from, steps * BATCH);
        return timeKeelnetFit(model, x, y, BATCH);
      },
      dispose: () => model.dispose(),
    },
  };
}

async function tfjsWasm(data: { x: Tensor; y: Tensor }, initial: Tensor[]): Promise<Contender<LstmContender>> {
  const use = tfjsBackend('wasm', 'lstm');
  await use();
  const model = tf.sequential({
    layers: [
      // Initializers that cost nothing: setWeights replaces them (TF.js's orthogonal one warns at this size).
      tf.layers.lstm({ units: UNITS, recurrentActivation: 'sigmoid', inputShape: [T, FEATURES], kernelInitializer: 'zeros', recurrentInitializer: 'zeros' }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  model.setWeights(tfjsWeights(initial));
  model.compile({ optimizer: tf.train.adam(LR), loss: 'meanSquaredError' });
  const slice = (from: number, count: number) => [
    tf.tensor3d(data.x.values.subarray(from * T * FEATURES, (from + count) * T * FEATURES) as Float32Array, [count, T, FEATURES]),
    tf.tensor2d(data.y.values.subarray(from, from + count) as Float32Array, [count, 1]),
  ] as const;
  return {
    id: 'tfjs-wasm', name: `TensorFlow.js ${tf.version.tfjs}`, backend: await tfjsWasmLabel(),
    ...tfjsTraining(use, model, slice, BATCH),
    dispose: () => model.dispose(),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await benchLstm();
  console.table(rows);
  const tfRow = rows.find((r) => r.name.startsWith('TensorFlow.js'));
  console.log(`keelnet wasm / TF.js wasm: ${tfRow?.keelnetWasmSpeedup}× (bar: ≥ 3×)`);
}
