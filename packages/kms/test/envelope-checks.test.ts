import { afterAll } from 'vitest';
import { generateLocalMasterKey, LocalAesKeyring } from '../src/index.js';
import { runEnvelopeChecks } from './support/envelope-checks.js';
import { memoryHarness, sqliteMemoryHarness } from './support/inner-harnesses.js';
import { startKmsFixture } from './support/kms-fixture.js';
import { kmsHarness } from './support/kms-harness.js';

const fixture = await startKmsFixture();
const sqlite = await sqliteMemoryHarness();
afterAll(async () => {
  await fixture.close();
  await sqlite.destroy?.();
});

runEnvelopeChecks(kmsHarness(memoryHarness(), fixture.keyring()));
runEnvelopeChecks(
  kmsHarness(
    sqlite,
    new LocalAesKeyring({ keys: { k1: generateLocalMasterKey() }, primary: 'k1' }),
    {
      cache: true,
    },
  ),
);
