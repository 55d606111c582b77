// Activations, reference twins of assembly/kernels/activations.ts (same formulas, same erf).
import type { Heap } from './heap.js';
import type { Act } from '../backend.js';
import { activate, activateGrad } from './scalar.js';

export function activationForward(h: Heap, Y: number, Z: number, n: number, act: Act, alpha: number): void {
  const f = h.f, y = Y >> 2, z = Z >> 2;
  for (let i = 0; i < n; i++) f[y + i] = activate(f[z + i], act, alpha);
}

export function activationBackward(h: Heap, dZ: number, dY: number, Z: number, Y: number, n: number, act: Act, alpha: number): void {
  const f = h.f, dz = dZ >> 2, dy = dY >> 2, z = Z >> 2, y = Y >> 2;
  for (let i = 0; i < n; i++) f[dz + i] = activateGrad(f[dy + i], f[z + i], f[y + i], act, alpha);
}

export function softmaxForward(h: Heap, Y: number, Z: number, rows: number, cols: number): void {
  const f = h.f;
  for (let r = 0; r < rows; r++) {
    const z = (Z >> 2) + r * cols, y = (Y >> 2) + r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, f[z + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) { const e = Math.exp(f[z + c] - m); f[y + c] = e; s += e; }
    for (let c = 0; c < cols; c++) f[y + c] /= s;
  }
}

export function softmaxBackward(h: Heap, dZ: number, dY: number, Y: number, rows: number, cols: number): void {
  const f = h.f;
  for (let r = 0; r < rows; r++) {
    const o = r * cols, dz = (dZ >> 2) + o, dy = (dY >> 2) + o, y = (Y >> 2) + o;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += f[dy + c] * f[y + c];
    for (let c = 0; c < cols; c++) f[dz + c] = f[y + c] * (f[dy + c] - dot);
  }
}

/** Keras 3's ReLU layer: x > threshold ? min(x, maxValue) : negativeSlope·(x − threshold), rounded as the wasm core does. */
export function reluForward(h: Heap, Y: number, X: number, n: number, maxValue: number, negativeSlope: number, threshold: number): void {
  const f = h.f, y = Y >> 2, x = X >> 2;
  // On the float32 core every scalar and every intermediate is a float32, as in wasm.
  const r = f instanceof Float32Array ? Math.fround : (v: number) => v;
  const max = r(maxValue), slope = r(negativeSlope), thr = r(threshold);
  for (let i = 0; i < n; i++) {
    const v = f[x + i];
    f[y + i] = v > thr ? (v < max ? v : max) : slope * r(v - thr);
  }
}

/** dX += dY·f'(X): 1 between threshold and maxValue, 0 at or above maxValue, negativeSlope at or below the threshold. */
export function reluBackward(h: Heap, dX: number, dY: number, X: number, n: number, maxValue: number, negativeSlope: number, threshold: number): void {
  const f = h.f, dx = dX >> 2, dy = dY >> 2, x = X >> 2;
  const r = f instanceof Float32Array ? Math.fround : (v: number) => v;
  const max = r(maxValue), slope = r(negativeSlope), thr = r(threshold);
  for (let i = 0; i < n; i++) {
    const v = f[x + i];
    const g = v > thr ? (v < max ? 1 : 0) : slope;
    f[dx + i] += r(f[dy + i] * g);
  }
}
