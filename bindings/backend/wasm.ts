/**
 * WasmBackend: the AssemblyScript kernels compiled to WebAssembly SIMD, over one linear memory.
 * Kernel calls go straight to the module's exports; this class only manages memory.
 */
import type { Backend } from './backend.js';
import { LinearAllocator } from './memory.js';

const PAGE = 65536;

let wasmSource: string | URL | ArrayBuffer | Uint8Array | undefined;

/** Override where the .wasm file is loaded from (a URL, a file path, or the bytes themselves). */
export function setWasmSource(source: string | URL | ArrayBuffer | Uint8Array): void {
  wasmSource = source;
}

async function wasmBytes(): Promise<ArrayBuffer | Uint8Array> {
  const src = wasmSource ?? new URL('../../build/keelnet.wasm', import.meta.url);
  if (typeof src !== 'string' && !(src instanceof URL)) return src;
  const url = src instanceof URL ? src : new URL(src, import.meta.url);
  if (url.protocol === 'file:') {
    const fs = await import(/* @vite-ignore */ 'node:fs/promises');
    const { fileURLToPath } = await import(/* @vite-ignore */ 'node:url');
    try {
      return await fs.readFile(fileURLToPath(url));
    } catch (e) {
      throw new Error(`keelnet: cannot read the wasm core at ${fileURLToPath(url)} (run 'npm run build'): ${(e as Error).message}`);
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`keelnet: cannot fetch the wasm core at ${url.href}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

export interface WasmBackend extends Backend {}

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  private readonly memory: WebAssembly.Memory;
  private readonly allocator: LinearAllocator;
  private f32: Float32Array;
  private i32: Int32Array;

  private constructor(instance: WebAssembly.Instance) {
    const ex = instance.exports as Record<string, unknown>;
    this.memory = ex.memory as WebAssembly.Memory;
    // Every exported function is a kernel with the same name as its Kernels method; the
    // parity tests check that each method the js core has exists here too.
    for (const [k, fn] of Object.entries(ex)) {
      if (typeof fn === 'function' && k !== 'heapBase') (this as unknown as Record<string, unknown>)[k] = fn;
    }
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    const base = (ex.heapBase as () => number)();
    this.allocator = new LinearAllocator(base, (end) => this.ensure(end));
  }

  static async create(): Promise<WasmBackend> {
    const bytes = await wasmBytes();
    const { instance } = (await WebAssembly.instantiate(bytes as BufferSource, { env: { abort: wasmAbort } })) as WebAssembly.WebAssemblyInstantiatedSource;
    return new WasmBackend(instance);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
  }

  /** Views go stale when memory grows: refresh them before use. */
  private views(): void {
    if (this.f32.buffer !== this.memory.buffer) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
    }
  }

  alloc(bytes: number): number { return this.allocator.alloc(bytes); }
  free(ptr: number): void { this.allocator.free(ptr); }
  memoryBytes(): number { return this.memory.buffer.byteLength; }

  read(ptr: number, n: number): Float32Array {
    this.views();
    return this.f32.slice(ptr >> 2, (ptr >> 2) + n);
  }

  write(ptr: number, values: ArrayLike<number>, offset = 0, n = values.length - offset): void {
    this.views();
    const f = this.f32;
    const d = ptr >> 2;
    for (let i = 0; i < n; i++) f[d + i] = values[offset + i];
  }

  writeInt32(ptr: number, values: ArrayLike<number>, offset = 0, n = values.length - offset): void {
    this.views();
    const a = this.i32;
    const d = ptr >> 2;
    for (let i = 0; i < n; i++) a[d + i] = values[offset + i];
  }

  get(ptr: number): number {
    this.views();
    return this.f32[ptr >> 2];
  }
}

function wasmAbort(): never {
  throw new Error('keelnet: the wasm core aborted');
}
