/**
 * WebAssembly feature detection: which of the two builds of the wasm core this engine can run.
 *   build/keelnet.wasm          SIMD128 (every engine keelnet supports)
 *   build/keelnet-relaxed.wasm  SIMD128 + relaxed SIMD (f32x4.relaxed_madd: one FMA where the CPU has it)
 * Relaxed SIMD ships in Chrome/Edge ≥ 114 and Node ≥ 22 (V8 11.4); Node 20 runs it only with
 * `node --experimental-wasm-relaxed-simd`; Firefox and Safari do not have it yet.
 */

/** Which build to load: the fastest this engine runs ('auto'), or one of them by force. */
export type SimdMode = 'auto' | 'simd' | 'relaxed';
/** A build of the wasm core. */
export type WasmBuild = 'simd' | 'relaxed';

/**
 * The smallest module that uses relaxed SIMD: `(func (result v128) (f32x4.relaxed_madd
 * (i32x4.splat 0) (i32x4.splat 0) (i32x4.splat 0)))`. WebAssembly.validate is synchronous and
 * compiles nothing. (The same probe as wasm-feature-detect's relaxedSimd, without the dependency.)
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x13, 0x01, 0x11, 0x00, // code section: one body of 17 bytes, no locals
  0x41, 0x00, 0xfd, 0x11, 0x41, 0x00, 0xfd, 0x11, 0x41, 0x00, 0xfd, 0x11, // 3 × i32x4.splat(i32.const 0)
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd (0xfd 0x105)
  0x0b, // end
]);

let relaxed: boolean | undefined;

/** Whether this engine runs relaxed SIMD (checked once). */
export function relaxedSimdSupported(): boolean {
  if (relaxed === undefined) {
    try {
      relaxed = typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_SIMD_PROBE);
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}

/**
 * The build a mode stands for. `'auto'` takes relaxed SIMD where the engine has it; a forced
 * `'relaxed'` on an engine without it throws here, with the way out, rather than at compile time.
 */
export function resolveSimd(mode: SimdMode): WasmBuild {
  if (mode !== 'auto' && mode !== 'simd' && mode !== 'relaxed') {
    throw new Error(`keelnet: unknown simd mode '${String(mode)}'; expected one of 'auto', 'simd', 'relaxed'`);
  }
  if (mode === 'simd') return 'simd';
  if (relaxedSimdSupported()) return 'relaxed';
  if (mode === 'auto') return 'simd';
  throw new Error("keelnet: simd 'relaxed' was requested but this engine does not support relaxed SIMD "
    + "(Node 20 needs 'node --experimental-wasm-relaxed-simd'; Node ≥ 22 and Chrome ≥ 114 have it); use 'auto' or 'simd'");
}

/**
 * The mode used when none is given: 'auto', or in Node the environment variable KEELNET_SIMD
 * ('simd' | 'relaxed' | 'auto'), so a whole test suite or benchmark can be run on one build.
 */
export function defaultSimdMode(): SimdMode {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.KEELNET_SIMD;
  return env === 'simd' || env === 'relaxed' || env === 'auto' ? env : 'auto';
}
