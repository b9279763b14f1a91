import { runStoreConformance } from '@a2a-stores/core/conformance';
import { afterAll } from 'vitest';
import { generateLocalMasterKey, LocalAesKeyring, TASK_FIELDS } from '../src/index.js';
import { runEnvelopeChecks } from './support/envelope-checks.js';
import { postgresHarness } from './support/inner-harnesses.js';
import { startKmsFixture } from './support/kms-fixture.js';
import { kmsHarness } from './support/kms-harness.js';

const fixture = await startKmsFixture();
const postgres = await postgresHarness();
afterAll(async () => {
  await postgres.cleanup();
  await fixture.close();
});

const local = new LocalAesKeyring({ keys: { k1: generateLocalMasterKey() }, primary: 'k1' });

// A local keyring, every task field sealed: the suite's corrupt-record cases run through the
// raw probe on the postgres rows.
runStoreConformance(kmsHarness(postgres.harness, local, { taskFields: TASK_FIELDS }));
runEnvelopeChecks(kmsHarness(postgres.harness, local));

// The real KMS client over HTTP (SigV4, JSON 1.1) to the local endpoint, over real postgres.
runStoreConformance(kmsHarness(postgres.harness, fixture.keyring(), { taskFields: TASK_FIELDS }));
runEnvelopeChecks(kmsHarness(postgres.harness, fixture.keyring()));
