import {
  BackedPushNotificationStore,
  BackedTaskStore,
  type CoreStoreOptions,
  resolveStoreOptions,
  type StoreBundle,
} from '@a2a-stores/core';
import { JournalFile } from './journal-file.js';
import { JournalPushConfigBackend } from './push-backend.js';
import { JournalTaskBackend } from './task-backend.js';

/** Options of {@link createJournalStores}: core's options plus the journal's own. */
export interface JournalStoreOptions extends CoreStoreOptions {
  /** Flush each change to disk before acknowledging it (default true). */
  fsync?: boolean;
}

/** The stores plus the journal file, so several bundles can share one open file. */
export interface JournalStoreBundle extends StoreBundle {
  readonly file: JournalFile;
}

/**
 * Task and push-config stores kept in one append-only JSON-lines file. Everything an A2A store
 * must get right (scope, validation, codecs, paging, stale writes) comes from core's
 * `BackedTaskStore` / `BackedPushNotificationStore`; this adapter only stores records.
 */
export async function createJournalStores(
  path: string,
  options: JournalStoreOptions = {},
): Promise<JournalStoreBundle> {
  const { fsync, ...coreOptions } = options;
  return journalStoresOver(await JournalFile.open(path, { fsync }), coreOptions, true);
}

/** Stores over a journal file someone else opened (and closes). */
export function journalStoresOver(
  file: JournalFile,
  options: CoreStoreOptions = {},
  ownsFile = false,
): JournalStoreBundle {
  const resolved = resolveStoreOptions(options);
  return {
    file,
    taskStore: new BackedTaskStore(new JournalTaskBackend(file), resolved),
    pushNotificationStore: new BackedPushNotificationStore(
      new JournalPushConfigBackend(file),
      resolved,
    ),
    // A journal has no schema: nothing to migrate.
    migrate: async () => ({ applied: [], current: [] }),
    close: async () => {
      if (ownsFile) await file.close();
    },
  };
}
