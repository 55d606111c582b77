/**
 * A functional model with two heads: each MNIST image goes through a trunk with a skip connection,
 * and the model predicts the digit (10-way softmax) and whether it is even (one sigmoid unit) —
 * two outputs, two losses, one weighted total. Run: npx tsx examples/functional.ts
 *
 *   image ─ dense(256, relu) ─┬─ dense(256, relu) ─ add ─┬─ dense(10, softmax)  "digit"
 *                             └────────────────────────────┘└─ dense(1, sigmoid)   "even"
 */
import { Tensor, input, layers, loadMnist, model, ready, setSeed } from '../bindings/index.js';

await ready();
setSeed(42);
const { xTrain, yTrain, xTest, yTest } = await loadMnist();
const even = (y: Tensor) => new Tensor(Float32Array.from(y.values, (d) => (d % 2 === 0 ? 1 : 0)), [y.shape[0], 1]);

const image = input({ shape: [784], name: 'image' });
const h1 = layers.dense({ units: 256, activation: 'relu' }).apply(image);
const h2 = layers.dense({ units: 256, activation: 'relu' }).apply(h1);
const trunk = layers.add({ name: 'skip' }).apply([h1, h2]);
const digit = layers.dense({ units: 10, activation: 'softmax', name: 'digit' }).apply(trunk);
const isEven = layers.dense({ units: 1, activation: 'sigmoid', name: 'even' }).apply(trunk);

const net = model({ inputs: image, outputs: [digit, isEven], name: 'two_heads' });
net.compile({
  optimizer: 'adam',
  loss: { digit: 'sparseCategoricalCrossentropy', even: 'binaryCrossentropy' },
  lossWeights: { digit: 1, even: 0.5 },
  metrics: { digit: ['accuracy'], even: ['accuracy'] },
});
net.summary();

const epochs = Number(process.env.EPOCHS ?? 3);
const history = await net.fit(xTrain, { digit: yTrain, even: even(yTrain) }, {
  epochs, batchSize: 100, validationData: [xTest, { digit: yTest, even: even(yTest) }],
});
const last = (k: string) => history.history[k][history.history[k].length - 1];
console.log(`test: digit accuracy ${(100 * last('val_digit_accuracy')).toFixed(2)}%, even/odd accuracy ${(100 * last('val_even_accuracy')).toFixed(2)}%`);
net.dispose();
