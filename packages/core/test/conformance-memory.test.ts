import { runStoreConformance } from '../src/conformance/index.js';
import { createMemoryStores } from '../src/index.js';
import { sharedMemoryHarness } from './memory-harness.js';

// The reference backend behind one shared state (a stand-in for a shared database), with a probe.
runStoreConformance(sharedMemoryHarness());

// The public factory, a fresh store per test: the whole suite except what needs a probe.
runStoreConformance({
  name: 'createMemoryStores',
  create: (options) => createMemoryStores(options),
  unsupported: { sharedStorage: 'each call creates its own in-memory state' },
});
