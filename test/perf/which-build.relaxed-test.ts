/**
 * Run only by relaxed.vitest.config.ts: proves that the suites it runs really use the relaxed build.
 */
import { describe, expect, it } from 'vitest';
import { getBackend, ready, wasmBuild } from '../../bindings/index.js';
import { relaxedSimdSupported } from '../../bindings/backend/features.js';
import { wasmBackend } from '../helpers/backends.js';
import { fmaProbe } from './fma-probe.js';
import { readFileSync } from 'node:fs';

describe('relaxed-SIMD run', () => {
  it('the engine has relaxed SIMD and every wasm backend is the relaxed build', async () => {
    expect(relaxedSimdSupported()).toBe(true);
    expect((await wasmBackend()).simd).toBe('relaxed');
    await ready();
    expect(getBackend()).toBe('wasm');
    expect(wasmBuild()).toBe('relaxed');
  });

  it('the relaxed build computes a multiply-add with one rounding (an FMA), in both GEMM paths', async () => {
    // fmaProbe: −(1 + 2⁻¹¹)·1 + (1 + 2⁻¹²)² is exactly 2⁻²⁴. Rounded twice (SIMD128: the square
    // rounds to 1 + 2⁻¹¹, a tie to even) it is 0. V8 emits an FMA only where the CPU has one
    // (x64 FMA3, arm64); elsewhere relaxed_madd may round twice, which the spec allows.
    const fma = relaxedHasFma();
    for (const M of [4, 8]) expect(fmaProbe(await wasmBackend(), M)).toBe(fma ? 2 ** -24 : 0);
  });
});

/** Whether this CPU has a fused multiply-add that V8 would use (x64: the fma flag; arm64 always). */
function relaxedHasFma(): boolean {
  if (process.arch === 'arm64') return true;
  try { return /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8')); } catch { return true; }
}
