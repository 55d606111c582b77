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
