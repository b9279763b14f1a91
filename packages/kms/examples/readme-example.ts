import type { AgentCard } from '@a2a-js/sdk';
import { type AgentExecutor, DefaultRequestHandler } from '@a2a-js/sdk/server';
import {
  AwsKmsKeyring,
  type Keyring,
  LocalAesKeyring,
  withEnvelopeEncryption,
} from '@a2a-stores/kms';
import { createSqliteStores } from '@a2a-stores/sqlite';
import { KMSClient } from '@aws-sdk/client-kms';

/** AWS KMS in production; a local master key (32 random bytes, base64) in development. */
function keyringFromEnvironment(): Keyring {
  const keyArn = process.env.A2A_KMS_KEY_ARN;
  if (keyArn) return new AwsKmsKeyring({ client: new KMSClient({}), keyId: keyArn });
  const localKey = process.env.A2A_LOCAL_MASTER_KEY;
  if (!localKey) throw new Error('Set A2A_KMS_KEY_ARN or A2A_LOCAL_MASTER_KEY');
  return new LocalAesKeyring({ keys: { dev: localKey }, primary: 'dev' });
}

export async function createEncryptedHandler(card: AgentCard, executor: AgentExecutor) {
  const stores = withEnvelopeEncryption(createSqliteStores({ filename: './data/a2a.db' }), {
    keyring: keyringFromEnvironment(),
    // Webhook tokens and credentials are always sealed; these task fields too.
    taskFields: ['history', 'artifacts', 'metadata', 'statusMessage'],
    // Optional: reuse data keys within limits, so hot reads make no KMS call.
    cache: { maxAgeMs: 60_000, maxUses: 1000 },
  });
  await stores.migrate();
  const handler = new DefaultRequestHandler(
    card,
    stores.taskStore,
    executor,
    undefined,
    stores.pushNotificationStore,
  );
  return { handler, close: stores.close };
}
