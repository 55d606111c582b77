/**
 * JsBackend: the same kernels as plain TypeScript loops — the definition of "correct" and the
 * baseline the wasm core is benchmarked against. `precision: 64` runs every kernel in float64,
 * which the finite-difference gradient checks use as their oracle.
 */
import type { Backend, Kernels } from './backend.js';
import type { PoolKernels } from './threads/pool-kernels.js';
import { LinearAllocator } from './memory.js';
import type { Heap } from './js/heap.js';
import * as memoryKernels from './js/elementwise.js';
import * as gemmKernels from './js/gemm.js';
import * as biasKernels from './js/bias.js';
import * as activationKernels from './js/activations.js';
import * as lossKernels from './js/losses.js';
import * as metricKernels from './js/metrics.js';
import * as optimizerKernels from './js/optimizers.js';
import * as normKernels from './js/norms.js';
import * as regularizerKernels from './js/regularizers.js';
import * as statsKernels from './js/stats.js';
import * as preluKernels from './js/prelu.js';
import * as normalizationKernels from './js/normalization.js';
import * as dropoutKernels from './js/dropout.js';
import * as convKernels from './js/conv.js';
import * as poolingKernels from './js/pooling.js';
import * as recurrentKernels from './js/recurrent.js';
import * as mergeKernels from './js/merge.js';
import * as layoutKernels from './js/layout.js';
import * as depthwiseKernels from './js/depthwise.js';

type HeapKernels = { [K in keyof (Kernels & PoolKernels)]: (h: Heap, ...args: Parameters<(Kernels & PoolKernels)[K]>) => ReturnType<(Kernels & PoolKernels)[K]> };

const kernels: HeapKernels = {
  ...memoryKernels, ...gemmKernels, ...biasKernels, ...activationKernels,
  ...lossKernels, ...metricKernels, ...optimizerKernels, ...normKernels, ...regularizerKernels, ...statsKernels, ...preluKernels,
  ...normalizationKernels, ...dropoutKernels,
  ...convKernels, ...poolingKernels,
  ...recurrentKernels,
  ...mergeKernels,
  ...layoutKernels,
  ...depthwiseKernels,
};

/** Bytes below this are never handed out, so that pointer 0 can mean "none". */
const BASE = 1024;

export interface JsBackend extends Backend, PoolKernels {}

export class JsBackend implements Backend {
  readonly name = 'js' as const;
  readonly precision: 32 | 64;
  private readonly heap: Heap;
  private bytes = 0;
  private readonly allocator: LinearAllocator;

  constructor(options: { precision?: 32 | 64 } = {}) {
    this.precision = options.precision ?? 32;
    this.heap = { f: new Float32Array(0), i: new Int32Array(0) };
    this.allocator = new LinearAllocator(BASE, (end) => this.ensure(end));
    this.ensure(BASE);
    for (const k of Object.keys(kernels) as (keyof Kernels)[]) {
      (this as unknown as Record<string, unknown>)[k] = (kernels[k] as (...a: unknown[]) => unknown).bind(null, this.heap);
    }
  }

  private ensure(end: number): void {
    if (end <= this.bytes) return;
    const bytes = Math.max(end, Math.ceil(this.bytes * 1.5));
    const n = bytes >> 2;
    const f = this.precision === 64 ? new Float64Array(n) : new Float32Array(new ArrayBuffer(n * 4));
    f.set(this.heap.f);
    const i = this.precision === 64 ? new Int32Array(n) : new Int32Array(f.buffer);
    if (this.precision === 64) i.set(this.heap.i);
    this.heap.f = f;
    this.heap.i = i;
    this.bytes = n * 4;
  }

  alloc(bytes: number): number { return this.allocator.alloc(bytes); }
  free(ptr: number): void { this.allocator.free(ptr); }
  memoryBytes(): number { return this.bytes; }

  read(ptr: number, n: number): Float32Array {
    const out = new Float32Array(n);
    const f = this.heap.f;
    const s = ptr >> 2;
    for (let i = 0; i < n; i++) out[i] = f[s + i];
    return out;
  }

  /** Float64 copy (the gradient-check oracle reads its losses and gradients this way). */
  read64(ptr: number, n: number): Float64Array {
    const s = ptr >> 2;
    return Float64Array.from(this.heap.f.subarray(s, s + n));
  }

  write(ptr: number, values: ArrayLike<number>, offset = 0, n = values.length - offset): void {
    const f = this.heap.f;
    const d = ptr >> 2;
    for (let i = 0; i < n; i++) f[d + i] = values[offset + i];
  }

  writeInt32(ptr: number, values: ArrayLike<number>, offset = 0, n = values.length - offset): void {
    const a = this.heap.i;
    const d = ptr >> 2;
    for (let i = 0; i < n; i++) a[d + i] = values[offset + i];
  }

  writeRows(ptr: number, values: ArrayLike<number>, rowLen: number, order: Int32Array | null,
    start: number, count: number, int32: boolean): void {
    for (let r = 0; r < count; r++) {
      const i = order ? order[start + r] : start + r, to = ptr + 4 * r * rowLen;
      if (int32) this.writeInt32(to, values, i * rowLen, rowLen);
      else this.write(to, values, i * rowLen, rowLen);
    }
  }

  get(ptr: number): number {
    return this.heap.f[ptr >> 2];
  }
}
