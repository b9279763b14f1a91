import { runStoreConformance } from '@a2a-stores/core/conformance';
import { harness } from '../src/harness.js';

// Exactly what an adapter author outside this repo writes: the published suite, one call.
runStoreConformance(harness);
