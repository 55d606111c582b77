/**
 * Thread scaling of MNIST MLP training (784-500-10, batch 100, Adam), measured in triples: for
 * each build (SIMD128, and relaxed SIMD where the engine runs it), in turns of PAIR_STEPS steps,
 * back to back, PAIRS times, the builds taking turns triple by triple:
 *   one        the one-thread core trains alone;
 *   two        the two-thread pool trains the same model from the same weights;
 *   together   the one-thread core trains while a second one-thread training runs in a worker
 *              (bench/solo-worker.ts): two independent trainings, one per core.
 * The turns of a triple are timed within a fraction of a second of each other (their order
 * alternates), so a change in the machine's speed — frequent on this shared 2-core machine —
 * moves them alike. Reported: the median over triples of (2-thread samples/s) / (1-thread
 * samples/s), the bar's figure; and of (the two independent trainings' samples/s together) /
 * (1-thread samples/s): what two cores give this workload when nothing at all is shared, the
 * ceiling the pool is measured against; the pool's median over the triples in which that
 * ceiling was at least HEALTHY×, that is, when the machine gave two full cores; and its medians
 * over the triples taken while the two cores were near and far apart (a round trip between them,
 * bench/lib/round-trip.ts, timed right before each triple). bench/training.ts times the same
 * backends in 120-step rounds among seven other contenders.
 *
 * Run alone: node --expose-gc --import tsx bench/threads.ts (add --experimental-wasm-relaxed-simd
 * on Node 20 for the relaxed builds).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadMnist, setBackend } from '../bindings/index.js';
import { relaxedSimdSupported } from '../bindings/backend/features.js';
import { createThreadedBackend } from '../bindings/backend/threads/index.js';
import { WasmBackend } from '../bindings/backend/wasm.js';
import type { WasmBuild } from '../bindings/backend/features.js';
import { median, round3, settle } from './lib/rounds.js';
import { FAR_NS, startRoundTripProbe } from './lib/round-trip.js';
import { type Data, keelnetContender } from './training.js';

const PAIRS = 40, PAIR_STEPS = 30, WARMUP_STEPS = 40, BATCH = 100;
/**
 * A triple is "healthy" when its two independent trainings reached this much of one thread: the
 * machine gave both cores in full (calm, it gives them ~1.95×). This machine is a VM on a shared
 * host: for stretches of seconds to minutes one of its vCPUs runs at a fraction of its speed
 * without the guest seeing any steal time, and two threads then cannot reach 1.7× however the
 * work is cut (two independent trainings measured 1.1–1.7× in such a stretch).
 */
const HEALTHY = 1.85;

export interface ThreadScalingRow {
  build: WasmBuild;
  pairs: number;
  stepsPerTurn: number;
  oneThreadSamplesPerSec: number;
  twoThreadsSamplesPerSec: number;
  /** Median over triples of (2 threads) / (1 thread). */
  speedup: number;
  minSpeedup: number;
  maxSpeedup: number;
  /** Median over triples of (two independent one-thread trainings at once, summed) / (1 thread). */
  independentSpeedup: number;
  /** Triples whose independent pair reached HEALTHY× one thread. */
  healthyPairs: number;
  /** Median of (2 threads) / (1 thread) over those triples (0 when there are none). */
  healthySpeedup: number;
  /** Median round trip between the two cores (bench/lib/round-trip.ts), taken before each triple, in ns. */
  roundTripNs: number;
  /** Triples taken while the cores were near (round trip below FAR_NS) and the pool's median over them (0: none). */
  nearPairs: number;
  nearSpeedup: number;
  /** The same while they were far. */
  farPairs: number;
  farSpeedup: number;
}

/** One build's contenders: the one-thread core, the two-thread pool (same weights), the independent second training. */
interface BuildTriples {
  build: WasmBuild;
  one: ReturnType<typeof keelnetContender>;
  two: ReturnType<typeof keelnetContender>;
  pool: Awaited<ReturnType<typeof createThreadedBackend>>;
  solo: Awaited<ReturnType<typeof startSolo>>;
  rate: { one: number[]; two: number[]; together: number[] };
  /** The cores' round trip (ns) right before each of this build's triples. */
  roundTrip: number[];
}

export async function benchThreadScaling({ log = (l: string) => console.error(l) }: { log?: (line: string) => void } = {}): Promise<ThreadScalingRow[]> {
  const mnist = await loadMnist();
  const data: Data = { x: mnist.xTrain.values as Float32Array, labels: mnist.yTrain.values as Int32Array, n: mnist.xTrain.shape[0] };
  const builds: BuildTriples[] = [];
  const samples = PAIR_STEPS * BATCH;
  const probe = await startRoundTripProbe();
  try {
    for (const build of relaxedSimdSupported() ? ['simd', 'relaxed'] as const : ['simd'] as const) {
      const pool = await createThreadedBackend(2, { simd: build });
      const one = keelnetContender('keelnet-wasm', `wasm ${build}`, await WasmBackend.create({ simd: build }), data);
      const two = keelnetContender('keelnet-wasm-2threads', `wasm ${build} 2 threads`, pool, data, one.model.getWeights());
      builds.push({ build, one, two, pool, solo: await startSolo(build), rate: { one: [], two: [], together: [] }, roundTrip: [] });
    }
    for (const b of builds) {
      for (const c of [b.one, b.two]) await c.contender.train(0, WARMUP_STEPS);
      await b.solo.train(0, WARMUP_STEPS);
    }
    const turns = {
      one: async (b: BuildTriples, from: number) => samples / ((await b.one.contender.train(from, PAIR_STEPS))[0] / 1000),
      two: async (b: BuildTriples, from: number) => samples / ((await b.two.contender.train(from, PAIR_STEPS))[0] / 1000),
      // Both trainings start together; each one's rate comes from its own time.
      together: async (b: BuildTriples, from: number) => {
        const other = b.solo.train(from, PAIR_STEPS);
        const [ms] = await b.one.contender.train(from, PAIR_STEPS);
        return samples / (ms / 1000) + samples / ((await other) / 1000);
      },
    };
    // The builds take turns triple by triple, so a slow stretch of the machine hits both alike.
    for (let p = 0; p < PAIRS; p++) {
      const from = (p * samples) % (data.n - samples + 1);
      for (const b of p % 2 ? [...builds].reverse() : builds) {
        await settle();
        b.roundTrip.push(probe.measure());
        for (const side of p % 2 ? ['together', 'two', 'one'] as const : ['one', 'two', 'together'] as const) {
          b.rate[side].push(await turns[side](b, from));
        }
      }
    }
    return builds.map(({ build, rate, roundTrip }) => {
      const ratios = rate.two.map((v, p) => v / rate.one[p]);
      const independent = rate.together.map((v, p) => v / rate.one[p]);
      const healthy = ratios.filter((_, p) => independent[p] >= HEALTHY);
      const near = ratios.filter((_, p) => roundTrip[p] < FAR_NS), far = ratios.filter((_, p) => roundTrip[p] >= FAR_NS);
      const med = (x: number[]) => (x.length ? round3(median(x)) : 0);
      const r: ThreadScalingRow = {
        build, pairs: PAIRS, stepsPerTurn: PAIR_STEPS,
        oneThreadSamplesPerSec: Math.round(median(rate.one)), twoThreadsSamplesPerSec: Math.round(median(rate.two)),
        speedup: round3(median(ratios)), minSpeedup: round3(Math.min(...ratios)), maxSpeedup: round3(Math.max(...ratios)),
        independentSpeedup: round3(median(independent)),
        healthyPairs: healthy.length, healthySpeedup: med(healthy),
        roundTripNs: Math.round(median(roundTrip)),
        nearPairs: near.length, nearSpeedup: med(near), farPairs: far.length, farSpeedup: med(far),
      };
      log(`threads: ${build}: 2 threads / 1 thread, median of ${PAIRS} triples ${r.speedup}× (${ratios.map((x) => x.toFixed(2)).join(' ')}); `
        + `two independent trainings / 1: ${r.independentSpeedup}× (${independent.map((x) => x.toFixed(2)).join(' ')}); `
        + `in the ${r.healthyPairs} triples where they reached ${HEALTHY}×: ${r.healthySpeedup}×; `
        + `core round trip (ns) ${roundTrip.map((x) => x.toFixed(0)).join(' ')}: near ${r.nearSpeedup}× (${r.nearPairs}), far ${r.farSpeedup}× (${r.farPairs})`);
      return r;
    });
  } finally {
    await probe.terminate();
    for (const b of builds) {
      b.one.model.dispose();
      b.two.model.dispose();
      await b.solo.terminate();
      await b.pool.terminate();
    }
    setBackend('wasm');
  }
}

/** bench/solo-worker.ts in a worker thread (TS loaded through tsx, as this bench is): train(from, steps) resolves to its milliseconds. */
async function startSolo(build: WasmBuild): Promise<{ train(from: number, steps: number): Promise<number>; terminate(): Promise<number> }> {
  const url = new URL('./solo-worker.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`,
    { eval: true, workerData: { build } });
  // One answer at a time: the next train() is asked only after the last one resolved.
  let answer: { resolve(ms: number): void; reject(e: unknown): void } | undefined;
  const ready = new Promise<void>((resolve, reject) => { answer = { resolve: () => resolve(), reject }; });
  worker.on('message', (m) => answer?.resolve(m));
  worker.on('error', (e) => answer?.reject(e));
  await ready;
  return {
    train: (from, steps) => new Promise((resolve, reject) => {
      answer = { resolve, reject };
      worker.postMessage({ from, steps });
    }),
    terminate: () => worker.terminate(),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.table(await benchThreadScaling());
}
