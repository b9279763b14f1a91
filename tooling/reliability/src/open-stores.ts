import type {
  CoreStoreOptions,
  ScopedPushNotificationStore,
  ScopedTaskStore,
  StoreBundle,
} from '@a2a-stores/core';
import { createMysqlStores } from '@a2a-stores/mysql';
import { createPostgresStores } from '@a2a-stores/postgres';
import { createRedisStores } from '@a2a-stores/redis';
import { createSqliteStores } from '@a2a-stores/sqlite';
import { suiteStoreOptions } from './fixtures.js';

/** The adapters this suite exercises. */
export type AdapterKind = 'sqlite' | 'postgres' | 'mysql' | 'redis';

export type Stores = StoreBundle<ScopedTaskStore, ScopedPushNotificationStore>;

/** Tables, schema or keys of this suite, apart from what other tests write to a shared server. */
const NAMESPACE = 'reliability';

/**
 * Opens one adapter's stores with its default connection settings (what a user gets) and the
 * suite's core options ({@link suiteStoreOptions}). `target` is a
 * file name for sqlite, a URL otherwise. The schema is not migrated here.
 */
export function openStores(
  kind: AdapterKind,
  target: string,
  options: CoreStoreOptions = {},
): Stores {
  const core = suiteStoreOptions(options);
  switch (kind) {
    case 'sqlite':
      return createSqliteStores({ filename: target }, core);
    case 'postgres':
      return createPostgresStores({ connectionString: target }, { ...core, schema: NAMESPACE });
    case 'mysql':
      return createMysqlStores({ uri: target }, { ...core, tablePrefix: `${NAMESPACE}_` });
    case 'redis':
      return createRedisStores({ url: target }, { ...core, keyPrefix: `${NAMESPACE}:` });
  }
}
