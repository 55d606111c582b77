/**
 * The page test/browser/threads.test.ts drives: `window.runTraining({ threads, simd })` trains a
 * 256-256(relu)-10(softmax) MLP for 8 Adam steps of batch 64 under setSeed(7) on fixed synthetic
 * data and returns plain JSON. Its products (64·256·256 multiply-adds and more) and its 68,362
 * parameters are above the pool's split thresholds (MIN_SPLIT_MACS, MIN_SPLIT_ELEMENTS in
 * bindings/backend/threads/pool.ts), so with 2 threads the workers really do part of the work.
 */
import { Sequential, layers, optimizers, ready, setSeed, tensor, threadCount, wasmBuild, type SimdMode } from '../../../bindings/index.js';
import { createTrainer } from '../../../bindings/worker/index.js';

const SAMPLES = 256, INPUTS = 256, HIDDEN = 256, CLASSES = 10, BATCH = 64, EPOCHS = 2;

/** What one run reports: everything the test compares, as plain JSON. */
export interface TrainingRun {
  crossOriginIsolated: boolean;
  threadCount: number;
  wasmBuild: string | undefined;
  /** Calls of Atomics.notify on this thread during fit: the pool waking a worker with its part. */
  workerWakeups: number;
  /** Mean loss per epoch. */
  losses: number[];
  /** With inWorker: the threads of the trainer's worker (its own pool); else 0. */
  trainerThreads: number;
  /** Weights before and after fit, in getWeights() order. */
  initialWeights: number[][];
  weights: number[][];
}

/** x: a smooth deterministic pattern in [-1, 1]; y: a class that depends on x, so there is something to learn. */
function syntheticData() {
  const x = new Float32Array(SAMPLES * INPUTS);
  for (let i = 0; i < SAMPLES; i++) for (let j = 0; j < INPUTS; j++) x[i * INPUTS + j] = Math.sin(0.37 * i + 0.11 * j * (1 + (i % 3)));
  const y = Int32Array.from({ length: SAMPLES }, (_, i) => (i * 7 + (x[i * INPUTS] > 0 ? 3 : 0)) % CLASSES);
  return { x: tensor(x, [SAMPLES, INPUTS]), y: tensor(y, [SAMPLES], 'int32') };
}

/**
 * inWorker: train with createTrainer (a module Worker that starts a pool of its own) instead of
 * model.fit. Its shuffle draws a seed from this thread's stream, so compare it with shuffle off.
 */
async function runTraining({ threads, simd, inWorker = false, shuffle = true }: { threads: number; simd?: SimdMode; inWorker?: boolean; shuffle?: boolean }): Promise<TrainingRun> {
  await ready({ threads, simd });
  setSeed(7);
  const model = new Sequential([
    layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [INPUTS] }),
    layers.dense({ units: CLASSES, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
  const { x, y } = syntheticData();
  const initialWeights = model.getWeights().map((w) => Array.from(w.values));

  // Count the pool's hand-offs: ThreadPool.start() calls Atomics.notify once per worker block.
  const notify = Atomics.notify;
  let workerWakeups = 0;
  const counting = (array: Int32Array, index: number, count?: number) => { workerWakeups++; return notify(array, index, count); };
  Atomics.notify = counting as typeof Atomics.notify;
  let losses: number[];
  let trainerThreads = 0;
  try {
    const options = { epochs: EPOCHS, batchSize: BATCH, shuffle, verbose: 0 as const };
    if (inWorker) {
      const trainer = await createTrainer(model);
      trainerThreads = trainer.threads;
      try { losses = (await trainer.fit(x, y, options)).history.loss; } finally { await trainer.terminate(); }
    } else {
      losses = (await model.fit(x, y, options)).history.loss;
    }
  } finally {
    Atomics.notify = notify;
  }
  const weights = model.getWeights().map((w) => Array.from(w.values));
  model.dispose();
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    threadCount: threadCount(),
    wasmBuild: wasmBuild(),
    workerWakeups,
    trainerThreads,
    losses,
    initialWeights,
    weights,
  };
}

declare global {
  interface Window { runTraining: typeof runTraining }
}
window.runTraining = runTraining;
document.getElementById('status')!.dataset.state = 'ready';
