import { assertSqlIdentifier, type CoreStoreOptions, quoteSqlIdentifier } from '@a2a-stores/core';
import type { Pool, PoolOptions } from 'mysql2/promise';

/** Stores over a mysql2/promise pool you own; `close()` leaves it open. */
export interface MysqlPoolSource {
  readonly pool: Pool;
  readonly uri?: undefined;
  readonly poolOptions?: undefined;
}

/** Stores over a pool they create from a URI; `close()` ends it. */
export interface MysqlUriSource {
  /** `mysql://user:password@host:3306/database`; the database must be in the URI. */
  readonly uri: string;
  /**
   * Extra mysql2 pool options (connectionLimit, ssl...). Unlike mysql2's own default, `trace` is
   * off unless you set it: no stack trace is captured per query.
   */
  readonly poolOptions?: Omit<PoolOptions, 'uri'>;
  readonly pool?: undefined;
}

/** Where the stores get their connections. */
export type MysqlConnectionOptions = MysqlPoolSource | MysqlUriSource;

/**
 * Options of {@link createMysqlStores}: the core options plus the table prefix.
 *
 * @example
 * ```ts
 * import type { MysqlStoreOptions } from '@a2a-stores/mysql';
 * const options: MysqlStoreOptions = { tablePrefix: 'agent_', anonymous: 'reject' };
 * ```
 */
export interface MysqlStoreOptions extends CoreStoreOptions {
  /**
   * Prefix of every table name (`<prefix>tasks`, `<prefix>push_configs`...). Lower-case ASCII
   * letters, digits and underscores, at most {@link MAX_TABLE_PREFIX_LENGTH} characters.
   * Default `'a2a_'`.
   */
  tablePrefix?: string;
}

/** The table prefix when none is given. */
export const DEFAULT_TABLE_PREFIX = 'a2a_';

/**
 * MySQL names are at most 64 characters; the longest suffix we add (a table or a trigger name) is
 * `push_config_sets` (16).
 */
export const MAX_TABLE_PREFIX_LENGTH = 48;

/** The quoted names of the adapter's tables for one prefix. */
export interface TableNames {
  readonly prefix: string;
  readonly tasks: string;
  /** The changes appended to a task since its last full write (`TaskBackend.append`). */
  readonly taskSegments: string;
  readonly pushConfigs: string;
  /** One row per task with push configs: the lock that serialises config writes, and the order. */
  readonly pushConfigSets: string;
  /** The exact task count of each scope (an unfiltered list's `totalSize`), kept by triggers. */
  readonly taskCounts: string;
  /** The triggers on `tasks` that keep `taskCounts`. */
  readonly countTriggers: {
    readonly insert: string;
    readonly delete: string;
  };
  readonly migrations: string;
  /** Galera only: the row lock `migrate()` takes instead of GET_LOCK (see migration-lock.ts). */
  readonly migrationLock: string;
  /** Execution leases of multi-worker coordination (`createMysqlCoordination`). */
  readonly leases: string;
  /** Messages between workers, read by polling. */
  readonly messages: string;
}

/** Validates the prefix (typed `InvalidInputError` before any SQL is built) and names the tables. */
export function tableNames(prefix: unknown = DEFAULT_TABLE_PREFIX): TableNames {
  assertSqlIdentifier(prefix, 'tablePrefix', {
    maxLength: MAX_TABLE_PREFIX_LENGTH,
    allowEmpty: true,
  });
  const q = (suffix: string) => quoteSqlIdentifier(`${prefix}${suffix}`, '`');
  return {
    prefix,
    tasks: q('tasks'),
    taskSegments: q('task_segments'),
    pushConfigs: q('push_configs'),
    pushConfigSets: q('push_config_sets'),
    taskCounts: q('task_counts'),
    countTriggers: {
      insert: q('tasks_count_ins'),
      delete: q('tasks_count_del'),
    },
    migrations: q('migrations'),
    migrationLock: q('migration_lock'),
    leases: q('leases'),
    messages: q('messages'),
  };
}
