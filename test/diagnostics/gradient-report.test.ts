/** gradientReport: the contract, no false alarms, each verdict, and weights left as they were. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, input, layers, model, ready, setSeed, tensor, loadMnist, initializers, optimizers, type Tensor } from '../../bindings/index.js';
import { randomArray } from '../helpers/close.js';
import { blobs } from '../helpers/models.js';

let x: Tensor, y: Tensor;
beforeAll(async () => {
  await ready();
  const m = await loadMnist();
  x = tensor(m.xTrain.values.subarray(0, 128 * 784), [128, 784]);
  y = tensor(m.yTrain.values.subarray(0, 128), [128]);
});

function coreMlp() {
  setSeed(1);
  const model = new Sequential([
    layers.dense({ units: 500, activation: 'relu', inputShape: [784] }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return model;
}

describe('gradientReport', () => {
  it('reports the core MLP healthy, with no advice, in the documented shape', () => {
    const model = coreMlp();
    const r = model.gradientReport(x, y);
    expect(r.status).toBe('healthy');
    expect(r.culprits).toEqual([]);
    expect(r.advice).toEqual([]);
    expect(r.layers.map((l) => l.className)).toEqual(['Dense', 'Dense']);
    const l0 = r.layers[0];
    expect(Object.keys(l0).sort()).toEqual(['activationMean', 'activationStd', 'className', 'deadFraction', 'name', 'saturatedFraction', 'weights']);
    expect(l0.weights.map((w) => w.name)).toEqual([`${l0.name}/kernel`, `${l0.name}/bias`]);
    const k = l0.weights[0];
    expect(Object.keys(k).sort()).toEqual(['gradMaxAbs', 'gradNorm', 'name', 'spectralNorm', 'updateRatio', 'weightNorm']);
    expect(k.gradNorm).toBeGreaterThan(0);
    expect(k.gradMaxAbs).toBeLessThanOrEqual(k.gradNorm);
    expect(k.updateRatio).toBeGreaterThan(1e-4);
    expect(k.updateRatio).toBeLessThan(0.1);
    expect(l0.weights[1].updateRatio).toBeNull(); // zero-initialized bias
    expect(l0.deadFraction).toBeGreaterThanOrEqual(0);
    expect(l0.saturatedFraction).toBeNull();
    expect(r.layers[1].saturatedFraction).toBeNull();
    // Glorot-uniform 784×500: spectral norm ≈ limit·(√784 + √500)/√3 (Marchenko–Pastur edge).
    const limit = Math.sqrt(6 / (784 + 500));
    expect(k.spectralNorm!).toBeGreaterThan(0.9 * limit * (28 + Math.sqrt(500)) / Math.sqrt(3));
    expect(k.spectralNorm!).toBeLessThan(1.1 * limit * (28 + Math.sqrt(500)) / Math.sqrt(3));
    expect(String(r)).toMatch(/status: healthy/);
    expect(JSON.parse(JSON.stringify(r)).layers[0].weights[0].gradNorm).toBeCloseTo(k.gradNorm, 10);
  });

  it('leaves weights, optimizer state and step count untouched', async () => {
    const model = coreMlp();
    const { x: bx, y: by } = { x: tensor(x.values.subarray(0, 32 * 784), [32, 784]), y: tensor(y.values.subarray(0, 32), [32]) };
    model.trainOnBatch(bx, by);
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const it = model.optimizer!.iterations;
    model.gradientReport(x, y);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    expect(model.optimizer!.iterations).toBe(it);
    // The next step is exactly what it would have been without the report.
    const twin = coreMlp();
    twin.trainOnBatch(bx, by);
    twin.trainOnBatch(bx, by);
    model.trainOnBatch(bx, by);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(twin.getWeights().map((w) => Array.from(w.dataSync())));
  });

  it('says vanishing for a deep sigmoid stack, naming the early layers', () => {
    setSeed(2);
    const ls = [layers.dense({ units: 64, activation: 'sigmoid', inputShape: [784] })];
    for (let i = 0; i < 14; i++) ls.push(layers.dense({ units: 64, activation: 'sigmoid' }));
    const model = new Sequential([...ls, layers.dense({ units: 10, activation: 'softmax' })]);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const r = model.gradientReport(x, y);
    expect(r.status).toBe('vanishing');
    expect(r.culprits[0]).toBe(ls[0].name);
    expect(r.firstToLastRatio!).toBeLessThan(1e-3);
    expect(r.advice[0]).toMatch(new RegExp(`^${ls[0].name}: gradient norm .*smaller than the output layer — vanishing; try heNormal initialization, relu, batchNormalization, or residual connections`));
    expect(r.layers[5].saturatedFraction).not.toBeNull();
  });

  it('says vanishing when the signal fades layer by layer (ReLU + Glorot), though the gradient ratio looks fine', () => {
    setSeed(6);
    const ls = [layers.dense({ units: 64, activation: 'relu', inputShape: [784] })];
    for (let i = 0; i < 16; i++) ls.push(layers.dense({ units: 64, activation: 'relu' }));
    const model = new Sequential([...ls, layers.dense({ units: 10, activation: 'softmax' })]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const r = model.gradientReport(x, y);
    expect(r.firstToLastRatio!).toBeGreaterThan(1e-3);
    expect(r.status).toBe('vanishing');
    expect(r.culprits).toContain(ls[16].name);
    expect(r.advice.join('\n')).toMatch(/activation RMS fell to .* per layer on average\) — vanishing; try heNormal/);
    // The same stack with He initialization keeps its signal: healthy.
    setSeed(6);
    const he = new Sequential([
      ...Array.from({ length: 17 }, (_, i) => layers.dense({ units: 64, activation: 'relu', kernelInitializer: 'heNormal', ...(i === 0 ? { inputShape: [784] } : {}) })),
      layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    he.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    expect(he.gradientReport(x, y).status).toBe('healthy');
  });

  it('says exploding from magnitudes for an over-scaled ReLU stack', () => {
    setSeed(3);
    const big = initializers.varianceScaling({ scale: 18, mode: 'fanIn', distribution: 'truncatedNormal' });
    const ls = [layers.dense({ units: 64, activation: 'relu', inputShape: [784], kernelInitializer: big })];
    for (let i = 0; i < 10; i++) ls.push(layers.dense({ units: 64, activation: 'relu', kernelInitializer: big }));
    const model = new Sequential([...ls, layers.dense({ units: 10, activation: 'softmax' })]);
    model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'sparseCategoricalCrossentropy' });
    const r = model.gradientReport(x, y);
    expect(r.status).toBe('exploding');
    expect(r.firstToLastRatio!).toBeGreaterThan(1e-2); // the ratio alone would not see it
    expect(r.advice.join('\n')).toMatch(/exploding; clip gradients/);
  });

  it('says dead when a ReLU layer is silent on the whole batch', () => {
    setSeed(4);
    const dead = layers.dense({ units: 32, activation: 'relu', inputShape: [784], biasInitializer: initializers.constant({ value: -100 }) });
    const model = new Sequential([dead, layers.dense({ units: 10, activation: 'softmax' })]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const r = model.gradientReport(x, y);
    expect(r.status).toBe('dead');
    expect(r.culprits).toEqual([dead.name]);
    expect(r.layers[0].deadFraction).toBe(1);
    expect(r.advice[0]).toMatch(/100% of its units output 0 for the whole batch — dead ReLUs/);
  });

  it('says nonfinite and names the layer', () => {
    setSeed(5);
    const model = new Sequential([layers.dense({ units: 3, inputShape: [4] }), layers.dense({ units: 2 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const r = model.gradientReport(tensor(new Float32Array(8).fill(3e38), [2, 4]), tensor(new Float32Array(4), [2, 2]));
    expect(r.status).toBe('nonfinite');
    expect(r.culprits).toHaveLength(1);
    expect(r.advice[0]).toMatch(/became NaN\/Infinity/);
  });

  it('thresholds are configurable and validated; an unbuilt model is an error', () => {
    const model = coreMlp();
    expect(model.gradientReport(x, y, { vanishingRatio: 10 }).status).toBe('vanishing');
    expect(() => model.gradientReport(x, y, { deadFraction: -1 })).toThrow(/threshold deadFraction must be a positive number, got -1/);
    const unbuilt = new Sequential([layers.dense({ units: 3 })]);
    unbuilt.compile({ optimizer: 'sgd', loss: 'mse' });
    const { x: bx, y: by } = blobs(4, 1);
    expect(() => unbuilt.gradientReport(bx, by)).toThrow(/gradientReport: sequential\w* is not built/);
  });
});

describe('gradientReport on graphs', () => {
  it('reports every node; a shared layer\'s weights once, with the gradient summed over its uses', () => {
    setSeed(31);
    const a = input({ shape: [5] }), b = input({ shape: [5] });
    const shared = layers.dense({ units: 4, activation: 'tanh', name: 'twin' });
    const m = model({ inputs: [a, b], outputs: layers.dense({ units: 1, name: 'score' }).apply(layers.add({ name: 'join' }).apply([shared.apply(a), shared.apply(b)])) });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = [tensor(randomArray(8 * 5, 1), [8, 5]), tensor(randomArray(8 * 5, 2), [8, 5])], y = tensor(randomArray(8, 3), [8, 1]);
    const r = m.gradientReport(x, y);
    expect(r.layers.map((l) => l.name)).toEqual(['twin', 'twin[1]', 'join', 'score']);
    expect(r.layers[0].weights.map((w) => w.name)).toEqual(['twin/kernel', 'twin/bias']);
    expect(r.layers[1].weights).toEqual([]);
    const g = m.computeGradients(x, y).grads[0];
    expect(r.layers[0].weights[0].gradNorm).toBeCloseTo(Math.hypot(...g.values), 6);
    expect(r.path).toEqual(['twin', 'join', 'score']);
    m.dispose();
  });

  it('a deep sigmoid trunk with a skip around it: vanishing, named along the longest path', () => {
    setSeed(32);
    const x = input({ shape: [16] });
    let h = layers.dense({ units: 16, activation: 'sigmoid', name: 'deep_0' }).apply(x);
    for (let i = 1; i < 14; i++) h = layers.dense({ units: 16, activation: 'sigmoid', name: `deep_${i}` }).apply(h);
    const skip = layers.dense({ units: 16, name: 'skip' }).apply(x);
    const out = layers.dense({ units: 4, activation: 'softmax', name: 'out' }).apply(layers.add({ name: 'merge' }).apply([h, skip]));
    const m = model({ inputs: x, outputs: out });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const r = m.gradientReport(tensor(randomArray(32 * 16, 4), [32, 16]), tensor(Int32Array.from({ length: 32 }, (_, i) => i % 4), [32]));
    expect(r.status).toBe('vanishing');
    expect(r.path).toEqual([...Array.from({ length: 14 }, (_, i) => `deep_${i}`), 'merge', 'out']);
    expect(r.culprits).toContain('deep_0');
    expect(r.culprits).not.toContain('skip');
    expect(r.advice[r.advice.length - 1]).toMatch(/^along the longest path deep_0 → … → out \(16 nodes\): first-to-last gradient ratio \d/);
    m.dispose();
  });
});
