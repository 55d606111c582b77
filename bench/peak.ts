/**
 * The machine's one-core WASM SIMD peak: GFLOP/s of independent f32x4.mul + f32x4.add chains
 * (bench/assembly/peak.ts), the yardstick every GEMM number is reported against.
 *
 * The kernel is compiled at run time with the AssemblyScript compiler API, using
 * bench/assembly/asconfig.json (output build/peak.wasm), whenever the .wasm is missing or older
 * than its source (loading the compiler alone takes seconds). By hand:
 *   npx asc --config bench/assembly/asconfig.json
 * Standalone: npx tsx bench/peak.ts
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

const ROOT = new URL('../', import.meta.url);
/** One round of `peak`: 2 steps × 12 chains × (mul + add) × 4 lanes. */
const FLOP_PER_ROUND = 2 * 12 * 2 * 4;
/** Rounds per call: 192 MFLOP, about 4 ms, long next to the timer resolution and call overhead. */
const ROUNDS = 1_000_000;

type PeakFn = (rounds: number, seed: number) => number;
let peakFn: Promise<PeakFn> | undefined;
let peakRelaxedFn: Promise<PeakFn> | undefined;

async function loadPeak(): Promise<PeakFn> {
  const wasm = new URL('build/peak.wasm', ROOT);
  const sources = ['bench/assembly/peak.ts', 'bench/assembly/asconfig.json'].map((f) => new URL(f, ROOT));
  const mtime = async (u: URL) => (await stat(u).catch(() => undefined))?.mtimeMs ?? -1;
  const built = await mtime(wasm);
  if (built < Math.max(...(await Promise.all(sources.map(mtime))))) {
    const { default: asc } = await import('assemblyscript/dist/asc.js');
    const { error, stderr } = await asc.main(['--config', fileURLToPath(sources[1]), '--target', 'release']);
    if (error) throw new Error(`bench/peak: compiling bench/assembly/peak.ts failed: ${error.message}\n${stderr.toString()}`);
  }
  const { instance } = await WebAssembly.instantiate(await readFile(wasm), { env: { abort() { throw new Error('peak: abort'); } } });
  return instance.exports.peak as PeakFn;
}

/** The relaxed-SIMD peak loop (bench/assembly/peak-relaxed.ts → build/peak-relaxed.wasm), built when stale. */
async function loadPeakRelaxed(): Promise<PeakFn> {
  const wasm = new URL('build/peak-relaxed.wasm', ROOT);
  const source = new URL('bench/assembly/peak-relaxed.ts', ROOT);
  const mtime = async (u: URL) => (await stat(u).catch(() => undefined))?.mtimeMs ?? -1;
  if ((await mtime(wasm)) < (await mtime(source))) {
    const { default: asc } = await import('assemblyscript/dist/asc.js');
    const { error, stderr } = await asc.main([fileURLToPath(source), '--outFile', fileURLToPath(wasm), '-O3', '--noAssert',
      '--runtime', 'stub', '--enable', 'simd,relaxed-simd']);
    if (error) throw new Error(`bench/peak: compiling bench/assembly/peak-relaxed.ts failed: ${error.message}\n${stderr.toString()}`);
  }
  const { instance } = await WebAssembly.instantiate(await readFile(wasm), { env: { abort() { throw new Error('peak: abort'); } } });
  return instance.exports.peakRelaxed as PeakFn;
}

/**
 * GFLOP/s of the peak loop on one core (8 FLOP per f32x4 mul+add pair), from the fastest of its
 * timed calls, after a warm-up long enough for V8 to move it from the baseline tier to TurboFan.
 * Fastest, not median: on this 2-core machine other processes take our core for stretches of
 * calls (GEMM timings go bimodal, ~28 vs ~42 GFLOP/s), and the fastest call is the one that ran
 * alone. bench/gemm.ts uses the same statistic, so percentages of peak compare like with like.
 */
export async function measurePeak({ time = 500, relaxed = false }: { time?: number; relaxed?: boolean } = {}): Promise<number> {
  // relaxed: 12 chains of f32x4.relaxed_madd instead (8 FLOP each as well); needs an engine with relaxed SIMD.
  const peak = await (relaxed ? (peakRelaxedFn ??= loadPeakRelaxed()) : (peakFn ??= loadPeak()));
  const bench = new Bench({ time, iterations: 10, warmupTime: 200, warmupIterations: 10 });
  bench.add('peak', () => { peak(ROUNDS, 0.001); });
  await bench.run();
  const r = bench.tasks[0].result;
  if (r.state !== 'completed') throw new Error(`bench/peak: the peak loop did not complete (${r.state})`);
  return (ROUNDS * FLOP_PER_ROUND) / (r.latency.min * 1e6);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`one-core WASM SIMD peak (f32x4.mul + f32x4.add): ${(await measurePeak()).toFixed(1)} GFLOP/s`);
}
