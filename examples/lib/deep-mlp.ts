/**
 * Deep MLPs for the gradient-health experiments (examples/vanishing.ts, examples/exploding.ts
 * and their tests): the five classic variants, and an over-scaled ReLU stack.
 */
import { Sequential, layers, initializers, setSeed, tensor, type Layer, type Mnist, type Tensor } from '../../bindings/index.js';

export type Variant = 'sigmoid+glorot' | 'relu+he' | 'relu+he+bn' | 'sigmoid+bn' | 'residual' | 'relu+glorot' | 'tanh+glorot';
/** The five variants of the vanishing-gradient experiment. */
export const variants: Variant[] = ['sigmoid+glorot', 'relu+he', 'relu+he+bn', 'sigmoid+bn', 'residual'];

/**
 * `depth` Dense layers of `width` units (the last one the 10-way softmax). The residual variant
 * has a Dense stem, then blocks [Dense relu He, Dense linear with a near-zero kernel] (two
 * Dense layers each, the standard way to start a deep residual stack close to identity), then
 * the output — also `depth` Dense layers in all (rounded down to an even number of hidden ones).
 */
export function deepMlp(variant: Variant, depth: number, width = 128, seed = 1, residualInit: 'near-zero' | 'default' = 'near-zero'): Sequential {
  setSeed(seed);
  const ls: Layer[] = [];
  const input = { inputShape: [784] };
  const hidden = depth - 1;
  for (let i = 0; i < hidden; i++) {
    const first = i === 0 ? input : {};
    switch (variant) {
      case 'sigmoid+glorot': ls.push(layers.dense({ units: width, activation: 'sigmoid', ...first })); break;
      case 'relu+he': ls.push(layers.dense({ units: width, activation: 'relu', kernelInitializer: 'heNormal', ...first })); break;
      case 'relu+glorot': ls.push(layers.dense({ units: width, activation: 'relu', ...first })); break;
      case 'tanh+glorot': ls.push(layers.dense({ units: width, activation: 'tanh', ...first })); break;
      case 'relu+he+bn':
        ls.push(layers.dense({ units: width, kernelInitializer: 'heNormal', ...first }), layers.batchNormalization(), layers.activation({ activation: 'relu' }));
        break;
      case 'sigmoid+bn':
        ls.push(layers.dense({ units: width, ...first }), layers.batchNormalization(), layers.activation({ activation: 'sigmoid' }));
        break;
      case 'residual':
        if (i === 0) { ls.push(layers.dense({ units: width, activation: 'relu', kernelInitializer: 'heNormal', ...first })); break; }
        if (i % 2 === 0) break; // every block holds two Dense layers
        ls.push(layers.residual({ layers: [
          layers.dense({ units: width, activation: 'relu', kernelInitializer: 'heNormal' }),
          layers.dense({ units: width, kernelInitializer: residualInit === 'near-zero' ? initializers.randomNormal({ stddev: 1e-3 }) : 'heNormal' }),
        ] }));
        break;
    }
  }
  ls.push(layers.dense({ units: 10, activation: 'softmax' }));
  return new Sequential(ls);
}

/**
 * A ReLU stack initialized `scale`× He's standard deviation (variance scale 2·scale²): each
 * layer multiplies the activations' size by about `scale`.
 */
export function overScaledRelu(depth: number, scale: number, width = 128, seed = 1): Sequential {
  setSeed(seed);
  const init = initializers.varianceScaling({ scale: 2 * scale * scale, mode: 'fanIn', distribution: 'truncatedNormal' });
  const ls: Layer[] = [];
  for (let i = 0; i < depth - 1; i++) ls.push(layers.dense({ units: width, activation: 'relu', kernelInitializer: init, ...(i === 0 ? { inputShape: [784] } : {}) }));
  ls.push(layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init }));
  return new Sequential(ls);
}

/** The first n rows of x and y. */
export function head(data: Mnist, nTrain: number, nTest: number): { x: Tensor; y: Tensor; xTest: Tensor; yTest: Tensor } {
  return {
    x: tensor(data.xTrain.values.subarray(0, nTrain * 784), [nTrain, 784]),
    y: tensor(data.yTrain.values.subarray(0, nTrain), [nTrain]),
    xTest: tensor(data.xTest.values.subarray(0, nTest * 784), [nTest, 784]),
    yTest: tensor(data.yTest.values.subarray(0, nTest), [nTest]),
  };
}

/** Kernel-gradient norm per Dense kernel, in model order (inner layers of residual blocks included). */
export function kernelGradNorms(report: { layers: { weights: { name: string; gradNorm: number }[] }[] }): number[] {
  return report.layers.flatMap((l) => l.weights.filter((w) => w.name.endsWith('/kernel') && !w.name.includes('_projection')).map((w) => w.gradNorm));
}
