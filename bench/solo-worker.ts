/**
 * A second, independent one-thread training for bench/threads.ts: the same MLP on its own
 * WasmBackend of the build it is given, in a worker thread, so that two trainings run at once,
 * one per core, with nothing shared but the machine. It answers each { from, steps } with the
 * milliseconds that many steps took.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadMnist } from '../bindings/index.js';
import { WasmBackend } from '../bindings/backend/wasm.js';
import { keelnetContender, type Data } from './training.js';

const mnist = await loadMnist();
const data: Data = { x: mnist.xTrain.values as Float32Array, labels: mnist.yTrain.values as Int32Array, n: mnist.xTrain.shape[0] };
const { contender } = keelnetContender('keelnet-wasm', 'solo', await WasmBackend.create({ simd: workerData.build }), data);
parentPort!.on('message', async ({ from, steps }: { from: number; steps: number }) => {
  const [ms] = await contender.train(from, steps);
  parentPort!.postMessage(ms);
});
parentPort!.postMessage('ready');
