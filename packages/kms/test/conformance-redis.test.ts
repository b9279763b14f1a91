import { runStoreConformance } from '@a2a-stores/core/conformance';
import { afterAll } from 'vitest';
import { generateLocalMasterKey, LocalAesKeyring, TASK_FIELDS } from '../src/index.js';
import { runEnvelopeChecks } from './support/envelope-checks.js';
import { redisHarness } from './support/inner-harnesses.js';
import { kmsHarness } from './support/kms-harness.js';

const redis = await redisHarness();
afterAll(() => redis.cleanup());

const keyring = new LocalAesKeyring({ keys: { k1: generateLocalMasterKey() }, primary: 'k1' });

// Every task field sealed, over the redis task and push config hashes.
runStoreConformance(kmsHarness(redis.harness, keyring, { taskFields: TASK_FIELDS }));
runEnvelopeChecks(kmsHarness(redis.harness, keyring));
