import { defineConfig } from 'vitest/config';

// A plain vitest config, as an adapter author outside this repo would write it.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // The JSON report feeds the repository's closing test count (tooling/scripts/run-tests.mjs).
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
