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

describe('regularizer objects go through the factories’ checks', () => {
  it("{ className: 'L2', l2: -1 } and { className: 'Bogus' } are refused, naming the layer and argument", () => {
    expect(() => getRegularizer({ className: 'L2', l1: 0, l2: -1 })).toThrow('regularizer: regularizers.l2: l2 must be a non-negative number, got -1');
    expect(() => layers.dense({ units: 2, name: 'd', kernelRegularizer: { className: 'L2', l2: -1 } as never }))
      .toThrow('d: kernelRegularizer: regularizers.l2: l2 must be a non-negative number, got -1');
    expect(() => layers.dense({ units: 2, name: 'd', biasRegularizer: { className: 'Bogus' } as never }))
      .toThrow('d: biasRegularizer: unknown regularizer class "Bogus"; expected L1, L2 or L1L2 (from regularizers.l1(), l2(), l1l2()) or a name: l1, l2, l1l2');
    expect(() => layers.dense({ units: 2, name: 'd', kernelRegularizer: { className: 'L1', l1: NaN } as never })).toThrow('d: kernelRegularizer: regularizers.l1: l1 must be a non-negative number, got NaN');
    expect(() => layers.dense({ units: 2, name: 'd', kernelRegularizer: { className: 'L1L2', l1: 0.1, l2: '0.1' } as never }))
      .toThrow('d: kernelRegularizer: regularizers.l1l2: l2 must be a non-negative number, got "0.1"');
  });

  it('valid objects still work, and the factories refuse a bare number (Keras’s L2(0.01) form) instead of ignoring it', () => {
    expect(getRegularizer({ className: 'L2', l1: 0, l2: 0.5 })).toEqual({ className: 'L2', l1: 0, l2: 0.5 });
    expect(getRegularizer(regularizers.l1l2({ l1: 0.1, l2: 0.2 }))).toEqual({ className: 'L1L2', l1: 0.1, l2: 0.2 });
    expect(() => regularizers.l2(0.5 as never)).toThrow('regularizers.l2: expected an options object such as { l2: 0.01 }, got 0.5');
    expect(() => regularizers.l1({ l1: Infinity })).toThrow('regularizers.l1: l1 must be a non-negative number, got Infinity');
  });
});

describe('losses: a loss object and the factory share one check', () => {
  it("{ name: 'huber', delta: -1 } is refused exactly as losses.huber({ delta: -1 }), also through compile", async () => {
    await ready();
    const message = 'huber: delta must be a positive number, got -1';
    expect(() => losses.huber({ delta: -1 })).toThrow(message);
    expect(() => getLoss({ name: 'huber', delta: -1 } as never)).toThrow(message);
    const model = new Sequential([layers.dense({ units: 1, inputShape: [2] })]);
    expect(() => model.compile({ optimizer: 'sgd', loss: { name: 'huber', delta: -1 } as never })).toThrow(message);
  });

  it('non-finite or mistyped values and unknown keys are refused either way', () => {
    expect(() => getLoss({ name: 'huber', delta: NaN } as never)).toThrow('huber: delta must be a positive number, got NaN');
    expect(() => losses.huber({ delta: '2' as never })).toThrow('huber: delta must be a positive number, got "2"');
    expect(() => getLoss({ name: 'mse', fromLogits: 'yes' } as never)).toThrow('meanSquaredError: fromLogits must be true or false, got "yes"');
    expect(() => getLoss({ name: 'huber', reduction: 'sum' } as never)).toThrow("huber: unknown argument 'reduction'; a loss takes fromLogits and delta");
    expect(() => losses.binaryCrossentropy({ fromLogit: true } as never)).toThrow("binaryCrossentropy: unknown argument 'fromLogit'; a loss takes fromLogits");
    // What compile keeps (and sends to a worker) still reads back.
    expect(getLoss({ ...losses.huber({ delta: 0.5 }) })).toEqual({ name: 'huber', fromLogits: false, delta: 0.5 });
    expect(getLoss({ name: 'binary_crossentropy', fromLogits: true } as never)).toEqual({ name: 'binaryCrossentropy', fromLogits: true, delta: 1 });
  });
});

describe('optimizers refuse arguments of the wrong type, unknown arguments and an epsilon that makes 0/0', () => {
  it.each([
    ["sgd momentum '0.9'", () => optimizers.sgd({ momentum: '0.9' as never }), 'SGD: momentum must be a number, got "0.9" (a string)'],
    ["sgd nesterov 'true'", () => optimizers.sgd({ nesterov: 'true' as never }), 'SGD: nesterov must be a boolean, got "true" (a string)'],
    ['adam amsgrad 1', () => optimizers.adam({ amsgrad: 1 as never }), 'Adam: amsgrad must be a boolean, got 1 (a number)'],
    ['rmsprop centered "no"', () => optimizers.rmsprop({ centered: 'no' as never }), 'RMSprop: centered must be a boolean, got "no" (a string)'],
    ['adam learningRate NaN', () => optimizers.adam({ learningRate: NaN }), 'Adam: learningRate must be a finite number, got NaN'],
    ['adagrad clipnorm Infinity', () => optimizers.adagrad({ clipnorm: Infinity }), 'Adagrad: clipnorm must be a finite number, got Infinity'],
    ['adamw weightDecay "0.1"', () => optimizers.adamw({ weightDecay: '0.1' as never }), 'AdamW: weightDecay must be a number, got "0.1" (a string)'],
    ['sgd lr (Keras 2 alias)', () => optimizers.sgd({ lr: 0.1 } as never), "SGD: unknown argument 'lr'; SGD takes learningRate, clipnorm, clipvalue, globalClipnorm, weightDecay, momentum, nesterov"],
    ['adam beta_1', () => optimizers.adam({ beta_1: 0.8 } as never), "Adam: unknown argument 'beta_1'; Adam takes learningRate, clipnorm, clipvalue, globalClipnorm, weightDecay, beta1, beta2, epsilon, amsgrad"],
    ['sgd(null)', () => optimizers.sgd(null as never), 'SGD: expected an options object such as { learningRate: 0.01 }, got null'],
    ['adamw("0.01")', () => optimizers.adamw('0.01' as never), 'adamw: expected an options object such as { learningRate: 0.01 } or a learning rate, got "0.01"'],
    ['adam epsilon 0', () => optimizers.adam({ epsilon: 0 }), 'Adam: epsilon must be a positive number (with 0, a weight whose gradient is 0 would be updated by 0/0 = NaN), got 0'],
    ['adamw epsilon 0', () => optimizers.adamw({ epsilon: 0 }), 'AdamW: epsilon must be a positive number'],
    ['rmsprop epsilon 0', () => optimizers.rmsprop({ epsilon: 0 }), 'RMSprop: epsilon must be a positive number'],
    ['adagrad epsilon 0 and no initial accumulator', () => optimizers.adagrad({ epsilon: 0, initialAccumulatorValue: 0 }),
      'Adagrad: epsilon and initialAccumulatorValue cannot both be 0: a weight whose gradient is 0 would be updated by 0/0 = NaN'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('what can work is still accepted (Adagrad with epsilon 0 but an initial accumulator; nulls as defaults)', () => {
    expect(optimizers.adagrad({ epsilon: 0 }).epsilon).toBe(0);
    expect(optimizers.sgd({ momentum: null, clipnorm: null } as never).getConfig()).toEqual({ learningRate: 0.01, momentum: 0, nesterov: false });
    expect(optimizers.adamw({ learningRate: 0.002 }).getConfig()).toMatchObject({ learningRate: 0.002, weightDecay: 0.004 });
  });
});

describe('optimizer.learningRate set as a property is validated', () => {
  it.each([NaN, Infinity, -0.5, '0.1'])('%s is refused and the rate is unchanged', (bad) => {
    const opt = optimizers.adam({ learningRate: 0.01 });
    expect(() => { opt.learningRate = bad as number; }).toThrow(`Adam: learningRate must be a non-negative number, got ${typeof bad === 'string' ? `"${bad}"` : bad}`);
    expect(opt.learningRate).toBe(0.01);
  });

  it('valid values are taken (callbacks change it), and the update uses them', async () => {
    await ready();
    const opt = optimizers.sgd({ learningRate: 0.1 });
    opt.learningRate = 0.25;
    expect(opt.learningRate).toBe(0.25);
    expect(opt.getConfig().learningRate).toBe(0.25);
    opt.learningRate = 0;
    expect(opt.learningRate).toBe(0);
    // One SGD step on y = w·x with w = 0, x = 1, y = 1, mse: dL/dw = −2, so w = 0.25·2 = 0.5.
    const model = new Sequential([layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: 'zeros' })]);
    const sgd = optimizers.sgd({ learningRate: 0.1 });
    model.compile({ optimizer: sgd, loss: 'meanSquaredError' });
    sgd.learningRate = 0.25;
    await model.fit(tensor([1], [1, 1]), tensor([1], [1, 1]), { epochs: 1, batchSize: 1, verbose: 0 });
    expect(model.getWeights()[0].dataSync()[0]).toBeCloseTo(0.5, 6);
  });
});

describe('tensor shapes are non-negative integers', () => {
  it('tensor(data, [2.5, 2]) and other non-integer or negative shapes are refused, naming the size', () => {
    // Before: accepted, because 2.5 · 2 = 5 values.
    expect(() => tensor(new Float32Array(5), [2.5, 2])).toThrow('tensor: shape [2.5, 2] must be non-negative integers; size 0 is 2.5');
    // Before: accepted, because (−2)·(−2) = 4.
    expect(() => tensor([1, 2, 3, 4], [-2, -2])).toThrow('tensor: shape [-2, -2] must be non-negative integers; size 0 is -2');
    expect(() => tensor([1, 2], [2, NaN])).toThrow('tensor: shape [2, NaN] must be non-negative integers; size 1 is NaN');
    expect(() => tensor([1, 2], ['2'] as never)).toThrow('tensor: shape ["2"] must be non-negative integers; size 0 is "2"');
    expect(() => new Tensor(new Float32Array(6), [1.5, 4])).toThrow('tensor: shape [1.5, 4] must be non-negative integers; size 0 is 1.5');
    expect(() => tensor([1, 2, 3, 4, 5, 6], [2, 3]).reshape([3, 2.0000001 as number])).toThrow('size 1 is 2.0000001');
    expect(() => tensor([1, 2], 2 as never)).toThrow('tensor: shape must be a list of sizes such as [2, 3], got 2');
    expect(() => tensor([1], [1], 'float64' as never)).toThrow("tensor: dtype must be 'float32' or 'int32', got \"float64\"");
  });

  it('valid shapes, zero-sized axes included, still work', () => {
    expect(tensor([1, 2, 3, 4, 5, 6], [3, 2]).shape).toEqual([3, 2]);
    expect(tensor(new Float32Array(0), [0, 4]).shape).toEqual([0, 4]);
    expect(tensor([[1, 2], [3, 4]]).shape).toEqual([2, 2]);
  });
});
