import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  splitting: false,
  sourcemap: false,
  external: ['@a2a-js/sdk', '@a2a-stores/core', 'ioredis', 'vitest'],
});
