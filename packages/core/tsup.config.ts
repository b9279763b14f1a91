import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'conformance/index': 'src/conformance/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  splitting: false,
  sourcemap: false,
  // '@a2a-stores/core' stays an import in the conformance bundle (a self-reference resolved
  // through the exports map), so the suite and the adapter share one copy of core's classes.
  external: ['vitest', 'fast-check', '@a2a-js/sdk', '@a2a-stores/core'],
});
