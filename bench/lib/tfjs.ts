/** TensorFlow.js as a contender in the training benches: its backends, keelnet's weights, a timed fit. */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Tensor } from '../../bindings/index.js';

let wasmPathsSet = false;

/**
 * Point TF.js's wasm backend at its .wasm files (once). One thread: in Node the backend reports
 * no multithread support (tensorflow/tfjs#3830) and loads tfjs-backend-wasm-simd.wasm.
 */
export function setTfjsWasmPaths(): void {
  if (wasmPathsSet) return;
  const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  setWasmPaths(path.join(path.dirname(pkg), 'dist') + path.sep);
  wasmPathsSet = true;
}

/**
 * A function that makes `backend` TF.js's active one (the contenders switch backends between
 * turns), throwing if it fails to start.
 */
export function tfjsBackend(backend: 'wasm' | 'cpu', bench: string): () => Promise<void> {
  if (backend === 'wasm') setTfjsWasmPaths();
  return async () => {
    if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`${bench} bench: TF.js backend '${backend}' failed to initialize`);
  };
}

/** The wasm backend's label in the rows: 'wasm (1 thread, SIMD)' in Node. */
export async function tfjsWasmLabel(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return `wasm (${threads ? 'threads' : '1 thread'}${simd ? ', SIMD' : ', no SIMD'})`;
}

/** keelnet weights as TF.js tensors (same order and shapes: the Keras layout), for model.setWeights. */
export function tfjsWeights(weights: Tensor[]): tf.Tensor[] {
  return weights.map((w) => tf.tensor(w.values as Float32Array, [...w.shape], 'float32'));
}

/**
 * A TF.js contender's firstLoss (one trainOnBatch on the first batch) and train (timeTfjsFit over
 * `steps` batches from sample `from`), each on its backend (`use`); `slice(from, count)` makes the tensors.
 */
export function tfjsTraining(use: () => Promise<void>, model: tf.LayersModel,
  slice: (from: number, count: number) => readonly [tf.Tensor, tf.Tensor], batch: number) {
  return {
    async firstLoss(): Promise<number> {
      await use();
      const [x, y] = slice(0, batch);
      const loss = await model.trainOnBatch(x, y) as number;
      tf.dispose([x, y]);
      return loss;
    },
    async train(from: number, steps: number): Promise<[number, number]> {
      await use();
      const [x, y] = slice(from, steps * batch);
      return timeTfjsFit(model, x, y, batch);
    },
  };
}

/**
 * One shuffled, silent epoch of `model.fit` over x and y, timed until the last update has
 * landed (the last layer's last weight is read back); disposes x and y. Returns [ms, mean loss].
 */
export async function timeTfjsFit(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, batchSize: number): Promise<[number, number]> {
  const t0 = performance.now();
  const h = await model.fit(x, y, { epochs: 1, batchSize, shuffle: true, verbose: 0 });
  await model.layers[model.layers.length - 1].getWeights().at(-1)!.data(); // the last update has landed
  const ms = performance.now() - t0;
  tf.dispose([x, y]);
  return [ms, h.history.loss[0] as number];
}
