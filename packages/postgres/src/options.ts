import { createHash } from 'node:crypto';
import {
  assertSqlIdentifier,
  type CoreStoreOptions,
  InvalidInputError,
  quoteSqlIdentifier,
} from '@a2a-stores/core';
import type { Pool, PoolConfig } from 'pg';

/**
 * Where the stores connect: your own `pg.Pool` (never ended by the stores), or a connection
 * string for a pool the stores create and end on `close()`.
 */
export type PostgresConnection =
  | { readonly pool: Pool }
  | {
      readonly connectionString: string;
      /** Extra `pg.Pool` settings (size, timeouts, TLS). `connectionString` wins over any here. */
      readonly poolConfig?: Omit<PoolConfig, 'connectionString'>;
    };

/**
 * Options of {@link createPostgresStores}: where the tables live, plus the core options
 * (scope resolver, stale-write policy, limits, hooks).
 */
export interface PostgresStoreOptions extends CoreStoreOptions {
  /** Schema holding the tables. Lower-case identifier, default `'public'`. */
  schema?: string;
  /** Prefix of every table, index, sequence and function name. Default `'a2a_'`; may be `''`. */
  tablePrefix?: string;
  /**
   * What sits between the stores and PostgreSQL. `'transaction'`: a transaction pooler
   * (PgBouncer in `pool_mode = transaction` before 1.21, Supavisor or pgcat in transaction
   * mode, RDS Proxy): the stores never use a named prepared statement, and keep no session
   * state outside a transaction. `'auto'` (default): loads and lists call their functions
   * through named statements, and the stores switch to `'transaction'` for good, with one
   * warning, the first time PostgreSQL answers one as only a transaction pooler makes it answer
   * (the failed call is retried once).
   */
  pooler?: PostgresPoolerMode;
}

/** See {@link PostgresStoreOptions.pooler}. */
export type PostgresPoolerMode = 'auto' | 'transaction';

const POOLER_MODES: readonly PostgresPoolerMode[] = ['auto', 'transaction'];

/** The validated pooler mode (typed `InvalidInputError` on anything else). */
export function resolvePoolerMode(mode: unknown): PostgresPoolerMode {
  if (mode === undefined) return 'auto';
  if (!POOLER_MODES.includes(mode as PostgresPoolerMode)) {
    throw new InvalidInputError(`pooler must be one of ${POOLER_MODES.join(', ')}`);
  }
  return mode as PostgresPoolerMode;
}

/** Longest prefix that keeps every derived name (e.g. `<prefix>tasks_by_context`) within 63 bytes. */
const MAX_PREFIX_LENGTH = 40;
const MAX_SCHEMA_LENGTH = 63;

/** Every SQL name the adapter uses, validated and quoted once. */
export interface PostgresNames {
  readonly schema: string;
  readonly tablePrefix: string;
  /** `"schema"` */
  readonly schemaSql: string;
  readonly tasks: string;
  /** Segments appended to a task since its last full write (see core's `TaskBackend.append`). */
  readonly segments: string;
  readonly counts: string;
  readonly pushConfigs: string;
  readonly pushSeq: string;
  readonly putPushConfig: string;
  /** The functions that run a task's full write and its append (migration 0008). */
  readonly putTask: string;
  readonly appendTask: string;
  /** The function that reads one task (migration 0010). */
  readonly getTask: string;
  /** The function that reads a list page and its total (migration 0011). */
  readonly listTasks: string;
  readonly ledger: string;
  /** Execution leases of multi-worker coordination. */
  readonly leases: string;
  /** Coordination messages too large for a NOTIFY payload. */
  readonly spill: string;
  /**
   * The NOTIFY channel of coordination messages, unique per schema and prefix (channels are
   * database-wide, so two schemas on one database must not hear each other). Unquoted, safe.
   */
  readonly notifyChannel: string;
  /** An unquoted-safe relative name for index `suffix` (indexes live in their table's schema). */
  index(suffix: string): string;
  /** Key of the advisory lock `migrate()` holds, unique per schema and prefix. */
  readonly migrationLockKey: string;
}

function qualified(schema: string, name: string): string {
  return `${quoteSqlIdentifier(schema, '"')}.${quoteSqlIdentifier(name, '"')}`;
}

/**
 * Validates `schema` and `tablePrefix` (typed `InvalidInputError`) and derives every SQL name the
 * stores use, already quoted: handy for your own reports or maintenance SQL.
 *
 * @example
 * ```ts
 * import { resolvePostgresNames } from '@a2a-stores/postgres';
 * const { tasks } = resolvePostgresNames({ schema: 'app' }); // '"app"."a2a_tasks"'
 * ```
 */
export function resolvePostgresNames(
  options: Pick<PostgresStoreOptions, 'schema' | 'tablePrefix'>,
): PostgresNames {
  const schema = options.schema ?? 'public';
  const prefix = options.tablePrefix ?? 'a2a_';
  assertSqlIdentifier(schema, 'schema', { maxLength: MAX_SCHEMA_LENGTH });
  assertSqlIdentifier(prefix, 'tablePrefix', { maxLength: MAX_PREFIX_LENGTH, allowEmpty: true });
  if (schema.startsWith('pg_')) {
    throw new InvalidInputError('schema must not start with "pg_" (reserved by PostgreSQL)');
  }
  const digest = createHash('sha256')
    .update(`a2a-stores/postgres:migrate:${schema}:${prefix}`)
    .digest();
  return {
    schema,
    tablePrefix: prefix,
    schemaSql: quoteSqlIdentifier(schema, '"'),
    tasks: qualified(schema, `${prefix}tasks`),
    segments: qualified(schema, `${prefix}task_segments`),
    counts: qualified(schema, `${prefix}task_counts`),
    pushConfigs: qualified(schema, `${prefix}push_configs`),
    pushSeq: qualified(schema, `${prefix}push_config_seq`),
    putPushConfig: qualified(schema, `${prefix}put_push_config`),
    putTask: qualified(schema, `${prefix}put_task`),
    appendTask: qualified(schema, `${prefix}append_task`),
    getTask: qualified(schema, `${prefix}get_task`),
    listTasks: qualified(schema, `${prefix}list_tasks`),
    ledger: qualified(schema, `${prefix}migrations`),
    leases: qualified(schema, `${prefix}leases`),
    spill: qualified(schema, `${prefix}coord_spill`),
    notifyChannel: `a2a_coord_${createHash('sha256')
      .update(`a2a-stores/postgres:notify:${schema}:${prefix}`)
      .digest('hex')
      .slice(0, 24)}`,
    index: (suffix) => quoteSqlIdentifier(`${prefix}${suffix}`, '"'),
    migrationLockKey: digest.readBigInt64BE(0).toString(),
  };
}
