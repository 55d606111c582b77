/**
 * The MNIST MLP: 784-500(relu)-10(softmax), Adam 0.001, batch 100, 10 epochs on all 60,000
 * training images, then the accuracy on the 10,000 test images.  Run: npm start
 */
import { Sequential, layers, ready, setSeed, loadMnist, getBackend } from '../bindings/index.js';

await ready();
setSeed(42);
const { xTrain, yTrain, xTest, yTest } = await loadMnist();

const model = new Sequential([
  layers.dense({ units: 500, activation: 'relu', inputShape: [784] }),
  layers.dense({ units: 10, activation: 'softmax' }),
]);
model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
model.summary();

const epochs = Number(process.env.EPOCHS ?? 10);
const start = performance.now();
await model.fit(xTrain, yTrain, { epochs, batchSize: 100, validationData: [xTest, yTest] });
const seconds = (performance.now() - start) / 1000;

const { loss, accuracy } = await model.evaluate(xTest, yTest, { batchSize: 1000 });
console.log(`\nbackend: ${getBackend()}`);
console.log(`test loss ${loss.toFixed(4)}, test accuracy ${(accuracy * 100).toFixed(2)}%`);
console.log(`trained ${epochs} epochs in ${seconds.toFixed(1)} s: ${Math.round((epochs * xTrain.shape[0]) / seconds)} samples/s (including validation)`);
