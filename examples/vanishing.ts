/**
 * Vanishing gradients, and what each remedy really does. MLPs of depth 10, 20 and 30 (width 128)
 * on MNIST in five variants: sigmoid + Glorot, ReLU + He, ReLU + He + batch normalization,
 * sigmoid + batch normalization, and residual blocks. For each: the per-layer gradient norms at
 * initialization (first-to-last ratio), the gradient report's verdict, and the test accuracy after
 * one epoch. Charts: examples/output/vanishing-depth{10,20,30}.svg.
 *   npx tsx examples/vanishing.ts [--train 60000] [--test 10000]
 */
import { ready, loadMnist, optimizers } from '../bindings/index.js';
import { deepMlp, head, kernelGradNorms, variants } from './lib/deep-mlp.js';
import { lineChart } from './lib/svg-chart.js';
import { printTable, writeOutput } from './lib/output.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
await ready();
const data = head(await loadMnist(), arg('train', 60000), arg('test', 10000));
const batch = { x: data.x.reshape([data.x.shape[0], 784]), y: data.y };
const probe = head({ xTrain: data.x, yTrain: data.y, xTest: data.xTest, yTest: data.yTest }, 256, 1);

for (const depth of [10, 20, 30]) {
  const rows: (string | number)[][] = [];
  const series = [];
  for (const v of variants) {
    const model = deepMlp(v, depth);
    model.compile({ optimizer: optimizers.adam(), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const report = model.gradientReport(probe.x, probe.y);
    const norms = kernelGradNorms(report);
    const ratio = norms[0] / norms[norms.length - 1];
    const h = await model.fit(batch.x, batch.y, { epochs: 1, batchSize: 64, verbose: 0 });
    const { accuracy } = await model.evaluate(data.xTest, data.yTest, { batchSize: 500 });
    rows.push([v, ratio.toExponential(1), report.status, report.culprits.slice(0, 3).join(' ') + (report.culprits.length > 3 ? ' …' : ''),
      `${(100 * h.history.accuracy[0]).toFixed(1)}%`, `${(100 * accuracy).toFixed(1)}%`]);
    series.push({ name: v, points: norms.map((g, i) => [i + 1, g] as [number, number]) });
    model.dispose();
  }
  console.log(`\nDepth ${depth} (width 128), gradients at initialization, accuracy after 1 epoch of Adam`);
  printTable(['variant', 'first/last ‖grad‖', 'report', 'culprits', 'train acc', 'test acc'], rows);
  const file = writeOutput(`vanishing-depth${depth}.svg`, lineChart({
    title: `Kernel gradient norm per layer at initialization, depth ${depth}`, xLabel: 'Dense layer (input → output)',
    yLabel: '‖dL/dW‖ (log scale)', logY: true, series,
  }));
  console.log(`chart: ${file}`);
}
console.log(`
Train accuracy is the running mean over the epoch (batch statistics for batch normalization);
test accuracy uses batch normalization's moving statistics (momentum 0.99, as Keras), which
still lag the weights after one short epoch — run with more --train samples to see them catch up.`);
