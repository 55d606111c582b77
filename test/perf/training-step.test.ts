/**
 * A training step with no waste, and memory that stays at the plan:
 *  - the JS heap stays flat over 1,000 trainOnBatch and 1,000 fit steps (measured after a full
 *    GC in a child process: step-heap.child.ts), and one step allocates only a few KiB of
 *    short-lived garbage (the per-row views loadBatch copies through, see WasmBackend.write);
 *  - memoryInfo() reports the MNIST MLP's planned bytes by kind, exactly;
 *  - the wasm linear memory after training that MLP (fit with validation, evaluate) is within
 *    1.5× of that plan (it only grows, so its size is its peak), on one thread and on two.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Sequential, Tensor, layers, optimizers, setBackend, setSeed } from '../../bindings/index.js';
import { WasmBackend } from '../../bindings/backend/wasm.js';
import { createThreadedBackend } from '../../bindings/backend/threads/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('a training step allocates nothing that stays', () => {
  for (const core of ['the one-thread core', 'a 2-thread pool (fit loads the next batch beside Adam)']) {
    it(`heap used is flat over 1,000 trainOnBatch and 1,000 fit steps after warm-up, on ${core} (child node --expose-gc)`, () => {
      const threads = core.startsWith('a 2-thread');
      const r = spawnSync(process.execPath, ['--expose-gc', '--max-semi-space-size=64', '--import', 'tsx', 'test/perf/step-heap.child.ts',
        ...(threads ? ['threads'] : [])], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        retained: { trainOnBatch: number; fit: number };
        allocatedPerStep: { trainOnBatch: number; fit: number };
        losses: { trainOnBatch: number; fit: number };
        beside: boolean;
      };
      expect(out.beside).toBe(threads);
      // Measured: −150…+75 KiB either way (GC bookkeeping), whether 1,000 or 4,000 steps. A leak
      // of one small object per step would show as ≥ 50 KiB per 1,000 steps and grow with them;
      // the bound is generous on purpose (1 KiB per step), the point is "not proportional to steps".
      expect(Math.abs(out.retained.trainOnBatch)).toBeLessThan(1 << 20);
      expect(Math.abs(out.retained.fit)).toBeLessThan(1 << 20);
      // Measured: ~3–4 KiB per step (32 row views, the logs object). 16 KiB catches a per-element
      // or per-sample array creeping in (the batch here is 32 × 64 floats = 8 KiB).
      expect(out.allocatedPerStep.trainOnBatch).toBeLessThan(16 << 10);
      expect(out.allocatedPerStep.fit).toBeLessThan(16 << 10);
      expect(Number.isFinite(out.losses.trainOnBatch) && Number.isFinite(out.losses.fit)).toBe(true);
    });
  }
});

describe('memory: the MNIST MLP (784-500(relu)-10(softmax), batch 100, Adam)', () => {
  const mlp = () => {
    setSeed(3);
    const model = new Sequential([
      layers.dense({ units: 500, activation: 'relu', inputShape: [784] }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: optimizers.adam(), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };
  const n = 1000;
  const x = new Tensor(new Float32Array(n * 784).map((_, i) => ((i * 37) % 255) / 255), [n, 784]);
  const y = new Tensor(new Int32Array(n).map((_, i) => (i * 7) % 10), [n]);

  it('memoryInfo() reports the planned bytes by kind', async () => {
    setBackend(await WasmBackend.create({ simd: 'simd' }));
    const model = mlp();
    expect(model.memoryInfo()).toEqual({ params: 0, grads: 0, optimizerState: 0, activations: 0, total: 0 });
    await model.fit(x, y, { epochs: 1, batchSize: 100, verbose: 0 });
    const params = 784 * 500 + 500 + 500 * 10 + 10; // 397,510 floats
    // Activations for 100 samples, in floats: input 784, targets 1 (one class index: the targets
    // are sized for the compiled loss), per Dense its output y and output gradient dy:
    // 2 × (500 + 10), and the softmax layer's pre-activation z (the logits): 10. The ReLU layer
    // has none: gemmBias applies the ReLU.
    const activations = 100 * (784 + 1 + 2 * (500 + 10) + 10);
    const info = model.memoryInfo();
    expect(info).toEqual({
      params: 4 * params,
      grads: 4 * params,
      optimizerState: 2 * 4 * params, // Adam: m and v
      activations: 4 * activations,
      total: 4 * (4 * params + activations),
    });
    model.dispose();
  });

  for (const threads of [1, 2]) {
    it(`peak linear memory while training stays within 1.5× of the plan (${threads === 1 ? 'one-thread core' : 'a 2-thread pool'})`, async () => {
      const pool = threads === 2 ? await createThreadedBackend(2, { simd: 'simd' }) : undefined;
      const be = pool ?? await WasmBackend.create({ simd: 'simd' });
      setBackend(be);
      try {
        const model = mlp();
        await model.fit(x, y, { epochs: 2, batchSize: 100, verbose: 0, validationSplit: 0.1 });
        await model.evaluate(x, y, { batchSize: 100 });
        const planned = model.memoryInfo().total;
        // Measured: 1.08× on one thread, 1.28× on two (the module's static data, alignment, the
        // depth halves' 256 KiB region, and per thread GEMM's packing scratch: ~300 KiB, and on a
        // pool 512 KiB more for op(A) packed whole).
        expect(be.memoryBytes()).toBeGreaterThanOrEqual(planned);
        expect(be.memoryBytes()).toBeLessThanOrEqual(1.5 * planned);
        model.dispose();
      } finally {
        await pool?.terminate();
      }
    });
  }
});
