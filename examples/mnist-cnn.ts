/**
 * The Keras MNIST convnet: Conv2D(32, 3×3, relu) → MaxPool(2) → Conv2D(64, 3×3, relu) → MaxPool(2)
 * → Flatten → Dense(128, relu) → Dropout(0.5) → Dense(10, softmax), Adam 0.001, batch 128, on all
 * 60,000 training images; then the accuracy on the 10,000 test images and the training speed.
 *   Run: npx tsx examples/mnist-cnn.ts          (EPOCHS=… to change the default of 8)
 * The flat [n, 784] MNIST pixels are viewed as [n, 28, 28, 1] images (no copy); a model whose
 * first layer is layers.reshape({ targetShape: [28, 28, 1], inputShape: [784] }) takes them as they are.
 * bench/cnn.ts times the same model (mnistCnn).
 */
import { Sequential, layers, ready, setSeed, loadMnist, getBackend, tensor } from '../bindings/index.js';

export function mnistCnn(): Sequential {
  return new Sequential([
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 128, activation: 'relu' }),
    layers.dropout({ rate: 0.5 }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await ready();
  setSeed(42);
  const mnist = await loadMnist();
  const images = (x: typeof mnist.xTrain) => tensor(x.values as Float32Array, [x.shape[0], 28, 28, 1]);
  const xTrain = images(mnist.xTrain), xTest = images(mnist.xTest);

  const model = mnistCnn();
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const epochs = Number(process.env.EPOCHS ?? 8);
  const start = performance.now();
  await model.fit(xTrain, mnist.yTrain, { epochs, batchSize: 128 });
  const seconds = (performance.now() - start) / 1000;

  const { loss, accuracy } = await model.evaluate(xTest, mnist.yTest, { batchSize: 1000 });
  console.log(`\nbackend: ${getBackend()}`);
  console.log(`test loss ${loss.toFixed(4)}, test accuracy ${(accuracy * 100).toFixed(2)}%`);
  console.log(`trained ${epochs} epochs in ${seconds.toFixed(1)} s: ${Math.round((epochs * xTrain.shape[0]) / seconds)} samples/s`);
}
