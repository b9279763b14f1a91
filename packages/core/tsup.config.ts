import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'conformance/index': 'src/conformance/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  splitting: false,
  sourcemap: false,
  external: ['vitest', '@a2a-js/sdk'],
});
