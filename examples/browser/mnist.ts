/**
 * MNIST in the browser: fetch the IDX files the page's server serves at /mnist/ and parse them
 * (big-endian header, then one byte per pixel or label), keeping the first `limit` samples.
 */
import { Tensor } from '../../bindings/index.js';

async function idx(name: string): Promise<DataView> {
  const res = await fetch(`/mnist/${name}`);
  if (!res.ok) throw new Error(`MNIST: GET /mnist/${name} answered HTTP ${res.status}`);
  return new DataView(await res.arrayBuffer());
}

export async function images(name: string, limit: number): Promise<Tensor> {
  const v = await idx(name);
  if (v.getUint32(0) !== 2051) throw new Error(`MNIST: ${name} is not an IDX image file (magic ${v.getUint32(0)})`);
  const n = Math.min(v.getUint32(4), limit), size = v.getUint32(8) * v.getUint32(12);
  const bytes = new Uint8Array(v.buffer, 16, n * size);
  const out = new Float32Array(n * size);
  for (let i = 0; i < out.length; i++) out[i] = bytes[i] / 255;
  return new Tensor(out, [n, size]);
}

export async function labels(name: string, limit: number): Promise<Tensor> {
  const v = await idx(name);
  if (v.getUint32(0) !== 2049) throw new Error(`MNIST: ${name} is not an IDX label file (magic ${v.getUint32(0)})`);
  const n = Math.min(v.getUint32(4), limit);
  return new Tensor(Int32Array.from(new Uint8Array(v.buffer, 8, n)), [n]);
}

export async function loadMnistInBrowser(nTrain: number, nTest: number) {
  const [xTrain, yTrain, xTest, yTest] = await Promise.all([
    images('train-images-idx3-ubyte', nTrain), labels('train-labels-idx1-ubyte', nTrain),
    images('t10k-images-idx3-ubyte', nTest), labels('t10k-labels-idx1-ubyte', nTest),
  ]);
  return { xTrain, yTrain, xTest, yTest };
}
