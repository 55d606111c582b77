/**
 * GEMM throughput: GFLOP/s (2·M·N·K / t) and % of the one-core peak measured in the same run,
 * right before and right after (bench/peak.ts; the higher of the two). Contenders:
 *   wasm           keelnet's core, SIMD128 build — % of the f32x4 mul+add peak
 *   wasm relaxed   keelnet's core, relaxed-SIMD build (where the engine runs it) — % of the relaxed_madd peak
 *   wasm 2 threads keelnet's threads build, gemm split into blocks of C over 2 threads — % of the
 *                  ONE-core f32x4 peak (so up to ~200%)
 *   wasm relaxed 2 threads  the relaxed threads build, likewise — % of the one-core relaxed_madd peak
 *   js             keelnet's js core (the plain loops that define "correct")
 *   js blocked     bench/js-gemm-blocked.ts, the strongest plain-JS GEMM we have
 *   tfjs wasm      TensorFlow.js 4.22 tf.matMul on its wasm backend (XNNPACK, one thread, SIMD)
 *   tfjs cpu       TensorFlow.js 4.22 tf.matMul on its cpu backend (plain JS)
 * js rows are reported against the SIMD128 peak too, to show the distance.
 * Shapes: squares 128–1024 as NN, TN, NT, and the three products of the MNIST MLP's first Dense
 * layer (batch 100, 784 → 500): forward X·W, Xᵀ·dY and dY·Wᵀ. Each contender's result is first
 * checked against the js core, then timed with tinybench: the fastest call, as for the peak (on
 * a loaded 2-core machine the median measures the other processes). Rounds sweep every shape
 * and contender in turn and keep each row's best, so bursts of load hit all rows alike.
 *
 * Standalone (build the core first, npm run build:wasm):  npx tsx bench/gemm.ts
 * (with node --experimental-wasm-relaxed-simd on Node 20 for the relaxed rows).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Bench } from 'tinybench';
import type { Backend } from '../bindings/backend/backend.js';
import { relaxedSimdSupported } from '../bindings/backend/features.js';
import { JsBackend } from '../bindings/backend/js.js';
import { WasmBackend } from '../bindings/backend/wasm.js';
import { createThreadedBackend } from '../bindings/backend/threads/index.js';
import { gemmBlocked } from './js-gemm-blocked.js';
import { measurePeak } from './peak.js';

export interface GemmShape {
  name: string;
  M: number; N: number; K: number;
  transA: number; transB: number;
  /** 1 where the library accumulates into C, else 0 (every product here: Dense writes its kernel gradient whole). */
  beta: number;
}

export type PeakKind = 'simd' | 'relaxed';

/** One result. Peak rows (sizes null) bracket the GEMM rows. */
export interface Row {
  name: string;
  backend: string;
  M: number | null; N: number | null; K: number | null;
  transA: number | null; transB: number | null;
  gflops: number;
  /** Of the peak named by `peak`. */
  pctOfPeak: number;
  peak: PeakKind;
}

export interface GemmBenchOptions {
  /** Time budget per timed task and round, ms (default 200). */
  time?: number;
  /** Sweeps over all shapes; each row keeps its best (default 3). */
  rounds?: number;
  /** The slow contenders (js, js blocked, tfjs cpu) run squares only up to this size (default 512). */
  slowMaxSquare?: number;
  /** What to run (default: SQUARES then MLP_SHAPES). */
  shapes?: GemmShape[];
  /** Contenders by name (default: all that this engine runs). */
  backends?: string[];
}

const TRANS = [[0, 0], [1, 0], [0, 1]] as const;
const op = (t: number) => (t ? 'T' : 'N');

export const SQUARES: GemmShape[] = [128, 256, 512, 1024].flatMap((n) =>
  TRANS.map(([transA, transB]) => ({ name: `square ${op(transA)}${op(transB)}`, M: n, N: n, K: n, transA, transB, beta: 0 })));

export const MLP_SHAPES: GemmShape[] = [
  { name: 'MLP forward Y = X·W', M: 100, N: 500, K: 784, transA: 0, transB: 0, beta: 0 },
  { name: 'MLP dW = Xᵀ·dY', M: 784, N: 500, K: 100, transA: 1, transB: 0, beta: 0 },
  { name: 'MLP dX = dY·Wᵀ', M: 100, N: 784, K: 500, transA: 0, transB: 1, beta: 0 },
];

/** One way to compute a GEMM: set up a shape's inputs, then run it (timed) and read it back (checked). */
interface Contender {
  backend: string;
  peak: PeakKind;
  slow: boolean;
  /** Make this contender's engine current (TF.js backends share one global); awaited before each prepare. */
  ready?(): Promise<void>;
  prepare(s: GemmShape, A: Float32Array, B: Float32Array): { run(): void; result(): Float32Array; free(): void };
}

/** keelnet's kernels on a Backend (wasm or js): C = op(A)·op(B) + beta·C from C = 0. */
function backendContender(label: string, be: Backend, peak: PeakKind, slow: boolean): Contender {
  return {
    backend: label, peak, slow,
    prepare(s, A, B) {
      const [pa, pb, pc] = [be.alloc(4 * A.length), be.alloc(4 * B.length), be.alloc(4 * s.M * s.N)];
      be.write(pa, A);
      be.write(pb, B);
      be.fill(pc, 0, s.M * s.N);
      return {
        run: () => be.gemm(pc, pa, pb, s.M, s.N, s.K, s.transA, s.transB, 1, s.beta),
        result: () => { be.fill(pc, 0, s.M * s.N); be.gemm(pc, pa, pb, s.M, s.N, s.K, s.transA, s.transB, 1, s.beta); return be.read(pc, s.M * s.N); },
        free: () => { for (const p of [pa, pb, pc]) be.free(p); },
      };
    },
  };
}

const blockedContender: Contender = {
  backend: 'js blocked', peak: 'simd', slow: true,
  prepare(s, A, B) {
    const C = new Float32Array(s.M * s.N);
    const run = () => gemmBlocked(C, A, B, s.M, s.N, s.K, s.transA, s.transB, 1, s.beta);
    return { run, result: () => { C.fill(0); run(); return C.slice(); }, free: () => {} };
  },
};

let tfjsWasmPathsSet = false;

/** tf.matMul on one TF.js backend; its inputs live on that backend; the timed call includes reading C back (dataSync). */
async function tfjsContender(name: 'wasm' | 'cpu'): Promise<Contender> {
  if (name === 'wasm' && !tfjsWasmPathsSet) {
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    setWasmPaths(path.join(path.dirname(pkg), 'dist') + path.sep);
    tfjsWasmPathsSet = true;
  }
  const use = async () => {
    if (tf.getBackend() !== name && !(await tf.setBackend(name))) throw new Error(`bench/gemm: TF.js backend '${name}' failed to initialize`);
  };
  await use();
  return {
    backend: `tfjs ${name}`, peak: 'simd', slow: name === 'cpu',
    prepare(s, A, B) {
      const a = tf.tensor2d(A, s.transA ? [s.K, s.M] : [s.M, s.K]);
      const b = tf.tensor2d(B, s.transB ? [s.N, s.K] : [s.K, s.N]);
      const mm = () => tf.matMul(a, b, s.transA === 1, s.transB === 1);
      return {
        run: () => { const c = mm(); c.dataSync(); c.dispose(); },
        result: () => { const c = mm(); const v = c.dataSync() as Float32Array; c.dispose(); return Float32Array.from(v); },
        free: () => { a.dispose(); b.dispose(); },
      };
    },
    ready: use,
  };
}

export async function benchGemm(opts: GemmBenchOptions = {}): Promise<Row[]> {
  const { time = 200, rounds = 3, slowMaxSquare = 512 } = opts;
  const shapes = opts.shapes ?? [...SQUARES, ...MLP_SHAPES];
  const js = new JsBackend();
  const wasm = await WasmBackend.create({ simd: 'simd' });
  const relaxed = relaxedSimdSupported() ? await WasmBackend.create({ simd: 'relaxed' }) : undefined;
  const twoThreads = !opts.backends || opts.backends.includes('wasm 2 threads') ? await createThreadedBackend(2, { simd: 'simd' }) : undefined;
  const relaxedTwo = relaxed && (!opts.backends || opts.backends.includes('wasm relaxed 2 threads')) ? await createThreadedBackend(2, { simd: 'relaxed' }) : undefined;
  let contenders: Contender[] = [
    backendContender('wasm', wasm, 'simd', false),
    ...(relaxed ? [backendContender('wasm relaxed', relaxed, 'relaxed', false)] : []),
    ...(twoThreads ? [backendContender('wasm 2 threads', twoThreads, 'simd', false)] : []),
    ...(relaxedTwo ? [backendContender('wasm relaxed 2 threads', relaxedTwo, 'relaxed', false)] : []),
    backendContender('js', js, 'simd', true),
    blockedContender,
    await tfjsContender('wasm'),
    await tfjsContender('cpu'),
  ];
  if (opts.backends) contenders = contenders.filter((c) => opts.backends!.includes(c.backend));
  warmUp(wasm);
  if (relaxed) warmUp(relaxed);
  if (twoThreads) warmUp(twoThreads, 160); // large enough to split, so the workers' code tiers up too
  if (relaxedTwo) warmUp(relaxedTwo, 160);
  const peaks = async () => ({ simd: await measurePeak(), relaxed: relaxed ? await measurePeak({ relaxed: true }) : NaN });
  const before = await peaks();
  const best = new Map<string, Row>();
  for (let round = 0; round < rounds; round++) {
    for (const [i, s] of shapes.entries()) {
      const A = randomMatrix(s.M * s.K, 1 + i), B = randomMatrix(s.K * s.N, 2 + i);
      const isSquare = s.M === s.N && s.N === s.K;
      const want = round === 0 ? gemmJs(js, s, A, B) : undefined;
      for (const c of contenders) {
        if (c.slow && isSquare && s.M > slowMaxSquare) continue;
        await c.ready?.();
        const task = c.prepare(s, A, B);
        try {
          if (want) verify(c.backend, s, task.result(), want);
          const gflops = await timeRun(`${c.backend} ${s.name}`, task.run, (2 * s.M * s.N * s.K) / 1e6, time);
          const key = `${c.backend}|${i}`;
          if (!best.has(key) || gflops > best.get(key)!.gflops) {
            best.set(key, { name: s.name, backend: c.backend, M: s.M, N: s.N, K: s.K, transA: s.transA, transB: s.transB, gflops, pctOfPeak: 0, peak: c.peak });
          }
        } finally {
          task.free();
        }
      }
    }
  }
  await twoThreads?.terminate();
  await relaxedTwo?.terminate();
  const after = await peaks();
  // The peak is the best the core can do, so the higher of the two timings: load on the machine
  // only ever lowers one (a run here once timed 33 against 49.6 GFLOP/s), and a low peak would
  // flatter every percentage.
  const peak = { simd: Math.max(before.simd, after.simd), relaxed: Math.max(before.relaxed, after.relaxed) };
  const rows = [...best.values()];
  for (const r of rows) r.pctOfPeak = (100 * r.gflops) / peak[r.peak];
  const peakRow = (name: string, kind: PeakKind, gflops: number): Row => ({
    name, backend: 'wasm', M: null, N: null, K: null, transA: null, transB: null, gflops, pctOfPeak: (100 * gflops) / peak[kind], peak: kind,
  });
  const peakRows = (when: string, p: { simd: number; relaxed: number }) => [
    peakRow(`peak f32x4 mul+add, ${when}`, 'simd', p.simd),
    ...(relaxed ? [peakRow(`peak f32x4 relaxed_madd, ${when}`, 'relaxed', p.relaxed)] : []),
  ];
  return [...peakRows('before', before), ...rows, ...peakRows('after', after)];
}

/** The js core's result: the reference every contender is checked against. */
function gemmJs(js: Backend, s: GemmShape, A: Float32Array, B: Float32Array): Float32Array {
  const t = backendContender('js', js, 'simd', true).prepare(s, A, B);
  const C = t.result();
  t.free();
  return C;
}

/** Throw unless a contender's result matches the js reference (relative Frobenius error). */
function verify(backend: string, s: GemmShape, got: Float32Array, want: Float32Array): void {
  const err = relativeError(got, want);
  if (!(err <= 1e-5)) throw new Error(`bench/gemm: ${backend} ${s.name} ${s.M}×${s.N}×${s.K} differs from js (relative error ${err})`);
}

/**
 * V8 compiles wasm lazily and a call already running in the baseline tier stays there (no
 * on-stack replacement), so the first big GEMM would be timed half-optimized: call every path
 * (all transpositions, edge tiles) on small sizes until TurboFan has taken over.
 */
function warmUp(be: Backend, n = 67): void {
  const [C, A, B] = [be.alloc(4 * n * n), be.alloc(4 * n * n), be.alloc(4 * n * n)];
  be.write(A, randomMatrix(n * n, 3));
  be.write(B, randomMatrix(n * n, 4));
  const t0 = performance.now();
  while (performance.now() - t0 < 300) {
    for (const [ta, tb] of TRANS) be.gemm(C, A, B, n, n, n, ta, tb, 1, 0);
  }
  for (const p of [C, A, B]) be.free(p);
}

/** GFLOP/s of the fastest timed call of `run` (mflop per call). */
async function timeRun(label: string, run: () => void, mflop: number, time: number): Promise<number> {
  const bench = new Bench({ time, iterations: 3, warmupTime: 50, warmupIterations: 1 });
  bench.add(label, run);
  await bench.run();
  const r = bench.tasks[0].result;
  if (r.state !== 'completed') throw new Error(`bench/gemm: ${label} did not complete (${r.state})`);
  return mflop / r.latency.min; // MFLOP per ms = GFLOP/s
}

/** ‖got − want‖ / ‖want‖ (Frobenius); NaN anywhere makes it NaN. */
function relativeError(got: Float32Array, want: Float32Array): number {
  let d = 0, w = 0;
  for (let i = 0; i < want.length; i++) { d += (got[i] - want[i]) ** 2; w += want[i] ** 2; }
  return Math.sqrt(d / w);
}

/** n uniform floats in [-1, 1) from a fixed seed (an LCG: the bench needs no quality, only repeatability). */
function randomMatrix(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await benchGemm({ rounds: Number(process.env.ROUNDS ?? 3) });
  console.table(rows.map((r) => ({
    name: r.name, backend: r.backend, M: r.M, N: r.N, K: r.K,
    gflops: +r.gflops.toFixed(2), '% of peak': +r.pctOfPeak.toFixed(0), peak: r.peak,
  })));
}
