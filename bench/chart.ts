/**
 * GFLOP/s against size for the square GEMMs of a bench run, as an SVG line chart (log y, one line
 * per contender, the worst of its three transpositions at each size — training needs all three,
 * and TF.js's transposed products are where it falls behind; the peaks measured in the same run
 * as flat lines). bench/index.ts writes it as bench/results/gemm.svg next to the JSON.
 * Redraw from a saved run: npx tsx bench/chart.ts [bench/results/latest.json]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { lineChart, type Series } from '../examples/lib/svg-chart.js';

/** The fields of a bench/gemm.ts row the chart needs. */
export interface ChartRow { name: string; backend: string; M: number | null; N: number | null; K: number | null; gflops: number; peak?: string }

export function gemmChart(rows: ChartRow[], subtitle = ''): string {
  const squares = rows.filter((r) => r.M !== null && r.M === r.N && r.N === r.K);
  const backends = [...new Set(squares.map((r) => r.backend))];
  const sizes = [...new Set(squares.map((r) => r.M!))].sort((a, b) => a - b);
  const series: Series[] = backends.map((b) => ({
    name: b,
    points: sizes.flatMap((n): [number, number][] => {
      const g = squares.filter((r) => r.backend === b && r.M === n).map((r) => r.gflops);
      return g.length ? [[n, Math.min(...g)]] : [];
    }),
  }));
  for (const kind of ['simd', 'relaxed']) {
    const peaks = rows.filter((r) => r.M === null && r.peak === kind).map((r) => r.gflops);
    if (peaks.length && sizes.length) {
      const p = peaks.reduce((a, b) => a + b, 0) / peaks.length;
      series.push({ name: kind === 'simd' ? 'peak mul+add' : 'peak relaxed_madd', points: [[sizes[0], p], [sizes[sizes.length - 1], p]] });
    }
  }
  return lineChart({
    title: `GEMM, one thread: GFLOP/s against size${subtitle ? ` (${subtitle})` : ''}`,
    xLabel: 'M = N = K (the slowest of NN, TN, NT)',
    yLabel: 'GFLOP/s (log)',
    logY: true,
    series,
    width: 820,
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2] ?? fileURLToPath(new URL('./results/latest.json', import.meta.url));
  const run = JSON.parse(await readFile(file, 'utf8')) as { gemm: ChartRow[]; machine?: { cpu: string; node: string } };
  const out = new URL('./results/gemm.svg', import.meta.url);
  await writeFile(out, gemmChart(run.gemm, run.machine ? `${run.machine.cpu}, Node ${run.machine.node}` : ''));
  console.log(`wrote ${fileURLToPath(out)}`);
}
