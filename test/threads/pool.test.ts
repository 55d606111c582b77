/**
 * The threads build and its pool (the build KEELNET_SIMD picks, as for WasmBackend.create: the
 * SIMD128 one here, the relaxed one under test/perf/relaxed.vitest.config.ts, where this file runs
 * again and the one-thread build it is compared with is the relaxed one too).
 * 2 threads against 1 (the same build, one thread) must agree bitwise — gemm chunks are whole
 * tiles summed in one thread's order, element-wise and per-image kernels treat each element or
 * image alone — on the MLP's three products, every transposition, awkward and small sizes (which
 * stay on the calling thread), every kernel split into blocks, and a few Adam steps of an MLP and
 * of a CNN; reductions agree within their stated tolerance. Also: gemm column chunks that pack op(A)
 * whole once, how a gemm is cut (evenChunks, leadChunks),
 * `beside`, traps, and 4 threads on 2 cores. Workers are unref'd and terminated; a terminated pool
 * keeps computing on the calling thread.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../bindings/backend/backend.js';
import { relaxedSimdSupported } from '../../bindings/backend/features.js';
import { Act } from '../../bindings/backend/backend.js';
import { besideOf, createThreadedBackend, type ThreadedWasmBackend } from '../../bindings/backend/threads/index.js';
import { evenChunks, leadChunks } from '../../bindings/backend/threads/pool.js';
import { claim, homeTickets, ticket } from '../../bindings/backend/threads/claim.js';
import { SLICED, type SlicedName } from '../../bindings/backend/threads/sliced.js';
import { Sequential, Tensor, input, layers, model as buildModel, optimizers, setBackend, setSeed } from '../../bindings/index.js';
import { freeAll, upload, wasmBackend } from '../helpers/backends.js';
import { expectClose, randomArray } from '../helpers/close.js';

let pools: Promise<[ThreadedWasmBackend, ThreadedWasmBackend]> | undefined;
const backends = () => (pools ??= Promise.all([createThreadedBackend(1), createThreadedBackend(2)]));

afterAll(async () => {
  if (pools) for (const be of await pools) await be.terminate();
  setBackend('wasm');
});

function gemmOn(be: Backend, M: number, N: number, K: number, tA: number, tB: number, alpha: number, beta: number, seed: number): Float32Array {
  const ptrs = upload(be, randomArray(M * N, seed), randomArray(M * K, seed + 1), randomArray(K * N, seed + 2));
  be.gemm(ptrs[0], ptrs[1], ptrs[2], M, N, K, tA, tB, alpha, beta);
  const C = be.read(ptrs[0], M * N);
  freeAll(be, ptrs);
  return C;
}

const firstDifference = (a: Float32Array, b: Float32Array) => a.findIndex((x, i) => !Object.is(x, b[i]));

interface Trained { losses: number[]; weights: number[][] }
/**
 * The same training on the one-thread build, the threads build on 1 thread and on 2: it learned;
 * the threads build gives bitwise the same on 1 and 2 threads; the one-thread build (products in
 * one pass, not in depth halves) agrees to `weightTol`.
 */
function expectSameTraining(plain: Trained, one: Trained, two: Trained, weightTol: number): void {
  const l = plain.losses;
  expect(l.every(Number.isFinite) && l[l.length - 1] < l[0], `losses ${l}`).toBe(true);
  expect(two.losses).toEqual(one.losses);
  expect(two.weights).toEqual(one.weights);
  expectClose(one.losses, plain.losses, { atol: 0, rtol: 1e-5 });
  expectClose(one.weights.flat(), plain.weights.flat(), { atol: weightTol, rtol: 0 });
}

describe('threads build: 2 threads equal 1 thread bitwise', () => {
  it('starts the workers it was asked for', async () => {
    const [one, two] = await backends();
    expect([one.threads, two.threads]).toEqual([1, 2]);
  });

  it('the MLP products, every transposition, awkward sizes, and small ones that stay on one thread', async () => {
    const [one, two] = await backends(), simd = await wasmBackend();
    const shapes = [
      [100, 500, 784], [784, 500, 100], [100, 784, 500], [61, 129, 300], [130, 70, 260], [17, 300, 400],
      [105, 60, 300], [133, 7, 400], [16, 9, 5], [7, 500, 784], [3, 5, 17],
      // In depth halves (untransposed): op(A) too tall to pack whole, few column tiles, few rows.
      [131, 500, 2000], [64, 10, 1024], [8, 300, 600],
    ];
    const halves = (simd as unknown as { gemmHalfDepth(M: number, N: number, K: number, tA: number, tB: number): number }).gemmHalfDepth;
    let cut = 0;
    for (const [M, N, K] of shapes) for (const [tA, tB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      const args = [M, N, K, tA, tB, 1.3, M % 2 ? 0.5 : 0, M + N + K] as const;
      const a = gemmOn(one, ...args), b = gemmOn(two, ...args), plain = gemmOn(simd, ...args);
      expect(firstDifference(a, b), `${M}×${N}×${K} ${tA}${tB}: first index that differs`).toBe(-1);
      // The one-thread build sums a product in one pass; the threads build in depth halves where
      // gemmHalfDepth cuts it (on any number of threads): bitwise equal where it does not cut.
      if (halves(M, N, K, tA, tB)) {
        cut++;
        expectClose(plain, a, { atol: 4 * K * 2 ** -24 * K, rtol: 0 });
        expect(firstDifference(a, plain), `${M}×${N}×${K}: the cut is real`).toBeGreaterThanOrEqual(0);
      } else {
        expect(firstDifference(a, plain), `${M}×${N}×${K} ${tA}${tB}: threads build vs SIMD128 build`).toBe(-1);
      }
    }
    expect(cut).toBe(4);
  });

  it('gemmBias: split by columns (each block takes its slice of the bias) and by rows', async () => {
    const [one, two] = await backends();
    for (const [M, N, K] of [[100, 500, 784], [784, 500, 100], [61, 129, 300]]) {
      const out = [one, two].map((be) => {
        const [C, A, B, bias] = upload(be, new Float32Array(M * N), randomArray(M * K, 1), randomArray(K * N, 2), randomArray(N, 3));
        be.gemmBias(C, A, B, M, N, K, 0, 0, bias, 1);
        const r = be.read(C, M * N);
        freeAll(be, [C, A, B, bias]);
        return r;
      });
      expect(firstDifference(out[0], out[1]), `${M}×${N}×${K}: first index that differs`).toBe(-1);
      expect(out[1].some((v) => v > 0) && out[1].some((v) => v === 0), 'ReLU applied').toBe(true);
    }
  });

  it('every element-wise kernel in slices (sliced.ts): each buffer it writes, bitwise', async () => {
    const [one, two] = await backends();
    const n = 100_003; // not a multiple of 4: the last slice has the scalar tail
    // The arguments other than the buffers and n, in order, per call (activations: gelu, elu, relu).
    const calls: [SlicedName, number[], number?][] = [
      ['fill', [0.5]], ['copy', []], ['addInto', []], ['scale', [1.5]], ['axpy', [0.3]], ['clipByValue', [0.4]],
      ['activationForward', [Act.gelu, 0]], ['activationForward', [Act.elu, 1.2]], ['activationForward', [Act.relu, 0]],
      ['activationBackward', [Act.gelu, 0]], ['activationBackward', [Act.elu, 1.2]],
      ['sgdUpdate', [0.1, 0.9, 1]], ['adamUpdate', [0.01, 0.9, 0.999, 1e-7, 1]], ['adamUpdate', [0.01, 0.9, 0.999, 1e-7, 0], 3],
      ['rmspropUpdate', [0.01, 0.9, 0.5, 1e-7, 1]], ['adagradUpdate', [0.01, 1e-7]],
    ];
    for (const [c, [name, scalars, noBuffer]] of calls.entries()) {
      const spec = SLICED[name];
      const out = [one, two].map((be) => {
        const bufs = spec.buffers.map((_, b) => upload(be, randomArray(n, 10 * c + b, 0.1, 1))[0]);
        const args: number[] = [];
        const rest = [...scalars];
        for (let at = 0; at < spec.buffers.length + 1 + scalars.length; at++) {
          const b = spec.buffers.indexOf(at as never);
          args.push(b >= 0 ? (b === noBuffer ? 0 : bufs[b]) : at === spec.n ? n : rest.shift()!);
        }
        // Count the pool's hand-offs (ThreadPool.start notifies once per worker block).
        const notify = Atomics.notify;
        let handed = 0;
        Atomics.notify = ((...a: Parameters<typeof notify>) => { handed++; return notify(...a); }) as typeof notify;
        try {
          (be as unknown as Record<string, (...a: number[]) => void>)[name](...args);
        } finally {
          Atomics.notify = notify;
        }
        expect(handed, `${name}: blocks handed to a worker on ${be.threads} thread(s)`).toBe(be.threads - 1);
        const written = bufs.map((p) => be.read(p, n));
        freeAll(be, bufs);
        return written;
      });
      out[0].forEach((buf, b) => expect(firstDifference(buf, out[1][b]), `${name} ${scalars}: buffer ${b}, first index that differs`).toBe(-1));
    }
  });

  it('im2col and col2im in blocks of whole images: bitwise, with padding, strides, dilation and a batch the blocks do not divide', async () => {
    const [one, two] = await backends();
    // [batch, H, W, C, KH, KW, SH, SW, DH, DW, padTop, padLeft]
    const shapes = [[37, 28, 28, 1, 3, 3, 1, 1, 1, 1, 0, 0], [19, 13, 11, 8, 3, 2, 2, 1, 1, 2, 1, 1], [5, 40, 40, 16, 5, 5, 2, 2, 1, 1, 2, 2]];
    for (const [batch, H, W, C, KH, KW, SH, SW, DH, DW, padTop, padLeft] of shapes) {
      const OH = Math.floor((H + 2 * padTop - DH * (KH - 1) - 1) / SH) + 1, OW = Math.floor((W + 2 * padLeft - DW * (KW - 1) - 1) / SW) + 1;
      const g = [batch, H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, padTop, padLeft] as const;
      const nX = batch * H * W * C, nCol = batch * OH * OW * KH * KW * C;
      expect(nCol, 'large enough to split').toBeGreaterThanOrEqual(1 << 16);
      const out = [one, two].map((be) => {
        const [X, col, dX] = upload(be, randomArray(nX, batch), new Float32Array(nCol), randomArray(nX, batch + 1));
        const notify = Atomics.notify;
        let handed = 0;
        Atomics.notify = ((...a: Parameters<typeof notify>) => { handed++; return notify(...a); }) as typeof notify;
        try {
          be.im2col(col, X, ...g);
          be.col2im(dX, col, ...g); // dX += the scattered col: every tap of every image
        } finally {
          Atomics.notify = notify;
        }
        expect(handed, `blocks handed to a worker on ${be.threads} thread(s)`).toBeGreaterThanOrEqual(2 * (be.threads - 1));
        const r = [be.read(col, nCol), be.read(dX, nX)];
        freeAll(be, [X, col, dX]);
        return r;
      });
      expect(firstDifference(out[0][0], out[1][0]), `im2col ${g}`).toBe(-1);
      expect(firstDifference(out[0][1], out[1][1]), `col2im ${g}`).toBe(-1);
    }
  });

  it('max and average pooling in blocks of whole images, forward and backward: bitwise, overlapping windows and padding', async () => {
    const [one, two] = await backends();
    // [batch, H, W, C, PH, PW, SH, SW, padTop, padLeft]: 3×3 windows at stride 2 overlap, so a
    // backward pass split anywhere but between images would race on the shared inputs.
    for (const [batch, H, W, C, PH, PW, SH, SW, pt, pl] of [[37, 26, 26, 8, 2, 2, 2, 2, 0, 0], [23, 15, 17, 12, 3, 3, 2, 2, 1, 1]]) {
      const OH = Math.floor((H + 2 * pt - PH) / SH) + 1, OW = Math.floor((W + 2 * pl - PW) / SW) + 1;
      const nX = batch * H * W * C, nY = batch * OH * OW * C, win = [OH, OW, PH, PW, SH, SW, pt, pl] as const;
      const out = [one, two].map((be) => {
        const [X, Y, Arg, dY, dX, Ya, dXa] = upload(be, randomArray(nX, C), new Float32Array(nY), new Float32Array(nY),
          randomArray(nY, C + 1), randomArray(nX, C + 2), new Float32Array(nY), randomArray(nX, C + 3));
        const notify = Atomics.notify;
        let handed = 0;
        Atomics.notify = ((...a: Parameters<typeof notify>) => { handed++; return notify(...a); }) as typeof notify;
        try {
          be.maxPoolForward(Y, Arg, X, batch, H, W, C, ...win);
          be.maxPoolBackward(dX, dY, Arg, batch, H * W * C, OH * OW * C);
          be.avgPoolForward(Ya, X, batch, H, W, C, ...win);
          be.avgPoolBackward(dXa, dY, batch, H, W, C, ...win);
        } finally {
          Atomics.notify = notify;
        }
        expect(handed, `blocks handed to a worker on ${be.threads} thread(s)`).toBe(4 * (be.threads - 1));
        const r = [Y, Arg, dX, Ya, dXa].map((p, k) => be.read(p, k === 2 || k === 4 ? nX : nY));
        freeAll(be, [X, Y, Arg, dY, dX, Ya, dXa]);
        return r;
      });
      ['Y', 'Arg', 'dX', 'avg Y', 'avg dX'].forEach((name, k) =>
        expect(firstDifference(out[0][k], out[1][k]), `${name}: ${batch}×${H}×${W}×${C} window ${win}`).toBe(-1));
    }
  });

  it('reductions in slices: counts and maxima exact, f64 sums within 1e-13, the same on every call', async () => {
    const [one, two] = await backends();
    const n = 200_003;
    const x = randomArray(n, 77, -2, 2), y = randomArray(n, 78, -2, 2);
    const calls: [string, (be: Backend, px: number, py: number) => number, number][] = [
      ['sumSquares', (be, px) => be.sumSquares(px, n), 1e-13],
      ['sumAbs', (be, px) => be.sumAbs(px, n), 1e-13],
      ['sum', (be, px) => be.sum(px, n), 1e-10], // a sum near 0: relative to Σ|x|, below
      ['sumSquaredDiff', (be, px, py) => be.sumSquaredDiff(px, py, n), 1e-13],
      ['countOutside', (be, px) => be.countOutside(px, n, -1.5, 1.5), 0],
      ['countNonFinite', (be, px) => be.countNonFinite(px, n), 0],
      ['maxAbs', (be, px) => be.maxAbs(px, n), 0],
    ];
    for (const withNaN of [false, true]) {
      const xs = x.slice();
      if (withNaN) { xs[n - 5] = NaN; xs[n - 9] = Infinity; } // in the worker's slice
      const [r1, r2, again] = [one, two, two].map((be) => {
        const [px, py] = upload(be, xs, y);
        const out = calls.map(([, f]) => f(be, px, py));
        freeAll(be, [px, py]);
        return out;
      });
      calls.forEach(([name, , tol], c) => {
        expect(Object.is(r2[c], again[c]), `${name}: two calls on 2 threads agree bitwise`).toBe(true);
        if (tol === 0 || Number.isNaN(r1[c])) expect(r2[c], `${name} withNaN=${withNaN}`).toBe(r1[c]);
        else expect(Math.abs(r2[c] - r1[c]), `${name}`).toBeLessThanOrEqual(tol * Math.max(Math.abs(r1[c]), n));
      });
      if (withNaN) expect([r2[0], r2[6], r2[5]]).toEqual([NaN, NaN, 2]);
    }
  });

  it('adamUpdate in slices (with and without amsgrad, n not a multiple of 4)', async () => {
    // Against the one-thread SIMD128 build too: the threads build must not change the kernel.
    const [one, two] = await backends(), simd = await wasmBackend();
    const n = 100_003;
    for (const amsgrad of [0, 1]) {
      const out = [simd, one, two].map((be) => {
        const [W, M, V, Vh, G] = upload(be, randomArray(n, 1), randomArray(n, 2), randomArray(n, 3, 0, 1), randomArray(n, 4, 0, 1), randomArray(n, 5));
        for (let t = 1; t <= 3; t++) be.adamUpdate(W, M, V, amsgrad ? Vh : 0, G, n, 0.01 / t, 0.9, 0.999, 1e-7, amsgrad);
        const r = [W, M, V, Vh].map((p) => be.read(p, n));
        freeAll(be, [W, M, V, Vh, G]);
        return r;
      });
      for (const b of [1, 2]) for (let k = 0; k < 4; k++) expect(firstDifference(out[0][k], out[b][k]), `amsgrad ${amsgrad}, backend ${b}, buffer ${k}`).toBe(-1);
    }
  });

  it('a few Adam steps of an MLP: the same losses and weights', async () => {
    const train = async (be: Backend) => {
      setBackend(be);
      setSeed(7);
      const model = new Sequential([
        layers.dense({ units: 96, activation: 'relu', inputShape: [700] }), // 67,306 parameters: Adam is split too
        layers.dense({ units: 10, activation: 'softmax' }),
      ]);
      model.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
      const x = new Tensor(randomArray(64 * 4 * 700, 3), [64 * 4, 700]);
      const y = new Tensor(Int32Array.from({ length: 64 * 4 }, (_, i) => (i * 7) % 10), [64 * 4]);
      const losses: number[] = [];
      for (let epoch = 0; epoch < 2; epoch++) {
        // Shuffled, four steps an epoch: on a pool, fit loads each next batch beside the optimizer step.
        losses.push(...(await model.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 })).history.loss);
      }
      const weights = model.getWeights().map((w) => Array.from(w.values as Float32Array));
      model.dispose();
      return { losses, weights };
    };
    // The one-thread build has no pool (no `beside`): each batch loads before its step; it sums the
    // forward product in one pass, the threads build in depth halves on 1 and 2 threads alike.
    const [one, two] = await backends(), plain = await wasmBackend();
    expect(besideOf(plain)).toBeUndefined();
    expectSameTraining(await train(plain), await train(one), await train(two), 1e-5);
  });

  it('a functional model (two inputs, a shared layer, a skip, concatenate, two outputs): the same losses and weights', async () => {
    const train = async (be: Backend) => {
      setBackend(be);
      setSeed(8);
      const a = input({ shape: [600] }), b = input({ shape: [600] });
      const shared = layers.dense({ units: 64, activation: 'relu' });
      const sa = shared.apply(a), sb = shared.apply(b);
      const h = layers.concatenate({}).apply([layers.add({}).apply([sa, sb]), layers.dense({ units: 64, activation: 'tanh' }).apply(sb)]);
      const cls = layers.dense({ units: 10, activation: 'softmax', name: 'cls' }).apply(h);
      const reg = layers.dense({ units: 2, name: 'reg' }).apply(layers.add({}).apply([sa, layers.dense({ units: 64 }).apply(h)]));
      const model = buildModel({ inputs: [a, b], outputs: [cls, reg] });
      model.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], lossWeights: [1, 0.3] });
      const n = 64 * 3;
      const xs = [new Tensor(randomArray(n * 600, 4), [n, 600]), new Tensor(randomArray(n * 600, 5), [n, 600])];
      const ys = [new Tensor(Int32Array.from({ length: n }, (_, i) => (i * 3) % 10), [n]), new Tensor(randomArray(n * 2, 6), [n, 2])];
      const losses = (await model.fit(xs, ys, { epochs: 2, batchSize: 64, verbose: 0 })).history.loss;
      const weights = model.getWeights().map((w) => Array.from(w.values as Float32Array));
      model.dispose();
      return { losses, weights };
    };
    const [one, two] = await backends(), plain = await wasmBackend();
    // Adam's normalized steps (lr 0.01, 6 of them) carry last-bit differences up to ~1e-4.
    expectSameTraining(await train(plain), await train(one), await train(two), 1e-4);
  });

  it('a few Adam steps of a CNN (Conv2D, max and average pooling, Dense): the same losses and weights', async () => {
    const train = async (be: Backend) => {
      setBackend(be);
      setSeed(11);
      const model = new Sequential([
        layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [20, 20, 2] }),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', strides: 2, activation: 'relu' }),
        layers.averagePooling2d({ poolSize: 2 }),
        layers.flatten(),
        layers.dense({ units: 10, activation: 'softmax' }),
      ]);
      model.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
      const x = new Tensor(randomArray(96 * 800, 5), [96, 20, 20, 2]);
      const y = new Tensor(Int32Array.from({ length: 96 }, (_, i) => (i * 3) % 10), [96]);
      const losses = (await model.fit(x, y, { epochs: 2, batchSize: 48, verbose: 0 })).history.loss;
      const weights = model.getWeights().map((w) => Array.from(w.values as Float32Array));
      model.dispose();
      return { losses, weights };
    };
    const [, two] = await backends(), plain = await wasmBackend();
    const a = await train(plain), b = await train(two);
    expect(a.losses.every(Number.isFinite), `losses ${a.losses}`).toBe(true);
    expect(b.losses).toEqual(a.losses);
    expect(b.weights).toEqual(a.weights);
  });

  it('terminate() stops the workers; gemm then runs on the calling thread, same result', async () => {
    const two = await createThreadedBackend(2);
    const before = gemmOn(two, 100, 500, 784, 0, 0, 1, 0, 1);
    await two.terminate();
    await two.terminate(); // twice is harmless
    expect(firstDifference(gemmOn(two, 100, 500, 784, 0, 0, 1, 0, 1), before)).toBe(-1);
  });
});

describe('leadChunks: how a gemm is cut', () => {
  it('a lead chunk per thread (80% in all), then one small chunk per thread, in thread order; every unit once; none below the minimum', () => {
    const out = new Int32Array(16), homes = new Int32Array(17);
    const cut = (units: number, threads: number, min: number) => Array.from(out.subarray(0, leadChunks(units, threads, min, out, homes)));
    const home = (threads: number) => Array.from(homes.subarray(0, threads + 1));
    expect(cut(63, 2, 1)).toEqual([25, 7, 25, 6]); // 500 columns in tiles of 8
    expect(home(2)).toEqual([0, 2, 4]);
    expect(cut(125, 2, 3)).toEqual([50, 13, 50, 12]); // 500 rows in groups of 4
    expect(cut(6, 2, 3)).toEqual([3, 3]);
    expect(home(2)).toEqual([0, 1, 2]);
    expect(cut(5, 2, 3)).toEqual([5]); // no cut: one thread does it
    expect(cut(2, 2, 3)).toEqual([]);
    expect(cut(100, 3, 1)).toEqual([27, 7, 27, 6, 27, 6]);
    expect(home(3)).toEqual([0, 2, 4, 6]);
    for (const threads of [2, 3, 4, 8, 16]) {
      for (const units of [1, 2, 3, 7, 13, 63, 100, 125, 257, 1000]) {
        for (const min of [1, 3]) {
          const sizes = cut(units, threads, min);
          if (sizes.length === 0) { expect(units).toBeLessThan(min); continue; }
          expect(sizes.reduce((a, b) => a + b, 0), `${units} units, ${threads} threads`).toBe(units);
          expect(sizes.length).toBeLessThanOrEqual(Math.min(2 * threads, 16));
          if (sizes.length > 1) for (const z of sizes) expect(z).toBeGreaterThanOrEqual(min);
          // Home ranges tile the chunks in order, at most two a thread.
          expect(homes[0]).toBe(0);
          expect(homes[threads]).toBe(sizes.length);
          for (let t = 0; t < threads; t++) expect(homes[t + 1] - homes[t]).toBeGreaterThanOrEqual(0);
          for (let t = 0; t < threads; t++) expect(homes[t + 1] - homes[t]).toBeLessThanOrEqual(2);
        }
      }
    }
  });
});

describe('gemmStrided with op(A) packed whole (threads builds: the column chunks of a pool)', () => {
  it('chunks of columns, the first packing op(A) whole and the rest using that copy, are bitwise one gemm call', async () => {
    const [one] = await backends();
    const gemm = one as unknown as { gemmTileRows(): number; wholeACapacity(): number };
    const MR = gemm.gemmTileRows(), cap = gemm.wholeACapacity();
    expect(MR).toBe(one.simd === 'relaxed' ? 5 : 4);
    // The MNIST MLP's two big products at batch 100 fit.
    expect(Math.ceil(784 / MR) * MR * 100).toBeLessThanOrEqual(cap);
    // Tall enough that op(A) does not fit a slot (rows rounded up to MR, times K = 300).
    const tall = Math.floor(cap / 300 / MR) * MR + 1;
    const cases = [[100, 500, 784, [64, 200, 448]], [784, 500, 100, [8, 256]], [61, 129, 300, [16, 24, 120]],
      [9, 33, 5, [8, 16]], [tall, 40, 300, [16]]] as const;
    for (const [M, N, K, cuts] of cases) for (const [tA, tB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      const fits = Math.ceil(M / MR) * MR * K <= cap;
      const A0 = randomArray(M * K, M + K), B0 = randomArray(K * N, N + K), C0 = randomArray(M * N, M + N);
      const [C, A, B] = upload(one, C0, A0, B0);
      const lda = tA ? M : K, ldb = tB ? K : N;
      one.gemmStrided(C, A, B, M, N, K, lda, ldb, N, tA, tB, 1.3, 0.5, 0, 0, 0, 0);
      const want = one.read(C, M * N);
      one.write(C, C0);
      const bounds = [0, ...cuts, N];
      for (let s = 0; s + 1 < bounds.length; s++) {
        const j = bounds[s];
        one.gemmStrided(C + j * 4, A, B + (tB ? j * ldb : j) * 4, M, bounds[s + 1] - j, K, lda, ldb, N, tA, tB, 1.3, 0.5, 0, 0, 0, s === 0 ? 1 : 2);
        // The later chunks must use the packed copy, all of it: A itself is now garbage.
        if (fits) one.write(A, new Float32Array(M * K).fill(NaN));
      }
      const got = one.read(C, M * N);
      freeAll(one, [C, A, B]);
      expect(firstDifference(got, want), `${M}×${N}×${K} ${tA}${tB} (${fits ? 'packed whole' : 'too large: by blocks'}): first index that differs`).toBe(-1);
    }
  });
});

describe('evenChunks: narrow column chunks', () => {
  it('perThread chunks a thread (fewer with fewer units, at most the table), sizes within one of each other, every unit once, home ranges split evenly in order', () => {
    const out = new Int32Array(32), homes = new Int32Array(17);
    const cut = (units: number, threads: number) => Array.from(out.subarray(0, evenChunks(units, threads, 8, out, homes)));
    expect(cut(63, 2)).toEqual([3, ...new Array(15).fill(4)]); // 500 columns in tiles of 8
    expect(Array.from(homes.subarray(0, 3))).toEqual([0, 8, 16]);
    expect(cut(5, 2)).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(homes.subarray(0, 3))).toEqual([0, 2, 5]);
    for (const threads of [2, 3, 4, 8, 16]) {
      for (const units of [1, 2, 7, 13, 63, 100, 257, 1000]) {
        const sizes = cut(units, threads);
        expect(sizes.length).toBe(Math.min(units, 8 * threads, 32));
        expect(sizes.reduce((a, b) => a + b, 0), `${units} units, ${threads} threads`).toBe(units);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(homes[0]).toBe(0);
        expect(homes[threads]).toBe(sizes.length);
        for (let t = 0; t < threads; t++) {
          const own = homes[t + 1] - homes[t];
          expect(own).toBeGreaterThanOrEqual(Math.floor(sizes.length / threads));
          expect(own).toBeLessThanOrEqual(Math.ceil(sizes.length / threads));
        }
      }
    }
  });
});

describe('claim: home ranges', () => {
  it('a thread takes its own range front to back, then the next ranges from their backs; a stale call takes nothing', () => {
    const i32 = new Int32Array(3 * 64), at = homeTickets(2, 64, 0, 56), bits = 7, call = 5;
    expect(Array.from(at)).toEqual([128, 56, 120]); // the caller, then workers 0 and 1
    const open = (homes: number[]) => at.forEach((p, t) => { i32[p] = ticket(call, homes[t], homes[t + 1], bits); });
    open([0, 3, 5, 9]);
    const take = (self: number, c = call) => claim(i32, at, self, c, bits);
    expect([take(1), take(1), take(1)]).toEqual([3, 4, 8]); // own 3, 4; then thread 2's back
    expect([take(0), take(0), take(0)]).toEqual([0, 1, 2]);
    expect(take(0, call - 1)).toBe(-1); // a worker late for the last call
    expect([take(0), take(2), take(2), take(2), take(0)]).toEqual([7, 5, 6, -1, -1]);
    // The call's number takes the bits above the two chunk fields, wrapping to a negative int32.
    const last = (1 << 18) - 1;
    i32[at[0]] = ticket(last, 0, 2, bits);
    expect([claim(i32, at, 0, last, bits), claim(i32, at, 1, last, bits), claim(i32, at, 1, last, bits)]).toEqual([0, 1, -1]);
  });
});

describe('beside(work, job)', () => {
  const n = 1 << 18;
  it('job runs once, while the workers compute the first element-wise call split into blocks, else after work', async () => {
    const [one, two] = await backends();
    for (const be of [two, one]) {
      const [p] = upload(be, new Float32Array(n));
      const seen: string[] = [];
      be.beside!(() => {
        seen.push('work');
        be.fill(p, 3, n); // split into blocks on 2 threads: job runs inside it
        seen.push('filled');
        be.fill(p, 4, n);
      }, () => seen.push('job'));
      expect(seen, `${be.threads} thread(s)`).toEqual(be.threads > 1 ? ['work', 'job', 'filled'] : ['work', 'filled', 'job']);
      expect(be.read(p, n).every((v) => v === 4)).toBe(true);
      // No split call in work (too small, or a gemm): job after work.
      seen.length = 0;
      be.beside!(() => { be.fill(p, 5, 1000); seen.push('work'); }, () => seen.push('job'));
      expect(seen).toEqual(['work', 'job']);
      freeAll(be, [p]);
    }
  });

  it('work that throws: job never runs; a job that throws: its error after every block is done; a job must not call kernels', async () => {
    const [, two] = await backends();
    const [p] = upload(two, new Float32Array(n));
    let ran = false;
    expect(() => two.beside!(() => { throw new Error('work failed'); }, () => { ran = true; })).toThrow('work failed');
    expect(ran).toBe(false);
    expect(() => two.beside!(() => two.fill(p, 6, n), () => { throw new Error('job failed'); })).toThrow('job failed');
    expect(two.read(p, n).every((v) => v === 6)).toBe(true);
    expect(() => two.beside!(() => two.fill(p, 7, n), () => two.fill(p, 0, 8))).toThrow(/fill was called from a job run beside a pool call/);
    expect(two.read(p, n).every((v) => v === 7)).toBe(true);
    // The pool is intact: the next calls split and agree with one thread.
    const [one] = await backends();
    expect(firstDifference(gemmOn(two, 100, 500, 784, 0, 0, 1, 0, 1), gemmOn(one, 100, 500, 784, 0, 0, 1, 0, 1))).toBe(-1);
    freeAll(two, [p]);
  });
});

describe('a pool with more threads than cores', () => {
  it('random gemm, gemmBias, element-wise and reduction calls on 4 threads agree bitwise with 1 (workers get descheduled and lag)', async () => {
    const [one] = await backends();
    const four = await createThreadedBackend(4);
    const n = 200_000;
    const setup = (be: Backend) => upload(be, ...[1, 2, 3, 4].map((k) => randomArray(n, 40 + k)));
    const [p1, p4] = [setup(one), setup(four)];
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let differ = 0;
    for (let call = 0; call < 300; call++) {
      const op = Math.floor(next() * 4), tA = next() < 0.5 ? 1 : 0;
      const M = 8 + Math.floor(next() * 150), N = 8 + Math.floor(next() * 250), K = 20 + Math.floor(next() * 250);
      const len = 70_000 + Math.floor(next() * 120_000);
      const run = (be: Backend, p: number[]): ArrayLike<number> => {
        if (op === 0) { be.gemm(p[0], p[1], p[2], M, N, K, tA, 0, 1, 0); return be.read(p[0], M * N); }
        if (op === 1) { be.gemmBias(p[0], p[1], p[2], M, N, K, tA, 1, p[3], 1); return be.read(p[0], M * N); }
        if (op === 2) { be.axpy(p[3], p[1], len, 1e-3); return be.read(p[3], n); }
        return [be.maxAbs(p[1], len), be.countOutside(p[2], len, -0.5, 0.5)];
      };
      const a = run(one, p1), b = run(four, p4);
      if (Array.from(a).some((x, i) => !Object.is(x, b[i]))) differ++;
    }
    freeAll(one, p1);
    await four.terminate();
    expect(differ).toBe(0);
  });
});

describe('ready({ threads }) and setThreads', () => {
  it('switch between the threads build and the one-thread build; bad counts throw before anything changes', async () => {
    const { ready, setThreads, threadCount, wasmBuild } = await import('../../bindings/index.js');
    await ready({ simd: 'simd' });
    expect(threadCount()).toBe(1);
    await setThreads(2);
    expect([threadCount(), wasmBuild()]).toEqual([2, 'simd']);
    await expect(ready({ threads: 0 })).rejects.toThrow(/threads must be 'auto' or an integer from 1 to 16, got 0/);
    await expect(ready({ threads: 17 })).rejects.toThrow(/from 1 to 16, got 17/);
    // The relaxed threads build where the engine runs relaxed SIMD; elsewhere a clear error and no change.
    if (relaxedSimdSupported()) {
      await ready({ threads: 2, simd: 'relaxed' });
      expect([threadCount(), wasmBuild()]).toEqual([2, 'relaxed']);
      await ready({ simd: 'simd' });
      expect([threadCount(), wasmBuild()]).toEqual([2, 'simd']);
    } else {
      await expect(ready({ threads: 2, simd: 'relaxed' })).rejects.toThrow(/relaxed SIMD/);
    }
    expect(threadCount()).toBe(2);
    await ready({ threads: 1 });
    expect(threadCount()).toBe(1);
    await setThreads('auto');
    expect(threadCount()).toBeGreaterThanOrEqual(1);
    await ready({ threads: 1 });
  });
});

describe('a trap in the pool', () => {
  it('element-wise blocks out of memory (whoever takes them): throws instead of hanging; the pool keeps working', async () => {
    const two = await createThreadedBackend(2);
    // fill of n floats whose first half ends exactly at the end of memory: every block past it traps.
    const n = 1 << 18, end = two.memoryBytes();
    expect(() => two.fill(end - 4 * (n / 2), 1, n)).toThrow(/out of bounds|trapped in a pool worker/);
    const ok = gemmOn(two, 100, 500, 784, 0, 0, 1, 0, 1);
    expect(ok.every(Number.isFinite)).toBe(true);
    const [p] = upload(two, new Float32Array(n));
    two.fill(p, 2, n);
    expect(two.read(p, n).every((v) => v === 2)).toBe(true);
    freeAll(two, [p]);
    await two.terminate();
  });

  it('gemm chunks out of memory (whoever takes them): throws, no chunk is left hanging, the next calls are clean', async () => {
    const two = await createThreadedBackend(2);
    // C (260, 200) in row chunks; C starts past the end of memory, so every chunk traps.
    const end = two.memoryBytes();
    expect(() => two.gemm(end + 4096, 0, 0, 260, 200, 40, 0, 0, 1, 0)).toThrow(/out of bounds|trapped in a pool worker/);
    const [one] = await backends();
    expect(firstDifference(gemmOn(two, 100, 500, 784, 0, 0, 1, 0, 1), gemmOn(one, 100, 500, 784, 0, 0, 1, 0, 1))).toBe(-1);
    await two.terminate();
  });
});

describe('the worker code loads whatever the parent process runs as', () => {
  it('in a process started with --input-type=module (eval workers inherit it: ES module, no require)', async () => {
    const { execFile } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const entry = fileURLToPath(new URL('../../bindings/backend/threads/index.ts', import.meta.url));
    const code = `const { createThreadedBackend } = await import(${JSON.stringify(entry)});
      const be = await createThreadedBackend(2);
      const [c, a, b] = [be.alloc(4 * 200 * 200), be.alloc(4 * 200 * 200), be.alloc(4 * 200 * 200)];
      be.fill(a, 1, 200 * 200); be.fill(b, 0.5, 200 * 200);
      be.gemm(c, a, b, 200, 200, 200, 0, 0, 1, 0);
      const C = be.read(c, 200 * 200);
      console.log(C.every((x) => x === 100) ? 'ok' : 'wrong');
      await be.terminate();`;
    const out = await new Promise<string>((resolve, reject) => {
      // This process's wasm flags too: under the relaxed config KEELNET_SIMD=relaxed is inherited, and needs them.
      const wasmFlags = process.execArgv.filter((f) => f.startsWith('--experimental-wasm'));
      execFile(process.execPath, [...wasmFlags, '--import', 'tsx', '--input-type=module', '-e', code], { timeout: 60_000 }, (e, stdout, stderr) => {
        if (e) reject(new Error(`${e.message}\n${stderr}`)); else resolve(stdout.trim());
      });
    });
    expect(out).toBe('ok');
  });
});
