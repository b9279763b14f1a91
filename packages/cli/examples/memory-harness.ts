// my-harness.ts — run with: npx a2a-stores conformance --module ./my-harness.ts
import { createMemoryStores } from '@a2a-stores/core';
import type { StoreHarness } from '@a2a-stores/core/conformance';

export const harness: StoreHarness = {
  name: 'my adapter',
  // Build your stores with the options the suite passes (scope resolver, limits, hooks...).
  create: (options) => createMemoryStores(options),
};
