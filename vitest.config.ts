import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Forks keep each file's wasm memory and timings apart; two cores, two workers.
    pool: 'forks',
    maxWorkers: 2,
    // Under CI also write a JSON report, from which .ci/run prints "N passed, N failed".
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-report.json' },
  },
});
