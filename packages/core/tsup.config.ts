import { defineConfig } from 'tsup';

// '@a2a-stores/core' stays an import in the conformance bundle (a self-reference resolved
// through the exports map), so the suite and the adapter share one copy of core's classes.
const external = ['vitest', 'fast-check', '@a2a-js/sdk', '@a2a-stores/core'];

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'node20',
    splitting: false,
    sourcemap: false,
    external,
  },
  {
    // ESM only: the suite imports vitest, which cannot be loaded with require(), so a CommonJS
    // build of it could never run. Test files load it as ESM under vitest whatever their syntax.
    entry: { 'conformance/index': 'src/conformance/index.ts' },
    format: ['esm'],
    dts: true,
    clean: false,
    target: 'node20',
    splitting: false,
    sourcemap: false,
    external,
  },
]);
