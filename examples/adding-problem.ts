/**
 * The adding problem (Hochreiter & Schmidhuber 1997): sequences of T pairs (value in [0, 1],
 * marker), exactly two markers, target = the sum of the two marked values. Predicting the
 * constant 1 gives MSE ≈ 0.167; getting below it means carrying a value across ≥ T/2 steps.
 *
 * SimpleRNN, LSTM and GRU (64 units, Keras 3 defaults, Adam with clipnorm 1) for T = 50 and
 * T = 100: the test MSE after every epoch, and the profile ‖dL/dh_t‖ for t = T…1 (from
 * model.gradientReport) at initialization and after training — how much gradient reaches the
 * early steps. Charts: examples/output/adding-T{50,100}-mse.svg and -hidden-grad.svg.
 *   npx tsx examples/adding-problem.ts [--epochs 10] [--train 8000] [--lr 0.002] [--T 50,100]
 */
import { ready } from '../bindings/index.js';
import { addingModel, addingProblem, hiddenGradProfile, type Cell } from './lib/adding-problem.js';
import { lineChart, type Series } from './lib/svg-chart.js';
import { printTable, writeOutput } from './lib/output.js';

const arg = (name: string, def: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const epochs = Number(arg('epochs', '10')), nTrain = Number(arg('train', '8000')), lr = Number(arg('lr', '0.002'));
const lengths = arg('T', '50,100').split(',').map(Number);
const cells: Cell[] = ['simpleRNN', 'lstm', 'gru'];
const fmt = (v: number) => v.toExponential(1);

await ready();
for (const T of lengths) {
  const train = addingProblem(nTrain, T, 1), test = addingProblem(1000, T, 2), probe = addingProblem(256, T, 3);
  const mse: Series[] = [], grads: Series[] = [], rows: (string | number)[][] = [];
  console.log(`\nT = ${T}: ${nTrain} training sequences, ${epochs} epochs; constant-1 baseline MSE ${(2 / 12).toFixed(3)}`);
  for (const cell of cells) {
    const model = addingModel(cell, T, 64, 1, lr);
    const before = hiddenGradProfile(model, probe.x, probe.y);
    const curve: [number, number][] = [[0, (await model.evaluate(test.x, test.y)).loss]];
    const t0 = performance.now();
    for (let e = 1; e <= epochs; e++) {
      await model.fit(train.x, train.y, { epochs: 1, batchSize: 32, verbose: 0 });
      curve.push([e, (await model.evaluate(test.x, test.y)).loss]);
      console.log(`  ${cell} epoch ${e}: test MSE ${curve[e][1].toFixed(4)}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const after = hiddenGradProfile(model, probe.x, probe.y);
    mse.push({ name: cell, points: curve });
    // Profiles are listed t = T…1; plot them against t.
    const points = (p: number[]) => p.map((g, i) => [T - i, g] as [number, number]);
    grads.push({ name: `${cell} (init)`, points: points(before) }, { name: `${cell} (trained)`, points: points(after) });
    const ratio = (p: number[]) => p[p.length - 1] / p[0];
    rows.push([cell, curve[epochs][1].toFixed(4), fmt(ratio(before)), fmt(ratio(after)),
      [T, Math.ceil(T * 3 / 4), Math.ceil(T / 2), Math.ceil(T / 4), 1].map((t) => fmt(after[T - t])).join(' '), seconds.toFixed(1)]);
    model.dispose();
  }
  console.log(`\nT = ${T}: test MSE after ${epochs} epochs, and ‖dL/dh_t‖ on a probe batch of 256`);
  printTable(['model', 'test MSE', '|dh_1|/|dh_T| init', '|dh_1|/|dh_T| trained', `trained ‖dL/dh_t‖ at t = T, 3T/4, T/2, T/4, 1`, 'train s'], rows);
  const a = writeOutput(`adding-T${T}-mse.svg`, lineChart({
    title: `Adding problem, T = ${T}: test MSE (constant-1 baseline 0.167)`, xLabel: 'epoch', yLabel: 'test MSE (log scale)', logY: true, series: mse,
  }));
  const b = writeOutput(`adding-T${T}-hidden-grad.svg`, lineChart({
    title: `Adding problem, T = ${T}: ‖dL/dh_t‖ per time step`, xLabel: 't (the loss is at t = T)', yLabel: '‖dL/dh_t‖ (log scale)', logY: true, series: grads,
  }));
  console.log(`charts: ${a}\n        ${b}`);
}
console.log(`
Reading the profiles: at initialization the LSTM's gradient fades along its cell path by about
σ(1) ≈ 0.73 per step (the forget gate's initial bias of 1) and the GRU's by its update gate
σ(0) = 0.5, while Keras's orthogonal recurrent kernel keeps a tanh SimpleRNN nearly
norm-preserving — at initialization the SimpleRNN passes the most gradient back. Training
separates them: the gated cells that solve the task learn to hold their state (forget gate → 1)
and their trained profiles stay flat back to t = 1, while a SimpleRNN that fails ends with a
profile that vanishes by orders of magnitude. (Measured with the defaults, 10 epochs: at T = 50
SimpleRNN MSE 0.16, LSTM 0.002, GRU 0.0002, trained ratios 2e-4, 0.2, 0.5; at T = 100 only the
GRU solved it within 10 epochs.)`);
