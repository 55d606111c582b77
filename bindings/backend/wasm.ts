/**
 * WasmBackend: the AssemblyScript kernels compiled to WebAssembly SIMD, over one linear memory.
 * Kernel calls go straight to the module's exports; this class only manages memory.
 */
import type { PoolKernels } from './threads/pool-kernels.js';
import type { Backend } from './backend.js';
import { defaultSimdMode, resolveSimd, type SimdMode, type WasmBuild } from './features.js';
import { LinearAllocator, fmtBytes } from './memory.js';

const PAGE = 65536;

const wasmSource: Partial<Record<WasmBuild, string | URL | ArrayBuffer | Uint8Array>> = {};

/**
 * Override where a build of the wasm core is loaded from (a URL, a file path, or the bytes
 * themselves); `build` defaults to the SIMD128 build. Once only the SIMD128 source is overridden,
 * `'auto'` keeps to it (the relaxed file may not be where it used to be); set both to keep both.
 */
export function setWasmSource(source: string | URL | ArrayBuffer | Uint8Array, build: WasmBuild = 'simd'): void {
  wasmSource[build] = source;
}

async function wasmBytes(build: WasmBuild): Promise<ArrayBuffer | Uint8Array> {
  // Two literal URLs (not one template) so that bundlers see and ship both files.
  const src = wasmSource[build] ?? (build === 'relaxed'
    ? new URL('../../build/keelnet-relaxed.wasm', import.meta.url)
    : new URL('../../build/keelnet.wasm', import.meta.url));
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

/** Options of WasmBackend.create and ready(). */
export interface WasmOptions {
  /**
   * Which build to load: 'auto' (default; relaxed SIMD where the engine has it, else SIMD128),
   * 'simd' or 'relaxed' (throws where unsupported). In Node, KEELNET_SIMD sets the default.
   */
  simd?: SimdMode;
}

/** The build `create` loads for these options (throws for 'relaxed' where unsupported). */
export function wasmBuildFor(opts: WasmOptions = {}): WasmBuild {
  const mode = opts.simd ?? defaultSimdMode();
  // The user supplied the SIMD128 core and no relaxed one: 'auto' means that core.
  if (mode === 'auto' && wasmSource.simd !== undefined && wasmSource.relaxed === undefined) return 'simd';
  return resolveSimd(mode);
}

export interface WasmBackend extends Backend, PoolKernels {}

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  /** The build running the kernels: 'simd' (keelnet.wasm) or 'relaxed' (keelnet-relaxed.wasm). */
  readonly simd: WasmBuild;
  private readonly memory: WebAssembly.Memory;
  private readonly allocator: LinearAllocator;
  private f32: Float32Array;
  private i32: Int32Array;

  /** `threads`: how many threads run gemms on this memory (the threads builds keep a packing slot for each). */
  private constructor(instance: WebAssembly.Instance, build: WasmBuild, threads = 1) {
    this.simd = build;
    const ex = instance.exports as Record<string, unknown>;
    this.memory = ex.memory as WebAssembly.Memory;
    // Every exported function is a kernel with the same name as its Kernels method; the
    // parity tests check that each method the js core has exists here too.
    for (const [k, fn] of Object.entries(ex)) {
      if (typeof fn === 'function' && k !== 'heapBase') (this as unknown as Record<string, unknown>)[k] = fn;
    }
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    const base = (ex.heapBase as (threads: number) => number)(threads);
    this.ensure(base);
    this.allocator = new LinearAllocator(base, (end) => this.ensure(end));
  }

  /** Load and instantiate a build of the wasm core (see WasmOptions.simd). */
  static async create(opts: WasmOptions = {}): Promise<WasmBackend> {
    const build = wasmBuildFor(opts);
    const bytes = await wasmBytes(build);
    const { instance } = (await WebAssembly.instantiate(bytes as BufferSource, { env: { abort: wasmAbort } })) as WebAssembly.WebAssemblyInstantiatedSource;
    return new WasmBackend(instance, build);
  }

  /**
   * Instantiate a compiled core on an imported memory: the threads build, whose memory is a
   * shared WebAssembly.Memory that worker instances of the same module also run on, `threads`
   * of them in all running gemms (each on its own packing slot).
   */
  static async createOnMemory(module: WebAssembly.Module, memory: WebAssembly.Memory, build: WasmBuild,
    threads: number): Promise<WasmBackend> {
    const instance = await WebAssembly.instantiate(module, { env: { abort: wasmAbort, memory } });
    return new WasmBackend(instance, build, threads);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch (e) {
      // A RangeError from grow() names nothing: say how much was asked for and what there is.
      throw new Error(`alloc: cannot grow wasm memory from ${fmtBytes(have)} to ${fmtBytes(end)} (${(e as Error).message}); `
        + 'use a smaller batch size or model, or dispose models no longer needed');
    }
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
    // A Float32Array source is a memcpy (100 MNIST rows: ~7 µs, against ~70–140 µs element by element).
    if (n >= 64 && values instanceof Float32Array) { f.set(values.subarray(offset, offset + n), d); return; }
    for (let i = 0; i < n; i++) f[d + i] = values[offset + i];
  }

  writeInt32(ptr: number, values: ArrayLike<number>, offset = 0, n = values.length - offset): void {
    this.views();
    const a = this.i32;
    const d = ptr >> 2;
    for (let i = 0; i < n; i++) a[d + i] = values[offset + i];
  }

  writeRows(ptr: number, values: ArrayLike<number>, rowLen: number, order: Int32Array | null,
    start: number, count: number, int32: boolean): void {
    this.views();
    const dst = int32 ? this.i32 : this.f32;
    // A Float32Array source (MNIST rows) is one memcpy per row; the view it makes per row is the
    // training step's only JS allocation of note (young-generation garbage).
    const whole = !int32 && values instanceof Float32Array && rowLen >= 64;
    for (let r = 0; r < count; r++) {
      const from = (order ? order[start + r] : start + r) * rowLen, to = (ptr >> 2) + r * rowLen;
      if (whole) dst.set((values as Float32Array).subarray(from, from + rowLen), to);
      else for (let k = 0; k < rowLen; k++) dst[to + k] = values[from + k];
    }
  }

  get(ptr: number): number {
    this.views();
    return this.f32[ptr >> 2];
  }
}

function wasmAbort(): never {
  throw new Error('keelnet: the wasm core aborted');
}
