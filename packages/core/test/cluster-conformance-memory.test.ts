import {
  runClusterConformance,
  runCoordinationBackendConformance,
} from '../src/conformance/index.js';
import { createMemoryCoordination } from '../src/index.js';

// One hub is one engine: every create() is another worker connected to it.
const backends = createMemoryCoordination();
runCoordinationBackendConformance({ name: 'memory', create: () => backends.connect() });

const clusters = createMemoryCoordination();
runClusterConformance({ name: 'memory', create: () => clusters.connect() });
