import { DatabasePushNotificationStore, DatabaseTaskStore } from '@a2a-js/sdk/server/database';
import type { Kysely } from 'kysely';

/** Table names of the SDK store's subject, apart from everyone else's on the same database. */
export const SDK_TASK_TABLE = 'sdk_bench_tasks';
export const SDK_PUSH_TABLE = 'sdk_bench_push_configs';

type SdkCliRun = (
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  output: { log(...args: unknown[]): void; error(...args: unknown[]): void },
) => Promise<number>;

/**
 * Applies the SDK's own migrations (those of its `a2a-db` CLI, the operator step its stores
 * require) to `url`. The CLI module is not in the SDK's exports map, so it is located next to
 * the database entry point it ships with.
 */
export async function migrateSdkTables(url: string): Promise<void> {
  const databaseEntry = import.meta.resolve('@a2a-js/sdk/server/database');
  const cli = (await import(new URL('../../cli/run.js', databaseEntry).href)) as { run: SdkCliRun };
  const lines: string[] = [];
  const output = {
    log: (...args: unknown[]) => lines.push(args.join(' ')),
    error: (...args: unknown[]) => lines.push(args.map(String).join(' ')),
  };
  const code = await cli.run(
    [
      'upgrade',
      '--url',
      url,
      '--tasks-table-name',
      SDK_TASK_TABLE,
      '--push-notification-configs-table-name',
      SDK_PUSH_TABLE,
    ],
    {},
    output,
  );
  if (code !== 0) throw new Error(`a2a-db upgrade failed:\n${lines.join('\n')}`);
}

/** The SDK's Kysely-based stores over `db`, on the tables {@link migrateSdkTables} created. */
export function sdkDatabaseStores<DB>(db: Kysely<DB>): {
  taskStore: DatabaseTaskStore<DB>;
  pushStore: DatabasePushNotificationStore<DB>;
} {
  return {
    taskStore: new DatabaseTaskStore(db, { tableName: SDK_TASK_TABLE }),
    pushStore: new DatabasePushNotificationStore(db, { tableName: SDK_PUSH_TABLE }),
  };
}
