/**
 * GEMM throughput on the wasm core and the js core: GFLOP/s (2·M·N·K / t) and % of the one-core
 * WASM SIMD peak (bench/peak.ts) measured in the same run, right before and right after.
 * Shapes: squares 64–1024 as NN, TN, NT, and the three products of a Dense layer in the MNIST
 * MLP (batch 100, 784 → 500). Each shape's wasm result is first checked against the js
 * reference, then each backend is timed with tinybench: the fastest call, as for the peak (see
 * measurePeak: on a loaded 2-core machine the median measures the other processes).
 *
 * Standalone (build the core first, npm run build:wasm):  npx tsx bench/gemm.ts
 */
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import type { Backend } from '../bindings/backend/backend.js';
import { JsBackend } from '../bindings/backend/js.js';
import { WasmBackend } from '../bindings/backend/wasm.js';
import { measurePeak } from './peak.js';

export interface GemmShape {
  name: string;
  M: number; N: number; K: number;
  transA: number; transB: number;
  /** 1 where the library accumulates (dW +=), else 0. */
  beta: number;
}

/** One result. The two peak rows (backend 'wasm', sizes null) bracket the GEMM rows. */
export interface Row {
  name: string;
  backend: 'wasm' | 'js';
  M: number | null; N: number | null; K: number | null;
  transA: number | null; transB: number | null;
  gflops: number;
  pctOfPeak: number;
}

export interface GemmBenchOptions {
  /** Time budget per timed task and round, ms (default 200). */
  time?: number;
  /** Sweeps over all shapes; each row keeps its best (default 3). */
  rounds?: number;
  /** The js core runs squares only up to this size; it is slow and only its GFLOP/s matters. */
  jsMaxSquare?: number;
  /** Use this peak (GFLOP/s) instead of measuring it before and after; then no peak rows. */
  peak?: number;
  /** What to run (default: SQUARES then MLP_SHAPES). */
  shapes?: GemmShape[];
}

const TRANS = [[0, 0], [1, 0], [0, 1]] as const;
const op = (t: number) => (t ? 'T' : 'N');

export const SQUARES: GemmShape[] = [64, 128, 256, 512, 1024].flatMap((n) =>
  TRANS.map(([transA, transB]) => ({ name: `square ${op(transA)}${op(transB)}`, M: n, N: n, K: n, transA, transB, beta: 0 })));

export const MLP_SHAPES: GemmShape[] = [
  { name: 'MLP forward Y = X·W', M: 100, N: 500, K: 784, transA: 0, transB: 0, beta: 0 },
  { name: 'MLP dW += Xᵀ·dY', M: 784, N: 500, K: 100, transA: 1, transB: 0, beta: 1 },
  { name: 'MLP dX = dY·Wᵀ', M: 100, N: 784, K: 500, transA: 0, transB: 1, beta: 0 },
];

export async function benchGemm(opts: GemmBenchOptions = {}): Promise<Row[]> {
  const { time = 200, rounds = 3, jsMaxSquare = 512 } = opts;
  const shapes = opts.shapes ?? [...SQUARES, ...MLP_SHAPES];
  const wasm = await WasmBackend.create();
  const js = new JsBackend();
  warmUp(wasm);
  const before = opts.peak ?? await measurePeak();
  // Rounds sweep every shape on both backends in turn and keep each one's best, so a burst of
  // load from other processes hits all rows alike instead of sinking one (REFERENCE.md: alternate).
  const rows: Row[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [i, s] of shapes.entries()) {
      const A = randomMatrix(s.M * s.K, 1), B = randomMatrix(s.K * s.N, 2);
      if (round === 0) verify(wasm, js, s, A, B);
      const isSquare = s.M === s.N && s.N === s.K;
      const backends = !isSquare || s.M <= jsMaxSquare ? [wasm, js] : [wasm];
      for (const [b, be] of backends.entries()) {
        const row = await timeGemm(be, s, A, B, time);
        const k = 2 * i + b;
        if (!rows[k] || row.gflops > rows[k].gflops) rows[k] = row;
      }
    }
  }
  const after = opts.peak ?? await measurePeak();
  const peak = (before + after) / 2;
  const gemmRows = rows.filter(Boolean);
  for (const r of gemmRows) r.pctOfPeak = (100 * r.gflops) / peak;
  if (opts.peak !== undefined) return gemmRows;
  const peakRow = (name: string, gflops: number): Row => ({
    name, backend: 'wasm', M: null, N: null, K: null, transA: null, transB: null, gflops, pctOfPeak: (100 * gflops) / peak,
  });
  return [peakRow('peak f32x4 mul+add, before', before), ...gemmRows, peakRow('peak f32x4 mul+add, after', after)];
}

/** Throw unless the wasm core's result matches the js reference (relative Frobenius error). */
function verify(wasm: Backend, js: Backend, s: GemmShape, A: Float32Array, B: Float32Array): void {
  const err = relativeError(runOnce(wasm, s, A, B), runOnce(js, s, A, B));
  if (!(err <= 1e-5)) throw new Error(`bench/gemm: wasm ${s.name} ${s.M}×${s.N}×${s.K} differs from js (relative error ${err})`);
}

/**
 * V8 compiles wasm lazily and a call already running in the baseline tier stays there (no
 * on-stack replacement), so the first big GEMM would be timed half-optimized: call every path
 * (all transpositions, edge tiles) on small sizes until TurboFan has taken over.
 */
function warmUp(be: Backend): void {
  const [C, A, B] = [be.alloc(4 * 67 * 67), be.alloc(4 * 67 * 67), be.alloc(4 * 67 * 67)];
  be.write(A, randomMatrix(67 * 67, 3));
  be.write(B, randomMatrix(67 * 67, 4));
  const t0 = performance.now();
  while (performance.now() - t0 < 300) {
    for (const [ta, tb] of TRANS) be.gemm(C, A, B, 67, 67, 67, ta, tb, 1, 0);
  }
  for (const p of [C, A, B]) be.free(p);
}

/** C = op(A)·op(B) from C = 0 (so beta = 1 shapes are comparable too), read back. */
function runOnce(be: Backend, s: GemmShape, A: Float32Array, B: Float32Array): Float32Array {
  const [pa, pb, pc] = [be.alloc(4 * A.length), be.alloc(4 * B.length), be.alloc(4 * s.M * s.N)];
  be.write(pa, A);
  be.write(pb, B);
  be.write(pc, new Float32Array(s.M * s.N));
  be.gemm(pc, pa, pb, s.M, s.N, s.K, s.transA, s.transB, 1, s.beta);
  const C = be.read(pc, s.M * s.N);
  for (const p of [pa, pb, pc]) be.free(p);
  return C;
}

async function timeGemm(be: Backend, s: GemmShape, A: Float32Array, B: Float32Array, time: number): Promise<Row> {
  const [pa, pb, pc] = [be.alloc(4 * A.length), be.alloc(4 * B.length), be.alloc(4 * s.M * s.N)];
  be.write(pa, A);
  be.write(pb, B);
  be.write(pc, new Float32Array(s.M * s.N));
  const bench = new Bench({ time, iterations: 3, warmupTime: 50, warmupIterations: 1 });
  bench.add(s.name, () => be.gemm(pc, pa, pb, s.M, s.N, s.K, s.transA, s.transB, 1, s.beta));
  await bench.run();
  for (const p of [pa, pb, pc]) be.free(p);
  const r = bench.tasks[0].result;
  if (r.state !== 'completed') throw new Error(`bench/gemm: ${be.name} ${s.name} did not complete (${r.state})`);
  const gflops = (2 * s.M * s.N * s.K) / (r.latency.min * 1e6);
  return { name: s.name, backend: be.name, M: s.M, N: s.N, K: s.K, transA: s.transA, transB: s.transB, gflops, pctOfPeak: 0 };
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
  const rows = await benchGemm();
  const jsOf = (r: Row) => rows.find((j) => j.backend === 'js' && j.name === r.name && j.M === r.M);
  console.table(rows.map((r) => ({
    name: r.name, backend: r.backend, M: r.M, N: r.N, K: r.K, transA: r.transA, transB: r.transB,
    gflops: +r.gflops.toFixed(1),
    pctOfPeak: +r.pctOfPeak.toFixed(0),
    xJs: r.backend === 'wasm' && jsOf(r) ? +(r.gflops / jsOf(r)!.gflops).toFixed(0) : null,
  })));
}
