/**
 * The image layers: output shapes (TensorFlow's 'same' padding arithmetic), Conv2D and pooling
 * values against naive loops written here, the Keras weight layout and defaults, wasm against js
 * on a whole CNN, the two ways to feed MNIST-shaped data, config round trips, and bad input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Sequential, layers, ready, setSeed, tensor, layerFromJSON, layerToJSON, Conv2D } from '../../bindings/index.js';
import { JsBackend } from '../../bindings/backend/js.js';
import { wasmBackend } from '../helpers/backends.js';
import { randomArray, expectClose } from '../helpers/close.js';

beforeAll(async () => { await ready(); });

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Direct convolution in float64: x [n, H, W, C], kernel [KH, KW, C, F] flat, NHWC out. */
function naiveConv(x: ArrayLike<number>, [n, H, W, C]: number[], k: ArrayLike<number>, b: ArrayLike<number> | undefined,
  [KH, KW, F]: number[], [SH, SW]: number[], [DH, DW]: number[], same: boolean): { y: Float64Array; shape: number[] } {
  const out = (size: number, K: number, S: number, D: number) => (same ? Math.ceil(size / S) : Math.floor((size - (K - 1) * D - 1) / S) + 1);
  const OH = out(H, KH, SH, DH), OW = out(W, KW, SW, DW);
  const padTop = same ? Math.floor(Math.max((OH - 1) * SH + (KH - 1) * DH + 1 - H, 0) / 2) : 0;
  const padLeft = same ? Math.floor(Math.max((OW - 1) * SW + (KW - 1) * DW + 1 - W, 0) / 2) : 0;
  const y = new Float64Array(n * OH * OW * F);
  for (let s = 0; s < n; s++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let f = 0; f < F; f++) {
    let acc = b ? b[f] : 0;
    for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) for (let c = 0; c < C; c++) {
      const iy = oy * SH - padTop + ky * DH, ix = ox * SW - padLeft + kx * DW;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      acc += x[((s * H + iy) * W + ix) * C + c] * k[((ky * KW + kx) * C + c) * F + f];
    }
    y[((s * OH + oy) * OW + ox) * F + f] = acc;
  }
  return { y, shape: [n, OH, OW, F] };
}

describe('Conv2D', () => {
  it('has the Keras kernel layout [kh, kw, inC, filters], defaults and output shapes', () => {
    const model = new Sequential([layers.conv2d({ filters: 5, kernelSize: [3, 2], inputShape: [9, 8, 3] })]);
    const conv = model.layers[0] as Conv2D;
    expect(conv.name).toMatch(/^conv2d(_\d+)?$/);
    expect(conv.weights.map((w) => [w.name, w.shape])).toEqual([['kernel', [3, 2, 3, 5]], ['bias', [5]]]);
    expect(conv.getConfig()).toMatchObject({ strides: [1, 1], padding: 'valid', dilationRate: [1, 1], activation: 'linear', useBias: true,
      kernelInitializer: 'glorotUniform', biasInitializer: 'zeros', dataFormat: 'channelsLast' });
    // valid: ⌊(in − span)/stride⌋ + 1; same: ⌈in/stride⌉.
    const shape = (args: Parameters<typeof layers.conv2d>[0], input: number[]) => layers.conv2d(args).computeOutputShape(input);
    expect(shape({ filters: 4, kernelSize: 3 }, [28, 28, 1])).toEqual([26, 26, 4]);
    expect(shape({ filters: 4, kernelSize: 3, strides: 2 }, [28, 27, 1])).toEqual([13, 13, 4]);
    expect(shape({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }, [28, 27, 1])).toEqual([14, 14, 4]);
    expect(shape({ filters: 4, kernelSize: 3, dilationRate: 2 }, [9, 7, 1])).toEqual([5, 3, 4]);
    expect(shape({ filters: 4, kernelSize: 5, padding: 'same' }, [3, 3, 2])).toEqual([3, 3, 4]);
  });

  // The 'same' cases include uneven padding (TensorFlow puts the extra row/column after).
  it.each([
    [[2, 6, 5, 3], [3, 3, 4], [1, 1], [1, 1], false],
    [[2, 6, 5, 3], [3, 3, 4], [2, 2], [1, 1], true],
    [[1, 6, 6, 2], [2, 2, 3], [2, 2], [1, 1], true],
    [[1, 7, 6, 2], [3, 2, 3], [1, 2], [2, 1], true],
    [[1, 7, 7, 1], [3, 3, 2], [1, 1], [2, 2], false],
  ])('forward equals a naive convolution: x %j kernel %j strides %j dilation %j same=%s', async (xs, ks, strides, dilation, same) => {
    for (const be of [await wasmBackend(), new JsBackend()]) {
      setSeed(5);
      const model = new Sequential([layers.conv2d({ filters: ks[2], kernelSize: [ks[0], ks[1]], strides: strides as [number, number],
        dilationRate: dilation as [number, number], padding: same ? 'same' : 'valid', biasInitializer: 'glorotUniform' })]);
      model.build(xs.slice(1), be);
      const x = tensor(randomArray(size(xs), 3), xs);
      const [k, b] = model.getWeights();
      const ref = naiveConv(x.values, xs, k.values, b.values, ks, strides, dilation, same);
      const out = model.predict(x);
      expect(out.shape).toEqual(ref.shape);
      expectClose(out.dataSync(), ref.y, { atol: 1e-5, rtol: 1e-5 });
      model.dispose();
    }
  });

  it('a hand-worked 3×3 image with a 2×2 kernel of ones: window sums, relu fused', () => {
    const model = new Sequential([layers.conv2d({ filters: 1, kernelSize: 2, inputShape: [3, 3, 1], kernelInitializer: 'ones',
      biasInitializer: { className: 'Constant', config: { value: -13 } } as never, activation: 'relu' })]);
    const out = model.predict(tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]));
    // Window sums 12, 16, 24, 28, minus 13, relu.
    expect(Array.from(out.dataSync())).toEqual([0, 3, 11, 15]);
  });
});

describe('pooling and shape layers', () => {
  const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]);
  const run = (l: Parameters<Sequential['add']>[0], input = x) => {
    const model = new Sequential([l]);
    model.build(input.shape.slice(1));
    const y = model.predict(input);
    return { shape: y.shape, values: Array.from(y.dataSync()) };
  };

  it('max and average pooling (default poolSize 2, strides = poolSize), both paddings', () => {
    expect(run(layers.maxPooling2d())).toEqual({ shape: [1, 2, 2, 1], values: [6, 8, 14, 16] });
    expect(run(layers.averagePooling2d())).toEqual({ shape: [1, 2, 2, 1], values: [3.5, 5.5, 11.5, 13.5] });
    // 3×3 stride 2 'same' on 4×4: total padding 1, after: windows rows {0..2}, {2..3}.
    expect(run(layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }))).toEqual({ shape: [1, 2, 2, 1], values: [11, 12, 15, 16] });
    expect(run(layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' })).values).toEqual([6, 7.5, 12, 13.5]);
    expect(run(layers.maxPooling2d({ poolSize: 2, strides: 1 })).shape).toEqual([1, 3, 3, 1]);
    expect(layers.maxPooling2d({ poolSize: 3 }).getConfig()).toMatchObject({ poolSize: [3, 3], strides: [3, 3], padding: 'valid' });
  });

  it('global pooling, flatten, reshape (with -1), zero padding', () => {
    const x2 = tensor(Array.from({ length: 12 }, (_, i) => i), [1, 2, 3, 2]);
    expect(run(layers.globalAveragePooling2d(), x2)).toEqual({ shape: [1, 2], values: [5, 6] });
    expect(run(layers.globalMaxPooling2d(), x2)).toEqual({ shape: [1, 2], values: [10, 11] });
    expect(run(layers.globalMaxPooling2d({ keepdims: true }), x2).shape).toEqual([1, 1, 1, 2]);
    expect(run(layers.flatten(), x2)).toEqual({ shape: [1, 12], values: Array.from(x2.values) });
    expect(run(layers.reshape({ targetShape: [3, -1] }), x2).shape).toEqual([1, 3, 4]);
    const padded = run(layers.zeroPadding2d({ padding: [[1, 0], [0, 2]] }), tensor([1, 2, 3, 4], [1, 2, 2, 1]));
    expect(padded).toEqual({ shape: [1, 3, 4, 1], values: [0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0] });
    expect(layers.zeroPadding2d().getConfig().padding).toEqual([[1, 1], [1, 1]]);
  });

  it('every image layer survives toJSON/fromJSON with its configuration', () => {
    const all = [
      layers.conv2d({ filters: 3, kernelSize: [3, 1], strides: 2, padding: 'same', dilationRate: 1, activation: 'relu', useBias: false, kernelRegularizer: 'l2' }),
      layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }), layers.averagePooling2d({ poolSize: [2, 1] }),
      layers.globalAveragePooling2d({ keepdims: true }), layers.globalMaxPooling2d(), layers.flatten(),
      layers.reshape({ targetShape: [2, -1] }), layers.zeroPadding2d({ padding: [1, 2] }),
    ];
    for (const l of all) {
      const back = layerFromJSON(layerToJSON(l));
      expect(back.className).toBe(l.className);
      expect(back.getConfig()).toEqual(l.getConfig());
    }
  });
});

describe('a CNN end to end', () => {
  const cnn = (first: Parameters<Sequential['add']>[0][]) => new Sequential([
    ...first,
    layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
    layers.maxPooling2d(),
    layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.maxPooling2d(),
    layers.flatten(),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);

  it('takes [n, 28, 28, 1] images, or [n, 784] rows through a reshape, with the same result', () => {
    const pixels = randomArray(3 * 784, 9, 0, 1);
    setSeed(1);
    const a = cnn([]);
    a.build([28, 28, 1]);
    setSeed(1);
    const b = cnn([layers.reshape({ targetShape: [28, 28, 1], inputShape: [784] })]);
    const ya = a.predict(tensor(pixels, [3, 28, 28, 1])), yb = b.predict(tensor(pixels, [3, 784]));
    expect(ya.shape).toEqual([3, 10]);
    expectClose(ya.dataSync(), yb.dataSync(), { atol: 0, rtol: 0 });
  });

  it('wasm and js agree on the loss and every gradient of a training step', async () => {
    const x = tensor(randomArray(4 * 12 * 11 * 2, 4, 0, 1), [4, 12, 11, 2]);
    const y = tensor(new Int32Array([1, 7, 3, 0]), [4]);
    const grads = [];
    for (const be of [await wasmBackend(), new JsBackend()]) {
      setSeed(2);
      const model = cnn([]);
      model.build([12, 11, 2], be);
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      grads.push(model.computeGradients(x, y));
      model.dispose();
    }
    const [w, j] = grads as { loss: number; grads: { dataSync(): ArrayLike<number> }[] }[];
    expect(w.loss).toBeCloseTo(j.loss, 5);
    w.grads.forEach((g, i) => expectClose(g.dataSync(), j.grads[i].dataSync(), { atol: 1e-5, rtol: 1e-3 }));
  });
});

describe('bad input', () => {
  it('a 2-D input given to conv2d without a reshape names the layer, the expected rank and the hint', () => {
    expect(() => new Sequential([layers.conv2d({ name: 'c1', filters: 8, kernelSize: 3, inputShape: [784] })]))
      .toThrow(/c1: expected an input of shape \[height, width, channels\] per sample .* got \[784\].*layers\.reshape\(\{ targetShape: \[28, 28, 1\] \}\)/);
    const model = new Sequential([layers.conv2d({ name: 'c2', filters: 8, kernelSize: 3, inputShape: [28, 28, 1] })]);
    expect(() => model.predict(tensor(new Float32Array(784 * 2), [2, 784]))).toThrow(/c2: expected x of shape \[null, 28, 28, 1\], got \[2, 784\]/);
  });

  it('a kernel or pool larger than the (padded) input', () => {
    expect(() => new Sequential([layers.conv2d({ name: 'c3', filters: 2, kernelSize: 5, inputShape: [4, 6, 1] })]))
      .toThrow(/c3: the kernel 5×5 \(height 5\) is larger than the input height 4 with padding 'valid'/);
    expect(() => new Sequential([layers.conv2d({ name: 'c4', filters: 2, kernelSize: 3, dilationRate: 3, inputShape: [9, 6, 1] })]))
      .toThrow(/c4: the kernel 3×3 \(width 7 with dilation 3\) is larger than the input width 6/);
    expect(() => new Sequential([layers.maxPooling2d({ name: 'p1', poolSize: 3, inputShape: [2, 2, 1] })]))
      .toThrow(/p1: the pool 3×3 \(height 3\) is larger than the input height 2/);
    // 'same' pads to fit: no error.
    expect(new Sequential([layers.conv2d({ filters: 2, kernelSize: 5, padding: 'same', inputShape: [4, 6, 1] })]).outputShape).toEqual([4, 6, 2]);
  });

  it('zero, negative or fractional filters, kernel sizes, strides; unknown padding', () => {
    expect(() => layers.conv2d({ name: 'c5', filters: 0, kernelSize: 3 })).toThrow(/c5: filters must be a positive integer, got 0/);
    expect(() => layers.conv2d({ name: 'c6', filters: -2, kernelSize: 3 })).toThrow(/c6: filters must be a positive integer, got -2/);
    expect(() => layers.conv2d({ name: 'c7', filters: 2, kernelSize: 0 })).toThrow(/c7: kernelSize must be a positive integer or a pair of positive integers, got 0/);
    expect(() => layers.conv2d({ name: 'c8', filters: 2, kernelSize: 3, strides: [1, -1] })).toThrow(/c8: strides must be .* got \[1,-1\]/);
    expect(() => layers.conv2d({ name: 'c9', filters: 2, kernelSize: 3, dilationRate: 1.5 })).toThrow(/c9: dilationRate must be/);
    expect(() => layers.conv2d({ name: 'c10', filters: 2, kernelSize: 3, padding: 'causal' as never })).toThrow(/c10: padding must be 'valid' or 'same', got "causal"/);
    expect(() => layers.maxPooling2d({ name: 'p2', strides: 0 })).toThrow(/p2: strides must be a positive integer/);
    expect(() => layers.averagePooling2d({ name: 'p3', poolSize: [2, 2, 2] as never })).toThrow(/p3: poolSize must be/);
    expect(() => layers.conv2d({ name: 'c11', filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' as never })).toThrow(/c11: only dataFormat 'channelsLast'/);
    expect(() => layers.reshape({ name: 'r1', targetShape: [0, 4] })).toThrow(/r1: targetShape must be/);
    expect(() => new Sequential([layers.reshape({ name: 'r2', targetShape: [28, 28, 2], inputShape: [784] })]))
      .toThrow(/r2: cannot reshape an input of shape \[784\] \(784 values\) to \[28, 28, 2\]/);
    expect(() => layers.zeroPadding2d({ name: 'z1', padding: -1 })).toThrow(/z1: padding must be a non-negative integer/);
    expect(() => new Sequential([layers.globalMaxPooling2d({ name: 'g1', inputShape: [5, 3] })])).toThrow(/g1: expected an input of shape \[height, width, channels\]/);
  });
});
