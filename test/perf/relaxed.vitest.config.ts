/**
 * The parity suites again, on the relaxed-SIMD build (build/keelnet-relaxed.wasm): every kernel
 * test, the Dense gradient check, the model tests that compare wasm with the js core or with
 * TensorFlow.js, and the thread-pool tests on the relaxed threads build (keelnet-threads-relaxed.wasm). Started by test/perf/relaxed-simd.test.ts in a child process; by hand:
 *   node --experimental-wasm-relaxed-simd node_modules/vitest/vitest.mjs run --config test/perf/relaxed.vitest.config.ts
 * Node 20 runs relaxed SIMD only with that flag (Node ≥ 22 has it on), so each test worker gets it
 * too; KEELNET_SIMD=relaxed makes WasmBackend.create() and ready() load the relaxed build, or
 * throw where the engine lacks it, so nothing silently runs the SIMD128 build instead.
 * Tolerances are the suites' own: the relaxed build's f32x4.relaxed_madd rounds once (an FMA) where
 * the SIMD128 build rounds twice, a difference of at most one rounding per multiply-add, which
 * every tolerance of the float32 suites already covers (gemm's bound, γ = 2(K+4)·2⁻²⁴, is a
 * bound on any summation order with either rounding).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../../', import.meta.url).pathname,
    include: [
      'test/perf/*.relaxed-test.ts',
      'test/kernels/**/*.test.ts',
      'test/layers/dense-gradcheck.test.ts',
      'test/models/sequential.test.ts',
      'test/models/tfjs-parity.test.ts',
      'test/threads/pool.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    execArgv: ['--experimental-wasm-relaxed-simd'],
    env: { KEELNET_SIMD: 'relaxed' },
  },
});
