import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { bin: 'src/bin.ts' },
  format: ['esm'],
  dts: false,
  clean: true,
  target: 'node20',
  splitting: false,
  sourcemap: false,
  banner: { js: '#!/usr/bin/env node' },
  external: [
    '@a2a-js/sdk',
    '@a2a-stores/core',
    '@a2a-stores/sqlite',
    '@a2a-stores/postgres',
    '@a2a-stores/mysql',
    '@a2a-stores/redis',
    '@a2a-stores/kms',
    '@aws-sdk/client-kms',
    'vitest',
  ],
});
