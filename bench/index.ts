/**
 * All benchmarks in one process: the one-core WASM SIMD peaks (f32x4 mul+add, and relaxed_madd),
 * GEMM as GFLOP/s and % of those peaks (keelnet's two builds on 1 and 2 threads, its js core, a
 * register-blocked plain-JS GEMM, TensorFlow.js wasm and cpu), MNIST MLP training as samples/s
 * (keelnet's two builds on 1 and 2 threads and its js core, TensorFlow.js wasm and cpu, jax-js),
 * thread scaling in back-to-back pairs (bench/threads.ts), predict latency (batch 1) and
 * throughput (batch 256), training in a worker, the LSTM and the CNN. Prints one table and the
 * machine, and writes everything to
 * bench/results/latest.json plus a timestamped copy, and bench/results/gemm.svg (GFLOP/s
 * against size). Run: npm run bench
 *
 * git tracks latest.json and gemm.svg; the timestamped copies are git-ignored (.gitignore), so a
 * run leaves one changed file, not one more. Keep a run that README.md cites with
 * `git add -f bench/results/<stamp>.json`.
 *
 * Node 20 runs relaxed SIMD only behind --experimental-wasm-relaxed-simd: where the engine lacks
 * it, this script starts itself again with that flag (which changes nothing else: TF.js and
 * jax-js load the same wasm either way), so one process, one run, times every contender. It adds
 * --expose-gc too: before each timed training chunk, bench/lib/rounds.ts collects the garbage
 * the last contender left and pauses 100 ms, so nobody is timed while another's is swept.
 *
 * The peak is timed at the start and the end of the run (and by GEMM right around its products),
 * so a run on a noisy machine shows it.
 * ./peak.ts and ./gemm.ts are imported on demand: a missing one is skipped with a message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { relaxedSimdSupported } from '../bindings/backend/features.js';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const needsRelaxed = !relaxedSimdSupported() && !process.execArgv.includes(RELAXED_FLAG);
const needsGc = typeof (globalThis as { gc?: unknown }).gc !== 'function';
if ((needsRelaxed || needsGc) && !process.env.KEELNET_BENCH_RESTARTED) {
  const flags = [...(needsRelaxed ? [RELAXED_FLAG] : []), ...(needsGc ? ['--expose-gc'] : [])];
  const r = spawnSync(process.execPath, [...process.execArgv, ...flags, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, KEELNET_BENCH_RESTARTED: '1' } });
  process.exit(r.status ?? 1);
}

const { benchTraining, benchPredict, trainingRatios } = await import('./training.js');
type TrainingRow = Awaited<ReturnType<typeof benchTraining>>[number];
type PredictRow = Awaited<ReturnType<typeof benchPredict>>[number];

/** What bench/gemm.ts returns: one row per product and backend, plus peak rows (sizes null) bracketing them. */
interface GemmRow { name: string; backend: string; M: number | null; N: number | null; K: number | null; transA: number | boolean | null; transB: number | boolean | null; gflops: number; pctOfPeak: number; peak?: string }
interface PeakModule { measurePeak(opts?: { relaxed?: boolean }): Promise<number> }
interface GemmModule { benchGemm(): Promise<GemmRow[]> }

/** One line of the combined table. */
interface TableRow { bench: string; name: string; backend: string; shape: string; value: number; unit: string; '% of peak'?: number; 'keelnet wasm ×'?: number }

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch { /* not Linux: os.cpus() it is */ }
  return {
    cpu,
    logicalCores: os.cpus().length,
    memoryGiB: round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
  };
}

/** Import a sibling bench module (`name`.ts beside this file), or undefined when it does not exist (yet). */
async function optional<T>(name: string): Promise<T | undefined> {
  if (!existsSync(new URL(`./${name}.ts`, import.meta.url))) return undefined;
  return (await import(`./${name}.js`)) as T;
}

const info = machine();
const skipped: string[] = [];
const errors: { bench: string; message: string }[] = [];
const table: TableRow[] = [];
const skip = (msg: string) => { skipped.push(msg); console.error(`bench: ${msg}`); };
const fail = (bench: string, e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  errors.push({ bench, message });
  console.error(`bench: ${bench} failed: ${message}`);
  process.exitCode = 1;
};

console.error(`bench: ${info.cpu}, ${info.logicalCores} logical cores, Node ${info.node}, ${info.date}`);

// The peak is measured at the start and the end of the run; GEMM brackets itself with two more
// measurements right before and after its products and reports % of their mean.
const peakModule = await optional<PeakModule>('peak');
const gemmModule = await optional<GemmModule>('gemm');
const peak: Record<string, number> = {};
const measurePeak = async (when: string) => {
  if (!peakModule) return;
  try {
    const gflops = round(await peakModule.measurePeak());
    peak[when] = gflops;
    table.push({ bench: 'peak', name: `peak f32x4 mul+add, ${when}`, backend: 'wasm', shape: '1 core', value: gflops, unit: 'GFLOP/s' });
    if (relaxedSimdSupported()) {
      const relaxed = round(await peakModule.measurePeak({ relaxed: true }));
      peak[`relaxed, ${when}`] = relaxed;
      table.push({ bench: 'peak', name: `peak f32x4 relaxed_madd, ${when}`, backend: 'wasm relaxed', shape: '1 core', value: relaxed, unit: 'GFLOP/s' });
    }
  } catch (e) { fail(`peak (${when})`, e); }
};
if (!peakModule) skip('bench/peak.ts not found: skipping the SIMD peak');
await measurePeak('start of run');

let gemm: GemmRow[] = [];
if (!gemmModule) skip('bench/gemm.ts not found: skipping GEMM');
else {
  try {
    gemm = await gemmModule.benchGemm();
    for (const r of gemm) {
      if (r.M === null) { // one of GEMM's own peak measurements
        peak[r.name] = round(r.gflops);
        table.push({ bench: 'peak', name: r.name, backend: r.backend, shape: '1 core', value: round(r.gflops), unit: 'GFLOP/s' });
        continue;
      }
      table.push({
        bench: 'gemm', name: r.name, backend: r.backend,
        shape: `${r.M}×${r.N}×${r.K} ${r.transA ? 'T' : 'N'}${r.transB ? 'T' : 'N'}`,
        value: round(r.gflops, 2), unit: 'GFLOP/s', '% of peak': round(r.pctOfPeak),
      });
      if (r.peak === 'relaxed') table[table.length - 1].name += ' (of relaxed peak)';
    }
  } catch (e) { fail('gemm', e); }
}

let training: TrainingRow[] = [];
try {
  training = await benchTraining();
  for (const r of training) {
    table.push({
      bench: 'training', name: r.name, backend: r.backend, shape: `MLP 784-500-10, batch ${r.batch}, Adam`,
      value: r.samplesPerSec, unit: 'samples/s', 'keelnet wasm ×': round(r.keelnetWasmSpeedup, 2),
    });
  }
} catch (e) { fail('training', e); }

// Thread scaling measured in back-to-back triples (1 thread, 2 threads, two independent one-thread trainings): bench/threads.ts.
const threadsModule = await optional<typeof import('./threads.js')>('threads');
let threadScaling: Awaited<ReturnType<NonNullable<typeof threadsModule>['benchThreadScaling']>> = [];
if (threadsModule) {
  try {
    threadScaling = await threadsModule.benchThreadScaling();
    for (const r of threadScaling) {
      const core = `keelnet ${r.build === 'relaxed' ? 'wasm relaxed' : 'wasm'}`, shape = 'MLP 784-500-10, batch 100, Adam';
      table.push({ bench: 'threads', name: `${core}: 2 threads / 1 thread (median of ${r.pairs} back-to-back triples; 1 thread ${r.oneThreadSamplesPerSec}/s)`,
        backend: `wasm ${r.build} 2 threads`, shape, value: r.speedup, unit: '×' });
      table.push({ bench: 'threads', name: `${core}: two independent one-thread trainings at once / 1 thread (same triples: the two cores' ceiling)`,
        backend: `wasm ${r.build} ×2`, shape, value: r.independentSpeedup, unit: '×' });
      table.push({ bench: 'threads', name: `${core}: 2 threads / 1 thread in the ${r.healthyPairs} of those triples where the two cores were both fully there (independent pair ≥ 1.85×)`,
        backend: `wasm ${r.build} 2 threads`, shape, value: r.healthySpeedup, unit: '×' });
      for (const [where, pairs, value] of [['near', r.nearPairs, r.nearSpeedup], ['far apart', r.farPairs, r.farSpeedup]] as const) {
        table.push({ bench: 'threads', name: `${core}: 2 threads / 1 thread in the ${pairs} of those triples timed while the two cores were ${where} (round trip ${where === 'near' ? '<' : '≥'} 200 ns)`,
          backend: `wasm ${r.build} 2 threads`, shape, value, unit: '×' });
      }
    }
  } catch (e) { fail('threads', e); }
}

let predict: PredictRow[] = [];
try {
  predict = await benchPredict();
  for (const r of predict) {
    table.push({ bench: 'predict', name: r.name, backend: r.backend, shape: 'MLP, batch 1', value: r.latencyBatch1Ms, unit: 'ms' });
    table.push({ bench: 'predict', name: r.name, backend: r.backend, shape: 'MLP, batch 256', value: r.samplesPerSecBatch256, unit: 'samples/s' });
  }
} catch (e) { fail('predict', e); }

// Training in a worker (keelnet/worker) against the main thread: bench/worker.ts.
const workerModule = await optional<{ benchWorker(): Promise<{ name: string; batch: number; samplesPerSec: number; ofMainThread: number; cpuOfMainThread: number }[]> }>('worker');
let workerRows: Awaited<ReturnType<NonNullable<typeof workerModule>['benchWorker']>> = [];
if (workerModule) {
  try {
    workerRows = await workerModule.benchWorker();
    for (const r of workerRows) {
      table.push({ bench: 'worker', name: `${r.name} (${Math.round(r.ofMainThread * 100)}% of main; per CPU-s ${Math.round(r.cpuOfMainThread * 100)}%)`, backend: 'wasm', shape: `MLP 784-500-10, batch ${r.batch}, Adam`, value: r.samplesPerSec, unit: 'samples/s' });
    }
  } catch (e) { fail('worker', e); }
}

// LSTM(64) training, T = 50, against TF.js wasm: bench/lstm.ts.
const lstmModule = await optional<{ benchLstm(): Promise<{ name: string; backend: string; shape: string; samplesPerSec: number; keelnetWasmSpeedup: number }[]> }>('lstm');
let lstmRows: Awaited<ReturnType<NonNullable<typeof lstmModule>['benchLstm']>> = [];
if (lstmModule) {
  try {
    lstmRows = await lstmModule.benchLstm();
    for (const r of lstmRows) {
      table.push({ bench: 'lstm', name: r.name, backend: r.backend, shape: r.shape, value: r.samplesPerSec, unit: 'samples/s', 'keelnet wasm ×': round(r.keelnetWasmSpeedup, 2) });
    }
  } catch (e) { fail('lstm', e); }
}

// CNN training (examples/mnist-cnn.ts's model) against keelnet js and TF.js cpu: bench/cnn.ts.
const cnnModule = await optional<typeof import('./cnn.js')>('cnn');
let cnnRows: Awaited<ReturnType<NonNullable<typeof cnnModule>['benchCnn']>> = [];
if (cnnModule) {
  try {
    cnnRows = await cnnModule.benchCnn();
    for (const r of cnnRows) {
      table.push({ bench: 'cnn', name: r.note && r.samplesPerSec === null ? `${r.name}: ${r.note}` : r.name, backend: r.backend,
        shape: `MNIST CNN, batch ${r.batch}, Adam`, value: r.samplesPerSec ?? NaN, unit: 'samples/s',
        ...(r.pctOfPeak !== null && { '% of peak': r.pctOfPeak }), ...(r.keelnetWasmSpeedup !== null && { 'keelnet wasm ×': round(r.keelnetWasmSpeedup, 2) }) });
    }
  } catch (e) { fail('cnn', e); }
}

await measurePeak('end of run');

console.log(`\n${info.cpu} · ${info.logicalCores} logical cores · Node ${info.node} (V8 ${info.v8}) · ${info.platform} · ${info.date}`);
console.table(table);
const ratios = training.length ? trainingRatios(training) : undefined;
if (ratios) console.log(`training: keelnet wasm / TF.js wasm ${ratios.keelnetWasmOverTfjsWasm}×, / jax-js ${ratios.keelnetWasmOverJax}×, / keelnet js ${ratios.keelnetWasmOverKeelnetJs}×; relaxed / SIMD128 ${ratios.keelnetRelaxedOverSimd}×, 2 threads / 1 ${ratios.keelnetTwoThreadsOverOne}× (relaxed: ${ratios.keelnetRelaxedTwoThreadsOverOne}×); functional / Sequential ${ratios.functionalOverSequential}×, fit defaults / silent ${ratios.defaultsOverSilent}× (2 threads: ${ratios.twoThreadsDefaultsOverSilent}×) (medians of per-round ratios)`);
for (const r of threadScaling) {
  console.log(`threads (paired): ${r.build}: 2 threads / 1 thread ${r.speedup}× (median of ${r.pairs} triples, range ${r.minSpeedup}–${r.maxSpeedup}×); `
    + `two independent trainings / 1 thread ${r.independentSpeedup}×; 2 threads / 1 in the ${r.healthyPairs} triples where those reached 1.85×: ${r.healthySpeedup}×; `
    + `cores near (round trip < 200 ns): ${r.nearSpeedup}× (${r.nearPairs} triples), far: ${r.farSpeedup}× (${r.farPairs}); median round trip ${r.roundTripNs} ns`);
}
for (const s of skipped) console.log(`skipped: ${s}`);
for (const e of errors) console.log(`FAILED: ${e.bench}: ${e.message}`);

const results = { machine: { ...info, flags: process.execArgv.filter((a) => a.startsWith('--experimental')) }, peak, gemm, training, trainingRatios: ratios, threadScaling, predict, worker: workerRows, lstm: lstmRows, cnn: cnnRows, table, skipped, errors };
const dir = new URL('./results/', import.meta.url);
await mkdir(dir, { recursive: true });
const json = `${JSON.stringify(results, null, 2)}\n`;
const stamp = info.date.replace(/[:.]/g, '-');
await writeFile(new URL('latest.json', dir), json);
await writeFile(new URL(`${stamp}.json`, dir), json);
console.log(`wrote bench/results/latest.json and bench/results/${stamp}.json (git-ignored: git add -f it to keep it)`);
if (gemm.length) {
  const { gemmChart } = await import('./chart.js');
  await writeFile(new URL('gemm.svg', dir), gemmChart(gemm, `${info.cpu}, Node ${info.node}`));
  console.log('wrote bench/results/gemm.svg');
}
