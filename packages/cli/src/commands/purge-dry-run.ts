import { createRequire } from 'node:module';
import type { PurgeOptions, ScopedTaskStore } from '@a2a-stores/core';
import { CliError, ExitCode } from '../exit-codes.js';
import { importAdapter, type TargetNaming } from '../open-target.js';
import type { TargetSpec } from '../target-url.js';

/**
 * What `purge --dry-run` would delete, deleting nothing: the adapter's own purge runs inside a
 * transaction that is always rolled back, so the count is exactly what `purge` would delete at
 * this moment (same batches, same state and time filters), by the same code. The rows it would
 * delete stay locked until the rollback, a few statements later; those are finished tasks past
 * retention, which agents do not write. Redis has no rollback: there the adapter's
 * `countPurgeable` runs the purge's own selection read-only, writing no key.
 */
export async function countPurgeable(
  spec: TargetSpec,
  naming: TargetNaming,
  options: PurgeOptions,
): Promise<number> {
  switch (spec.kind) {
    case 'sqlite': {
      const { createSqliteStores } = await importAdapter<typeof import('@a2a-stores/sqlite')>(spec);
      const stores = createSqliteStores(
        { filename: spec.filename },
        { tablePrefix: naming.tablePrefix },
      );
      try {
        // The purge's own batch transactions become savepoints inside this one.
        stores.database.exec('BEGIN IMMEDIATE');
        try {
          return await purged(stores.taskStore, options);
        } finally {
          stores.database.exec('ROLLBACK');
        }
      } finally {
        await stores.close();
      }
    }
    case 'postgres': {
      const { createPostgresStores } =
        await importAdapter<typeof import('@a2a-stores/postgres')>(spec);
      // pg as the adapter sees it: its peer dependency, installed wherever the adapter is.
      const pg = createRequire(createRequire(import.meta.url).resolve('@a2a-stores/postgres'))(
        'pg',
      ) as typeof import('pg');
      const stores = createPostgresStores(
        { connectionString: spec.connectionString },
        { schema: naming.schema, tablePrefix: naming.tablePrefix },
      );
      const client = new pg.Client({ connectionString: spec.connectionString });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('BEGIN');
        try {
          return await purged(stores.withClient(client).taskStore, options);
        } finally {
          await client.query('ROLLBACK');
        }
      } finally {
        await client.end().catch(() => {});
        await stores.close();
      }
    }
    case 'mysql': {
      const { createMysqlStores } = await importAdapter<typeof import('@a2a-stores/mysql')>(spec);
      const stores = createMysqlStores({ uri: spec.uri }, { tablePrefix: naming.tablePrefix });
      try {
        const connection = await stores.pool.getConnection();
        try {
          await connection.beginTransaction();
          try {
            return await purged(stores.withConnection(connection).taskStore, options);
          } finally {
            await connection.rollback();
          }
        } finally {
          connection.release();
        }
      } finally {
        await stores.close();
      }
    }
    case 'redis': {
      const { createRedisStores } = await importAdapter<typeof import('@a2a-stores/redis')>(spec);
      const stores = createRedisStores({ url: spec.url }, { keyPrefix: naming.keyPrefix });
      try {
        // Older adapters in the CLI's peer range lack it: say which version has it.
        if (typeof stores.countPurgeable !== 'function') {
          throw new CliError(
            ExitCode.adapterMissing,
            'purge --dry-run on Redis needs @a2a-stores/redis 0.2.0 or later: npm install @a2a-stores/redis@latest',
          );
        }
        return await stores.countPurgeable(options);
      } finally {
        await stores.close();
      }
    }
  }
}

async function purged(store: ScopedTaskStore, options: PurgeOptions): Promise<number> {
  return (await store.purge(options)).deleted;
}
