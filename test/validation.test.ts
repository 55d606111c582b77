/**
 * Nonsense arguments are refused where they are given, naming the function, the argument, what
 * was expected and what was given: initializers (NaN, Infinity, strings), regularizer objects,
 * loss objects (one check shared with the factories), optimizer arguments of the wrong type or
 * unknown, an epsilon that makes 0/0, learningRate set as a property, and tensor shapes.
 */
import { describe, expect, it } from 'vitest';
import { Sequential, Tensor, initializers, layers, losses, optimizers, ready, regularizers, tensor } from '../bindings/index.js';
import { getLoss } from '../bindings/losses.js';
import { getRegularizer } from '../bindings/regularizers.js';

describe('initializers refuse NaN, Infinity and non-numbers in every argument', () => {
  it.each([
    ['constant value NaN', () => initializers.constant({ value: NaN }), 'constant: value must be a finite number, got NaN'],
    ['constant value Infinity', () => initializers.constant({ value: Infinity }), 'constant: value must be a finite number, got Infinity'],
    ['constant value "1"', () => initializers.constant({ value: '1' as never }), 'constant: value must be a finite number, got "1"'],
    ['randomUniform maxval Infinity', () => initializers.randomUniform({ maxval: Infinity }), 'randomUniform: maxval must be a finite number, got Infinity'],
    ['randomUniform minval -Infinity', () => initializers.randomUniform({ minval: -Infinity }), 'randomUniform: minval must be a finite number, got -Infinity'],
    ['randomNormal mean NaN', () => initializers.randomNormal({ mean: NaN }), 'randomNormal: mean must be a finite number, got NaN'],
    ['randomNormal stddev Infinity', () => initializers.randomNormal({ stddev: Infinity }), 'randomNormal: stddev must be a positive finite number, got Infinity'],
    ['truncatedNormal mean Infinity', () => initializers.truncatedNormal({ mean: Infinity }), 'truncatedNormal: mean must be a finite number, got Infinity'],
    ['varianceScaling scale NaN', () => initializers.varianceScaling({ scale: NaN }), 'varianceScaling: scale must be a positive finite number, got NaN'],
    ['varianceScaling scale "2"', () => initializers.varianceScaling({ scale: '2' as never }), 'varianceScaling: scale must be a positive finite number, got "2"'],
    ['orthogonal gain NaN', () => initializers.orthogonal({ gain: NaN }), 'orthogonal: gain must be a finite number, got NaN'],
    ['identity gain Infinity', () => initializers.identity({ gain: Infinity }), 'identity: gain must be a finite number, got Infinity'],
    ['constant(null)', () => initializers.constant(null as never), 'constant: expected an options object, got null'],
    ['orthogonal(2)', () => initializers.orthogonal(2 as never), 'orthogonal: expected an options object, got 2'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('the same checks hold for serialized initializers and inside a layer', () => {
    expect(() => initializers.getInitializer({ className: 'Constant', config: { value: NaN } } as never)).toThrow('constant: value must be a finite number, got NaN');
    expect(() => layers.dense({ units: 2, name: 'd', kernelInitializer: { className: 'Orthogonal', config: { gain: Infinity } } as never }))
      .toThrow('orthogonal: gain must be a finite number, got Infinity');
  });
});
