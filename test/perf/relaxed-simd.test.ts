/**
 * The two builds of the wasm core. In this process (plain `node`): feature detection and the
 * choice of build. Then the parity suites once more on the relaxed-SIMD build, in a child Node
 * started with --experimental-wasm-relaxed-simd (Node 20 needs it; see relaxed.vitest.config.ts
 * for what runs there and the tolerances).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { relaxedSimdSupported, resolveSimd } from '../../bindings/backend/features.js';
import { WasmBackend, wasmBuildFor } from '../../bindings/backend/wasm.js';
import { fmaProbe } from './fma-probe.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

/** What `node <flags> -e code` prints. */
function nodeEval(flags: string[], code: string): string {
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

/** Newest modification time under a directory of AssemblyScript sources. */
function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return t;
}

describe('choosing the build', () => {
  it('detects relaxed SIMD exactly when the engine compiles it', () => {
    const probe = `let ok = true; try { new WebAssembly.Module(await (await import('node:fs/promises')).readFile(${JSON.stringify(path.join(ROOT, 'build/keelnet-relaxed.wasm'))})); } catch { ok = false; } console.log(ok);`;
    // Node 20 compiles relaxed SIMD only behind the flag; later Node versions have it on.
    const withoutFlag = nodeEval([], probe) === 'true';
    expect(relaxedSimdSupported()).toBe(withoutFlag);
    expect(nodeEval([RELAXED_FLAG], probe)).toBe('true');
  });

  it("'simd' always loads keelnet.wasm; 'auto' takes relaxed only where supported; a forced 'relaxed' fails clearly where not", async () => {
    expect(resolveSimd('simd')).toBe('simd');
    expect(resolveSimd('auto')).toBe(relaxedSimdSupported() ? 'relaxed' : 'simd');
    if (relaxedSimdSupported()) expect(resolveSimd('relaxed')).toBe('relaxed');
    else expect(() => resolveSimd('relaxed')).toThrow(/--experimental-wasm-relaxed-simd/);
    expect(() => resolveSimd('fast' as never)).toThrow(/unknown simd mode 'fast'/);
    const simd = await WasmBackend.create({ simd: 'simd' });
    expect(simd.simd).toBe('simd');
    // The SIMD128 build rounds a multiply-add twice (fma-probe.ts); the relaxed one, once.
    for (const M of [4, 8]) expect(fmaProbe(simd, M)).toBe(0);
    expect(wasmBuildFor({ simd: 'auto' })).toBe(resolveSimd('auto'));
  });
});

describe('relaxed-SIMD build', () => {
  it('passes the kernel, Dense gradcheck and model parity suites (child node with the flag)', () => {
    // Someone may have changed a kernel and rebuilt only the SIMD128 target: rebuild if stale.
    const wasm = path.join(ROOT, 'build/keelnet-relaxed.wasm');
    const built = (() => { try { return statSync(wasm).mtimeMs; } catch { return -1; } })();
    if (built < newestSource(path.join(ROOT, 'assembly'))) {
      const asc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/assemblyscript/bin/asc.js'), 'assembly/index.ts', '--target', 'relaxed'], { cwd: ROOT, encoding: 'utf8' });
      expect(asc.status, asc.stderr).toBe(0);
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'keelnet-relaxed-'));
    const report = path.join(dir, 'report.json');
    try {
      const r = spawnSync(process.execPath, [
        RELAXED_FLAG, path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run',
        '--config', 'test/perf/relaxed.vitest.config.ts', '--reporter=json', `--outputFile=${report}`,
      ], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '' } });
      const json = JSON.parse(readFileSync(report, 'utf8')) as {
        numTotalTests: number; numPassedTests: number; numFailedTests: number;
        testResults: { name: string; assertionResults: { status: string; fullName: string; failureMessages: string[] }[] }[];
      };
      const failed = json.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed')
        .map((a) => `${path.relative(ROOT, f.name)}: ${a.fullName}: ${a.failureMessages[0]?.slice(0, 400)}`));
      expect(failed).toEqual([]);
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      // The check that the child really ran the relaxed build is one of the files that ran.
      expect(json.testResults.some((f) => f.name.endsWith('which-build.relaxed-test.ts'))).toBe(true);
      expect(json.numPassedTests).toBeGreaterThan(500);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000); // ~10–20 s alone: the child runs ~1,300 tests on its own worker
});
