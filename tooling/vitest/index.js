// Shared vitest preset: explicit imports (no globals), node environment, generous timeouts for
// tests that talk to real databases. Packages spread it into their own vitest.config.ts.
import { defineConfig, mergeConfig } from 'vitest/config';

/** @param {import('vitest/config').ViteUserConfig} [overrides] */
export function definePackageConfig(overrides = {}) {
  return mergeConfig(
    defineConfig({
      test: {
        globals: false,
        environment: 'node',
        include: ['test/**/*.test.ts'],
        testTimeout: 30_000,
        hookTimeout: 60_000,
        reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
        pool: 'forks',
      },
    }),
    overrides,
  );
}
