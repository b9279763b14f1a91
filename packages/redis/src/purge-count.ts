import {
  BackedTaskStore,
  type BackendPurgeQuery,
  type PurgeOptions,
  type ResolvedStoreOptions,
} from '@a2a-stores/core';
import type { RedisSession } from './session.js';
import { RedisTaskBackend } from './task-backend.js';

/**
 * The task backend with `purge` replaced by its dry run, so that core's own `purge` (option
 * checks, defaults, progress) runs unchanged in front of a count that deletes nothing.
 */
class PurgeCountingBackend extends RedisTaskBackend {
  override purge(query: BackendPurgeQuery): Promise<number> {
    return this.countPurgeable(query);
  }
}

/** What `purge(options)` would delete at this moment (see `RedisStoreBundle.countPurgeable`). */
export async function countPurgeable(
  session: RedisSession,
  storeOptions: ResolvedStoreOptions,
  options: PurgeOptions,
): Promise<number> {
  const store = new BackedTaskStore(new PurgeCountingBackend(session), storeOptions, null);
  return (await store.purge(options)).deleted;
}
