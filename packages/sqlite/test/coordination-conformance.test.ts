import { join } from 'node:path';
import {
  type ClusterHarness,
  runClusterConformance,
  runCoordinationBackendConformance,
} from '@a2a-stores/core/conformance';
import { createSqliteCoordination, createSqliteStores } from '../src/index.js';
import { makeTempDir } from './helpers.js';

/** One migrated file per suite; every `create()` is another worker with its own connection. */
function sqliteHarness(name: string): ClusterHarness {
  const { dir, cleanup } = makeTempDir();
  const filename = join(dir, 'cluster.db');
  let stores: ReturnType<typeof createSqliteStores> | undefined;
  let migrated: Promise<unknown> | undefined;
  const ready = () => {
    stores ??= createSqliteStores({ filename });
    migrated ??= stores.migrate();
    return migrated;
  };
  return {
    name,
    create: async () => {
      await ready();
      return createSqliteCoordination({ filename }, { pollIntervalMs: 10 });
    },
    createTaskStore: async () => {
      await ready();
      return (stores as NonNullable<typeof stores>).taskStore;
    },
    destroy: async () => {
      await stores?.close();
      cleanup();
    },
  };
}

runCoordinationBackendConformance(sqliteHarness('sqlite-polling'));
runClusterConformance(sqliteHarness('sqlite-polling cluster'));
