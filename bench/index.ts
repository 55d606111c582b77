/**
 * All benchmarks in one process: the one-core WASM SIMD peak, GEMM as GFLOP/s and % of that
 * peak, and MNIST MLP training as samples/s beside the js core and TensorFlow.js. Prints one
 * table and the machine, and writes everything to bench/results/latest.json plus a timestamped
 * copy. Run: npm run bench
 *
 * The peak is timed before GEMM and again after training, so a run on a noisy machine shows it.
 * ./peak.ts and ./gemm.ts are imported on demand: a missing one is skipped with a message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { benchTraining, trainingRatios, type Row as TrainingRow } from './training.js';

/** What bench/gemm.ts returns per product. */
interface GemmRow { name: string; backend: string; M: number; N: number; K: number; transA: boolean; transB: boolean; gflops: number; pctOfPeak: number }
interface PeakModule { measurePeak(): Promise<number> }
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

const peakModule = await optional<PeakModule>('peak');
const peak: { before?: number; after?: number } = {};
const measurePeak = async (when: 'before' | 'after') => {
  if (!peakModule) return;
  try {
    peak[when] = round(await peakModule.measurePeak());
    table.push({ bench: 'peak', name: `f32x4 mul+add (${when})`, backend: 'wasm', shape: '1 core', value: peak[when]!, unit: 'GFLOP/s' });
  } catch (e) { fail(`peak (${when})`, e); }
};
if (!peakModule) skip('bench/peak.ts not found: skipping the SIMD peak');
await measurePeak('before');

let gemm: GemmRow[] = [];
const gemmModule = await optional<GemmModule>('gemm');
if (!gemmModule) skip('bench/gemm.ts not found: skipping GEMM');
else {
  try {
    gemm = await gemmModule.benchGemm();
    for (const r of gemm) {
      table.push({
        bench: 'gemm', name: r.name, backend: r.backend,
        shape: `${r.M}×${r.N}×${r.K} ${r.transA ? 'T' : 'N'}${r.transB ? 'T' : 'N'}`,
        value: round(r.gflops, 2), unit: 'GFLOP/s', '% of peak': round(r.pctOfPeak),
      });
    }
  } catch (e) { fail('gemm', e); }
}

let training: TrainingRow[] = [];
try {
  training = await benchTraining();
  for (const r of training) {
    table.push({
      bench: 'training', name: r.name, backend: r.backend, shape: `MLP 784-500-10, batch ${r.batch}, Adam`,
      value: r.samplesPerSec, unit: 'samples/s', 'keelnet wasm ×': r.keelnetWasmSpeedup,
    });
  }
} catch (e) { fail('training', e); }

await measurePeak('after');

console.log(`\n${info.cpu} · ${info.logicalCores} logical cores · Node ${info.node} (V8 ${info.v8}) · ${info.platform} · ${info.date}`);
console.table(table);
const ratios = training.length ? trainingRatios(training) : undefined;
if (ratios) console.log(`training: keelnet wasm / TF.js wasm ${ratios.keelnetWasmOverTfjsWasm}×, keelnet wasm / keelnet js ${ratios.keelnetWasmOverKeelnetJs}× (median of per-round ratios)`);
for (const s of skipped) console.log(`skipped: ${s}`);
for (const e of errors) console.log(`FAILED: ${e.bench}: ${e.message}`);

const results = { machine: info, peak, gemm, training, trainingRatios: ratios, table, skipped, errors };
const dir = new URL('./results/', import.meta.url);
await mkdir(dir, { recursive: true });
const json = `${JSON.stringify(results, null, 2)}\n`;
const stamp = info.date.replace(/[:.]/g, '-');
await writeFile(new URL('latest.json', dir), json);
await writeFile(new URL(`${stamp}.json`, dir), json);
console.log(`wrote bench/results/latest.json and bench/results/${stamp}.json`);
