import { runStoreConformance } from '@a2a-stores/core/conformance';
import { generateLocalMasterKey, LocalAesKeyring, TASK_FIELDS } from '../src/index.js';
import { sqliteMemoryHarness } from './support/inner-harnesses.js';
import { kmsHarness } from './support/kms-harness.js';

const keyring = new LocalAesKeyring({ keys: { k1: generateLocalMasterKey() }, primary: 'k1' });

// Every task field sealed, data keys cached: the suite's corrupt-record cases run through the
// raw probe on the sqlite rows.
runStoreConformance(
  kmsHarness(await sqliteMemoryHarness(), keyring, { taskFields: TASK_FIELDS, cache: true }),
);
