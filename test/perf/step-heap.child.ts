/**
 * Run by training-step.test.ts in a child `node --expose-gc --max-semi-space-size=64 --import tsx`,
 * on the one-thread wasm core, or with the argument `threads` on a 2-thread pool with a hidden
 * layer wide enough (76,810 parameters) that Adam runs in blocks and fit loads each next batch
 * beside it (ThreadPool.beside)
 * (global.gc, and a young generation large enough that 100 steps' garbage fits without a
 * scavenge, so its growth is what the steps allocated). Prints one JSON line:
 *   retained: heapUsed after a full GC, after 1,000 more steps minus before them (trainOnBatch, fit)
 *   allocatedPerStep: bytes of JS heap one step allocates (garbage included), measured over 100 steps
 */
import v8 from 'node:v8';
import { Sequential, Tensor, layers, optimizers, setBackend, setSeed } from '../../bindings/index.js';
import { WasmBackend } from '../../bindings/backend/wasm.js';
import { createThreadedBackend } from '../../bindings/backend/threads/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('step-heap.child: run with --expose-gc');
const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

const threads = process.argv[2] === 'threads';
const IN = 64, HIDDEN = threads ? 1024 : 128, OUT = 10, BATCH = 32, STEPS = 1000;
const pool = threads ? await createThreadedBackend(2, { simd: 'simd' }) : undefined;
setBackend(pool ?? await WasmBackend.create({ simd: 'simd' }));
setSeed(7);
const model = new Sequential([
  layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [IN] }),
  layers.dense({ units: OUT, activation: 'softmax' }),
]);
model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const n = BATCH * STEPS;
const xs = new Float32Array(n * IN).map((_, i) => Math.sin(i * 0.37));
const ys = new Int32Array(n).map((_, i) => i % OUT);
const x = new Tensor(xs, [n, IN]), y = new Tensor(ys, [n]);
const xb = new Tensor(xs.subarray(0, BATCH * IN), [BATCH, IN]), yb = new Tensor(ys.subarray(0, BATCH), [BATCH]);

// Warm up both paths so V8 has compiled (and its code caches hold) everything the steps run.
for (let i = 0; i < 200; i++) model.trainOnBatch(xb, yb);
await model.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0 });

let h0 = heap();
let loss = 0;
for (let i = 0; i < STEPS; i++) loss = model.trainOnBatch(xb, yb).loss;
const trainOnBatch = heap() - h0;

h0 = heap();
const history = await model.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0 });
const fit = heap() - h0;

// Allocation rate: 100 steps between two readings of the young generation, with no GC between.
heap();
let a0 = newSpace();
for (let i = 0; i < 100; i++) model.trainOnBatch(xb, yb);
const trainOnBatchAlloc = (newSpace() - a0) / 100;
const x100 = new Tensor(xs.subarray(0, 100 * BATCH * IN), [100 * BATCH, IN]), y100 = new Tensor(ys.subarray(0, 100 * BATCH), [100 * BATCH]);
heap();
a0 = newSpace();
await model.fit(x100, y100, { epochs: 1, batchSize: BATCH, verbose: 0 });
const fitAlloc = (newSpace() - a0) / 100;

console.log(JSON.stringify({
  retained: { trainOnBatch, fit },
  allocatedPerStep: { trainOnBatch: trainOnBatchAlloc, fit: fitAlloc },
  losses: { trainOnBatch: loss, fit: history.history.loss[0] },
  beside: pool?.beside !== undefined && model.countParams() > 1 << 16,
}));
await pool?.terminate();
