import type { Scope } from '@a2a-stores/core';
import {
  type EncryptedStoreBundle,
  type RotationCheckpoint,
  type RotationProgress,
  rotateKeys,
} from '@a2a-stores/kms';

/** Where an operator keeps the checkpoint between runs (a file, a table row). */
export interface CheckpointStore {
  load(): Promise<RotationCheckpoint | undefined>;
  save(checkpoint: RotationCheckpoint): Promise<void>;
}

/** `stores` is `withEnvelopeEncryption(...)` whose keyring has the NEW primary master key. */
export async function rotateAll(
  stores: EncryptedStoreBundle,
  scopes: AsyncIterable<Scope>,
  checkpoints: CheckpointStore,
): Promise<RotationProgress> {
  const resumeFrom = await checkpoints.load();
  let saving = Promise.resolve();
  const result = await rotateKeys({
    stores,
    scopes,
    batchSize: 100,
    ...(resumeFrom ? { resumeFrom } : {}),
    onProgress: (progress) => {
      saving = saving.then(() => checkpoints.save(progress.checkpoint));
    },
  });
  await saving;
  if (result.failures.length > 0) {
    throw new Error(`${result.failures.length} records could not be re-wrapped`);
  }
  return result;
}
