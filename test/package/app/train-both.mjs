// Shared by the Node script and the browser entry: a tiny model trained on this thread and in a worker.
import { Sequential, getBackend, layers, optimizers, ready, setSeed, tensor } from 'keelnet';
import { createTrainer } from 'keelnet/worker';

export async function trainBoth() {
  await ready();
  setSeed(7);
  // Two classes: is x0 + x1 positive?
  const n = 256, x = new Float32Array(n * 2), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = Math.sin(i * 12.9898) * 2; x[2 * i + 1] = Math.cos(i * 78.233) * 2;
    y[i] = x[2 * i] + x[2 * i + 1] > 0 ? 1 : 0;
  }
  const X = tensor(x, [n, 2]), Y = tensor(y, [n]);
  const make = () => {
    const m = new Sequential([layers.dense({ units: 8, activation: 'relu', inputShape: [2] }), layers.dense({ units: 2, activation: 'softmax' })]);
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  const main = make();
  const h1 = await main.fit(X, Y, { epochs: 30, batchSize: 32, verbose: 0 });
  const inWorker = make();
  const trainer = await createTrainer(inWorker);
  const h2 = await trainer.fit(X, Y, { epochs: 30, batchSize: 32, verbose: 0 });
  await trainer.terminate();
  return {
    backend: getBackend(),
    main: { loss: h1.history.loss, accuracy: (await main.evaluate(X, Y)).accuracy },
    worker: { loss: h2.history.loss, accuracy: (await inWorker.evaluate(X, Y)).accuracy },
  };
}
