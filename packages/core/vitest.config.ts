import { fileURLToPath } from 'node:url';
import { definePackageConfig } from '@a2a-stores/vitest-config';

// Tests run the sources: the conformance entry's self-import resolves to src, like tsconfig paths.
export default definePackageConfig({
  resolve: {
    alias: [
      {
        find: /^@a2a-stores\/core$/,
        replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      },
    ],
  },
});
