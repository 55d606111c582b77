/**
 * All benchmarks in one process: the one-core WASM SIMD peak, GEMM as GFLOP/s and % of that
 * peak, and MNIST MLP training as samples/s beside the js core and TensorFlow.js. Prints one
 * table and the machine, and writes everything to bench/results/latest.json plus a timestamped
 * copy. Run: npm run bench
 *
 * The peak is timed at the start and the end of the run (and by GEMM right around its products),
 * so a run on a noisy machine shows it.
 * ./peak.ts and ./gemm.ts are imported on demand: a missing one is skipped with a message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { benchTraining, trainingRatios, type Row as TrainingRow } from './training.js';

/** What bench/gemm.ts returns: one row per product and backend, plus peak rows (sizes null) bracketing them. */
interface GemmRow { name: string; backend: string; M: number | null; N: number | null; K: number | null; transA: number | boolean | null; transB: number | boolean | null; gflops: number; pctOfPeak: number }
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

await measurePeak('end of run');

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
