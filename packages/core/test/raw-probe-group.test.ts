import { runRawProbeGroup } from '../src/conformance/index.js';
import { sharedMemoryHarness } from './memory-harness.js';

// The reference backend's probe honours what the group asks of every adapter's probe.
runRawProbeGroup(sharedMemoryHarness());
