/**
 * Training in a worker vs on the main thread: the MNIST MLP (784-500(relu)-10(softmax), Adam
 * 0.001, batch 100) on the real training images, keelnet wasm on both sides. Each timed chunk
 * is one `fit` over `steps × 100` samples — for the worker that includes everything a user pays:
 * copying and transferring the data to the worker, and the trained weights coming back.
 *
 * Method: check first that one step gives the same loss on both threads (same weights, same
 * batch), warm both up, then time rounds main, worker | worker, main | … so machine noise hits
 * both alike; report the median samples/s over rounds and the median per-round ratio
 * worker / main (target: ≥ 95%), and the same per CPU-second of the process, which shows the
 * cost of the work when other processes make wall-clock time noisy.
 *
 * Run alone: npx tsx bench/worker.ts
 */
import { Sequential, Tensor, layers, loadMnist, optimizers, ready, setSeed } from '../bindings/index.js';
import { createTrainer } from '../bindings/worker/index.js';
import { median } from './lib/rounds.js';

export interface WorkerBenchOptions {
  /** Timed rounds (default 5). */
  rounds?: number;
  /** Steps per timed fit (default 600: one epoch of the 60,000 images, so the one-off data transfer weighs as in a real fit). */
  steps?: number;
  log?: (line: string) => void;
}

export interface WorkerRow {
  name: string;
  batch: number;
  rounds: number;
  stepsPerRound: number;
  samplesPerSec: number;
  minSamplesPerSec: number;
  maxSamplesPerSec: number;
  /** Median over rounds of (this row's samples/s) / (main thread's samples/s), same round. */
  ofMainThread: number;
  /**
   * Samples per CPU-second of the whole process (every thread): the cost of the work itself,
   * which a machine busy with other processes disturbs far less than wall-clock time.
   */
  samplesPerCpuSec: number;
  /** Median over rounds of (this row's samples per CPU-second) / (main thread's), same round. */
  cpuOfMainThread: number;
}

const BATCH = 100, INPUT = 784, HIDDEN = 500, CLASSES = 10, LR = 0.001, SEED = 42;

function mlp(): Sequential {
  setSeed(SEED);
  const model = new Sequential([
    layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [INPUT] }),
    layers.dense({ units: CLASSES, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: optimizers.adam({ learningRate: LR }), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

export async function benchWorker(opts: WorkerBenchOptions = {}): Promise<WorkerRow[]> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const rounds = opts.rounds ?? 5, steps = opts.steps ?? 600;
  await ready();
  const mnist = await loadMnist();
  const X = mnist.xTrain.values as Float32Array, Y = mnist.yTrain.values as Int32Array, n = mnist.xTrain.shape[0];
  const slice = (from: number, count: number) => [
    new Tensor(X.subarray(from * INPUT, (from + count) * INPUT), [count, INPUT]),
    new Tensor(Y.subarray(from, from + count), [count]),
  ] as const;

  const onMain = mlp();
  const inWorker = mlp();
  inWorker.setWeights(onMain.getWeights());
  const trainer = await createTrainer(inWorker);
  try {
    // Check: the same step gives the same loss on both threads.
    const [x0, y0] = slice(0, BATCH);
    const a = (await onMain.fit(x0, y0, { batchSize: BATCH, shuffle: false, verbose: 0 })).history.loss[0];
    const b = (await trainer.fit(x0, y0, { batchSize: BATCH, shuffle: false, verbose: 0 })).history.loss[0];
    if (a !== b) throw new Error(`worker bench: first-step loss ${b} in the worker differs from ${a} on the main thread`);
    log(`worker: first-step loss ${a.toFixed(6)} on both threads; warming up`);

    const fitMain = async (x: Tensor, y: Tensor) => onMain.fit(x, y, { batchSize: BATCH, verbose: 0 });
    const fitWorker = async (x: Tensor, y: Tensor) => trainer.fit(x, y, { batchSize: BATCH, verbose: 0 });
    const warm = slice(BATCH, 60 * BATCH);
    await fitMain(...warm);
    await fitWorker(...warm);

    const main: number[] = [], worker: number[] = [], mainCpu: number[] = [], workerCpu: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const from = (r * steps * BATCH) % (n - steps * BATCH + 1);
      const [x, y] = slice(from, steps * BATCH);
      // Alternate who goes first, so a drift in machine load does not favour either.
      const order = [[fitMain, main, mainCpu], [fitWorker, worker, workerCpu]] as const;
      for (const [fit, rates, cpuRates] of r % 2 ? [order[1], order[0]] : order) {
        const t0 = performance.now(), cpu0 = process.cpuUsage();
        const h = await fit(x, y);
        const ms = performance.now() - t0, cpu = process.cpuUsage(cpu0);
        if (!Number.isFinite(h.history.loss[0])) throw new Error(`worker bench: loss became ${h.history.loss[0]}`);
        rates.push((steps * BATCH) / (ms / 1000));
        cpuRates.push((steps * BATCH) / ((cpu.user + cpu.system) / 1e6));
      }
      log(`worker: round ${r + 1}/${rounds}: main thread ${Math.round(main[r])}, worker ${Math.round(worker[r])} samples/s; per CPU-second ${Math.round(mainCpu[r])}, ${Math.round(workerCpu[r])}`);
    }
    const ratio = (a: number[], b: number[]) => Math.round(1000 * median(a.map((v, i) => v / b[i]))) / 1000;
    const row = (name: string, rates: number[], cpuRates: number[]): WorkerRow => ({
      name, batch: BATCH, rounds, stepsPerRound: steps,
      samplesPerSec: Math.round(median(rates)),
      minSamplesPerSec: Math.round(Math.min(...rates)),
      maxSamplesPerSec: Math.round(Math.max(...rates)),
      ofMainThread: ratio(rates, main),
      samplesPerCpuSec: Math.round(median(cpuRates)),
      cpuOfMainThread: ratio(cpuRates, mainCpu),
    });
    return [row('keelnet main thread', main, mainCpu), row('keelnet worker (createTrainer)', worker, workerCpu)];
  } finally {
    await trainer.terminate();
    onMain.dispose();
    inWorker.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchWorker();
  console.table(rows);
}
