/**
 * Thread scaling of MNIST MLP training (784-500-10, batch 100, Adam), measured in pairs: for each
 * build (SIMD128, and relaxed SIMD where the engine runs it) the one-thread core and the
 * two-thread pool train the same model from the same weights in turns of PAIR_STEPS steps, back
 * to back, PAIRS times (which goes first alternates). Both halves of a ratio are then timed within
 * a fraction of a second of each other, so a change in the machine's speed — frequent on this
 * shared 2-core machine — moves both alike. Reported: the median over pairs of
 * (2-thread samples/s) / (1-thread samples/s), and each side's median rate. bench/training.ts
 * times the same backends in 120-step rounds among seven other contenders.
 *
 * Run alone: node --expose-gc --import tsx bench/threads.ts (add --experimental-wasm-relaxed-simd
 * on Node 20 for the relaxed pair).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist, setBackend } from '../bindings/index.js';
import { relaxedSimdSupported } from '../bindings/backend/features.js';
import { createThreadedBackend } from '../bindings/backend/threads/index.js';
import { WasmBackend } from '../bindings/backend/wasm.js';
import type { WasmBuild } from '../bindings/backend/features.js';
import { median, round3, settle } from './lib/rounds.js';
import { type Data, keelnetContender } from './training.js';

const PAIRS = 15, PAIR_STEPS = 40, WARMUP_STEPS = 40, BATCH = 100;

export interface ThreadScalingRow {
  build: WasmBuild;
  pairs: number;
  stepsPerTurn: number;
  oneThreadSamplesPerSec: number;
  twoThreadsSamplesPerSec: number;
  /** Median over pairs of (2 threads) / (1 thread). */
  speedup: number;
  minSpeedup: number;
  maxSpeedup: number;
}

export async function benchThreadScaling({ log = (l: string) => console.error(l) }: { log?: (line: string) => void } = {}): Promise<ThreadScalingRow[]> {
  const mnist = await loadMnist();
  const data: Data = { x: mnist.xTrain.values as Float32Array, labels: mnist.yTrain.values as Int32Array, n: mnist.xTrain.shape[0] };
  const rows: ThreadScalingRow[] = [];
  for (const build of relaxedSimdSupported() ? ['simd', 'relaxed'] as const : ['simd'] as const) {
    const pool = await createThreadedBackend(2, { simd: build });
    const one = keelnetContender('keelnet-wasm', `wasm ${build}`, await WasmBackend.create({ simd: build }), data);
    const two = keelnetContender('keelnet-wasm-2threads', `wasm ${build} 2 threads`, pool, data, one.model.getWeights());
    try {
      for (const c of [one, two]) await c.contender.train(0, WARMUP_STEPS);
      const rate = { one: [] as number[], two: [] as number[] };
      const samples = PAIR_STEPS * BATCH;
      for (let p = 0; p < PAIRS; p++) {
        await settle();
        const from = (p * samples) % (data.n - samples + 1);
        for (const side of p % 2 ? ['two', 'one'] as const : ['one', 'two'] as const) {
          const [ms] = await (side === 'one' ? one : two).contender.train(from, PAIR_STEPS);
          rate[side].push(samples / (ms / 1000));
        }
      }
      const ratios = rate.two.map((v, p) => v / rate.one[p]);
      rows.push({
        build, pairs: PAIRS, stepsPerTurn: PAIR_STEPS,
        oneThreadSamplesPerSec: Math.round(median(rate.one)), twoThreadsSamplesPerSec: Math.round(median(rate.two)),
        speedup: round3(median(ratios)), minSpeedup: round3(Math.min(...ratios)), maxSpeedup: round3(Math.max(...ratios)),
      });
      log(`threads: ${build}: 2 threads / 1 thread, median of ${PAIRS} pairs ${rows[rows.length - 1].speedup}× (${ratios.map((r) => r.toFixed(2)).join(' ')})`);
    } finally {
      one.model.dispose();
      two.model.dispose();
      await pool.terminate();
    }
  }
  setBackend('wasm');
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.table(await benchThreadScaling());
}
