/**
 * Exploding gradients, and clipping as the cure. A 10-layer ReLU MLP initialized at 2× He's
 * standard deviation (each layer doubles the activations), trained with SGD (lr 0.05, momentum
 * 0.9): without clipping the loss turns non-finite within a few batches and terminateOnNaN names
 * the layer; with globalClipnorm: 1 the same run stays finite and learns. The gradient report at
 * initialization already says 'exploding'. Chart: examples/output/exploding-loss.svg.
 *   npx tsx examples/exploding.ts [--train 10000] [--test 2000] [--epochs 4]
 */
import { ready, loadMnist, callbacks, optimizers, type Sequential } from '../bindings/index.js';
import { head, overScaledRelu } from './lib/deep-mlp.js';
import { lineChart } from './lib/svg-chart.js';
import { printTable, writeOutput } from './lib/output.js';

export const config = { depth: 10, scale: 2, learningRate: 0.05, momentum: 0.9, batchSize: 32 };

export function explodingModel(clip: boolean): Sequential {
  const model = overScaledRelu(config.depth, config.scale);
  model.compile({
    optimizer: optimizers.sgd({ learningRate: config.learningRate, momentum: config.momentum, ...(clip ? { globalClipnorm: 1 } : {}) }),
    loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'],
  });
  return model;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
  await ready();
  const data = head(await loadMnist(), arg('train', 10000), arg('test', 2000));
  const probe = head({ xTrain: data.x, yTrain: data.y, xTest: data.xTest, yTest: data.yTest }, 256, 1);
  const rows: (string | number)[][] = [];
  const series = [];
  for (const clip of [false, true]) {
    const name = clip ? 'globalClipnorm: 1' : 'no clipping';
    const model = explodingModel(clip);
    const report = model.gradientReport(probe.x, probe.y);
    if (!clip) console.log(`Gradient report at initialization:\n${report}\n`);
    // Batch logs hold the epoch's running mean; recover each batch's own loss from consecutive means.
    const losses: [number, number][] = [];
    const nan = callbacks.terminateOnNaN({ verbose: 0 });
    let step = 0, seen = 0, sum = 0;
    await model.fit(data.x, data.y, { epochs: arg('epochs', 4), batchSize: config.batchSize, verbose: 0, callbacks: [
      { onEpochBegin: () => { seen = 0; sum = 0; } },
      { onBatchEnd: (_b, logs) => {
        const total = logs!.loss * (seen + logs!.size);
        losses.push([++step, (total - sum) / logs!.size]);
        seen += logs!.size; sum = total;
      } }, nan] });
    const acc = nan.report ? NaN : (await model.evaluate(data.xTest, data.yTest, { batchSize: 500 })).accuracy;
    rows.push([name, report.status, nan.report ? `stopped: ${nan.report.message}` : `finite, test accuracy ${(100 * acc).toFixed(1)}%`]);
    series.push({ name, points: losses.filter(([, l]) => Number.isFinite(l)) });
    model.dispose();
  }
  printTable(['run', 'report at init', 'outcome'], rows);
  console.log(`chart: ${writeOutput('exploding-loss.svg', lineChart({ title: 'Training loss per batch (log scale)', xLabel: 'batch', yLabel: 'loss', logY: true, series }))}`);
}
