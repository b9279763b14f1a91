import { runStoreConformance } from '@a2a-stores/core/conformance';
import { afterAll } from 'vitest';
import { generateLocalMasterKey, LocalAesKeyring, TASK_FIELDS } from '../src/index.js';
import { runEnvelopeChecks } from './support/envelope-checks.js';
import { mysqlHarness } from './support/inner-harnesses.js';
import { kmsHarness } from './support/kms-harness.js';

const mysql = await mysqlHarness();
afterAll(() => mysql.cleanup());

const keyring = new LocalAesKeyring({ keys: { k1: generateLocalMasterKey() }, primary: 'k1' });

// Every task field sealed, data keys cached, over the MariaDB/MySQL rows.
runStoreConformance(kmsHarness(mysql.harness, keyring, { taskFields: TASK_FIELDS, cache: true }));
runEnvelopeChecks(kmsHarness(mysql.harness, keyring, { cache: true }));
