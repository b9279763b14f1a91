import { runStoreConformance } from '@a2a-stores/core/conformance';
import { afterAll } from 'vitest';
import { generateLocalMasterKey, LocalAesKeyring, TASK_FIELDS } from '../src/index.js';
import { memoryHarness } from './support/inner-harnesses.js';
import { startKmsFixture } from './support/kms-fixture.js';
import { kmsHarness } from './support/kms-harness.js';

const fixture = await startKmsFixture();
afterAll(() => fixture.close());

// The real KMS client over HTTP (SigV4, JSON 1.1) to the local endpoint, every task field sealed.
runStoreConformance(kmsHarness(memoryHarness(), fixture.keyring(), { taskFields: TASK_FIELDS }));

// The default configuration: only the push secrets sealed, a local keyring.
runStoreConformance(
  kmsHarness(
    memoryHarness(),
    new LocalAesKeyring({ keys: { k1: generateLocalMasterKey() }, primary: 'k1' }),
  ),
);
