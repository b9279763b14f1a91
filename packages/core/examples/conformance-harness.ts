// test/conformance.test.ts of an adapter package. Here the adapter is core's memory store; put
// your own factory in `create` (and close your shared pool in `destroy`).
import { createMemoryStores } from '@a2a-stores/core';
import { runStoreConformance, type StoreHarness } from '@a2a-stores/core/conformance';

const harness: StoreHarness = {
  name: 'memory',
  // Called for every test with the options that test needs (hooks, limits, staleWrites...).
  // Apply them over your adapter's own: `createMyStores({ pool }, options)`.
  create: (options) => createMemoryStores(options),
  // Called once after the whole suite.
  destroy: async () => {},
  // Capabilities your store lacks, each with the reason printed on the skipped tests. Here each
  // `createMemoryStores` call has its own memory, so two stores of one test share no data:
  unsupported: { sharedStorage: 'each createMemoryStores call has its own memory' },
};

runStoreConformance(harness);
