/**
 * A small residual CNN with batch normalization, next to a plain CNN of the same depth (the same
 * nine 3×3 convolutions, no skips, no batch normalization). For each: the gradient report at
 * initialization (per-layer gradient norms, first-to-last ratio, verdict), then one epoch of Adam
 * on the first --train MNIST images and the accuracy on the --test set.
 *   npx tsx examples/mnist-resnet.ts [--train 10000] [--test 10000]
 *
 * The residual model: a 3×3 conv stem (16), then four blocks conv–BN–relu–conv–BN with the
 * input added back (relu after the sum), the second and fourth halving the image and doubling
 * the channels — their skip path is a 1×1 conv with stride 2 — then global average pooling and
 * a softmax Dense: ResNet's recipe in a few lines.
 */
import { Sequential, layers, loadMnist, ready, setSeed, tensor, type Layer } from '../bindings/index.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
await ready();
const mnist = await loadMnist();
const nTrain = arg('train', 10000), nTest = arg('test', 10000);
const images = (values: ArrayLike<number>, n: number) => tensor(Float32Array.from(values as Float32Array).subarray(0, n * 784), [n, 28, 28, 1]);
const xTrain = images(mnist.xTrain.values, nTrain), yTrain = tensor(mnist.yTrain.values.subarray(0, nTrain), [nTrain]);
const xTest = images(mnist.xTest.values, nTest), yTest = tensor(mnist.yTest.values.subarray(0, nTest), [nTest]);
const probe = { x: images(mnist.xTrain.values, 128), y: tensor(mnist.yTrain.values.subarray(0, 128), [128]) };

/** A conv feeding batch normalization needs no bias (the normalization removes it). */
const conv = (filters: number, strides = 1) =>
  layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, kernelInitializer: 'heNormal' });

/**
 * Batch normalization with momentum 0.9 rather than Keras's 0.99: one short epoch is ~150 steps,
 * too few for 0.99's moving statistics (which test accuracy uses) to forget their initial values.
 */
const bn = () => layers.batchNormalization({ momentum: 0.9 });

/** conv–BN–relu–conv–BN, plus x (or its 1×1 stride-2 projection when the block downsamples), then relu. */
const block = (filters: number, strides = 1): Layer[] => [
  layers.residual({ layers: [conv(filters, strides), bn(), layers.activation({ activation: 'relu' }), conv(filters), bn()] }),
  layers.activation({ activation: 'relu' }),
];

const head = (): Layer[] => [layers.globalAveragePooling2d(), layers.dense({ units: 10, activation: 'softmax' })];

function resnet(): Sequential {
  return new Sequential([
    layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] }),
    ...block(16), ...block(32, 2), ...block(32), ...block(64, 2), ...head(),
  ], { name: 'resnet' });
}

/** The same nine 3×3 convolutions in a plain stack, Keras's default (Glorot) initialization. */
function plain(): Sequential {
  const c = (filters: number, strides = 1) => layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', activation: 'relu' });
  return new Sequential([
    layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] }),
    c(16), c(16), c(32, 2), c(32), c(32), c(32), c(64, 2), c(64), ...head(),
  ], { name: 'plain_cnn' });
}

for (const make of [plain, resnet]) {
  setSeed(7);
  const model = make();
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const convs = model.layers.flatMap((l) => [l, ...((l as { innerLayers?: Layer[] }).innerLayers ?? [])]).filter((l) => l.className === 'Conv2D').length;
  console.log(`\n=== ${model.name}: ${convs} convolutions, ${model.layers.reduce((s, l) => s + l.countParams(), 0).toLocaleString('en-US')} parameters — gradient report at initialization (128 training images)`);
  console.log(model.gradientReport(probe.x, probe.y).toString());
  const start = performance.now();
  const h = await model.fit(xTrain, yTrain, { epochs: 1, batchSize: 64, verbose: 0 });
  const seconds = (performance.now() - start) / 1000;
  const { accuracy } = await model.evaluate(xTest, yTest, { batchSize: 500 });
  console.log(`${model.name}: 1 epoch on ${nTrain} images in ${seconds.toFixed(1)} s (${Math.round(nTrain / seconds)} samples/s): ` +
    `train loss ${h.history.loss[0].toFixed(4)}, test accuracy ${(100 * accuracy).toFixed(2)}% on ${nTest} images`);
  model.dispose();
}
