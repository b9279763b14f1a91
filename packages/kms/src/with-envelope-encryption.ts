import type { PushNotificationStore, TaskStore } from '@a2a-js/sdk/server';
import {
  type MigrationResult,
  measureHealth,
  type StoreBundle,
  StoreClosedError,
  type StoreHealth,
} from '@a2a-stores/core';
import { EncryptedPushNotificationStore } from './encrypted-push-store.js';
import { EncryptedTaskStore } from './encrypted-task-store.js';
import type { Keyring } from './keyring.js';
import { type EnvelopeEncryptionOptions, resolveEnvelopeSettings } from './options.js';

/**
 * The stores to wrap: any adapter's bundle (`createSqliteStores(...)`, `createMemoryStores()`,
 * ...) or a pair of your own. The extended methods (`loadVersioned`, `delete`, ...) of the
 * result need an inner store that has them.
 */
export interface EncryptableStores {
  readonly taskStore: TaskStore;
  readonly pushNotificationStore: PushNotificationStore;
  migrate?(): Promise<MigrationResult>;
  close?(): Promise<void>;
  health?(): Promise<StoreHealth>;
}

/** What {@link withEnvelopeEncryption} returns: a `StoreBundle` plus the keyring it seals with. */
export interface EncryptedStoreBundle
  extends StoreBundle<EncryptedTaskStore, EncryptedPushNotificationStore> {
  readonly keyring: Keyring;
  /**
   * The inner store's `health()` (encryption adds no round trip). Inner stores without one
   * (a pair of your own) are reported healthy; after `close()` it reports `STORE_CLOSED`.
   */
  health(): Promise<StoreHealth>;
}

/**
 * Wraps an adapter's stores with envelope encryption: push config `token` and
 * `authentication.credentials` are always sealed, the chosen task fields too, each with
 * AES-256-GCM under a data key from `keyring`, bound to the record's scope, task, config and
 * field. The result is a drop-in for the SDK (`DefaultRequestHandler`) and keeps the extended
 * interfaces. `close()` wipes the data-key cache, then closes the inner stores.
 *
 * @example
 * ```ts
 * import { createMemoryStores } from '@a2a-stores/core';
 * import { generateLocalMasterKey, LocalAesKeyring, withEnvelopeEncryption } from '@a2a-stores/kms';
 * const stores = withEnvelopeEncryption(createMemoryStores(), {
 *   keyring: new LocalAesKeyring({ keys: { k1: generateLocalMasterKey() }, primary: 'k1' }),
 * });
 * ```
 */
export function withEnvelopeEncryption(
  stores: EncryptableStores,
  options: EnvelopeEncryptionOptions,
): EncryptedStoreBundle {
  if (!stores?.taskStore || !stores.pushNotificationStore) {
    throw new TypeError(
      'withEnvelopeEncryption: stores must have taskStore and pushNotificationStore',
    );
  }
  const settings = resolveEnvelopeSettings(options);
  return {
    taskStore: new EncryptedTaskStore(stores.taskStore, settings),
    pushNotificationStore: new EncryptedPushNotificationStore(
      stores.pushNotificationStore,
      settings,
    ),
    keyring: options.keyring,
    migrate: async () => (stores.migrate ? stores.migrate() : { applied: [], current: [] }),
    close: async () => {
      settings.closed = true;
      settings.sealer.keys.wipe();
      await stores.close?.();
    },
    health: () => {
      if (settings.closed) {
        return measureHealth('encrypted', () => Promise.reject(new StoreClosedError()));
      }
      return stores.health ? stores.health() : measureHealth('encrypted', async () => []);
    },
  };
}
