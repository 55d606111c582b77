/**
 * Files shared with TensorFlow.js in tests: @tensorflow/tfjs has no file:// handler in Node, so TF.js
 * reads and writes a directory in tfjs-node's layout (model.json + weights.bin) through this
 * IOHandler; and random weights for both sides, so no weight keeps its default.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tensor, type LayersModel } from '../../bindings/index.js';
import { randomArray } from './close.js';

/** TF.js IOHandler over a directory in tfjs-node's layout: model.json + weights.bin. */
export function directory(path: string): tf.io.IOHandler {
  return {
    async save(a) {
      await mkdir(path, { recursive: true });
      const data = Array.isArray(a.weightData) ? Buffer.concat(a.weightData.map((b) => Buffer.from(b))) : Buffer.from(a.weightData as ArrayBuffer);
      await writeFile(join(path, 'weights.bin'), data);
      const { modelTopology, format, generatedBy, convertedBy } = a;
      await writeFile(join(path, 'model.json'), JSON.stringify({ modelTopology, format, generatedBy, convertedBy, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
    async load() {
      const json = JSON.parse(await readFile(join(path, 'model.json'), 'utf8'));
      const bins = await Promise.all(json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) => readFile(join(path, p))));
      const bin = Buffer.concat(bins);
      return {
        modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy,
        weightSpecs: json.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights),
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      };
    },
  };
}

/** Random weights (variances positive), so that moving statistics and slopes are not their defaults. */
export function randomize(model: LayersModel, seed: number): void {
  const names = model.engine.params.weights.map((w) => w.name);
  model.setWeights(model.getWeights().map((w, i) => {
    const v = randomArray(w.size, seed + i, -0.8, 0.8);
    if (names[i] === 'moving_variance') v.forEach((x, j) => { v[j] = Math.abs(x) + 0.3; });
    return new Tensor(v, w.shape);
  }));
}

/** The same for a TF.js model. */
export function tfRandomize(model: tf.LayersModel, seed: number): void {
  model.setWeights(model.weights.map((w, i) => {
    const shape = w.shape as number[];
    const v = randomArray(shape.reduce((a, b) => a * b, 1), seed + i, -0.8, 0.8);
    if (w.name.includes('moving_variance')) v.forEach((x, j) => { v[j] = Math.abs(x) + 0.3; });
    return tf.tensor(v, shape);
  }));
}
