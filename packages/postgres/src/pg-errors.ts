import {
  type ConfigurationCodes,
  configurationErrorOf,
  InvalidInputError,
  isNetworkError,
  StoreError,
  StoreUnavailableError,
  unreachableError,
} from '@a2a-stores/core';

/**
 * SQLSTATEs meaning the schema is not (or no longer) what the stores expect: undefined table,
 * schema, function or column. The executor turns them into `SchemaNotMigratedError`.
 */
const SCHEMA_MISSING_SQLSTATES: ReadonlySet<string> = new Set(['42P01', '3F000', '42883', '42703']);

/**
 * SQLSTATE classes after which the same call can succeed later: connection exception (08),
 * transaction rollback such as deadlock or serialization failure (40), insufficient resources
 * (53), operator intervention such as shutdown, restart or statement timeout (57), system
 * error (58).
 */
const RETRYABLE_SQLSTATE_CLASSES: ReadonlySet<string> = new Set(['08', '40', '53', '57', '58']);

/**
 * SQLSTATEs of a configuration an operator must fix; retrying cannot help. A refused unencrypted
 * connection is a 28000 like a missing role: pg_hba's message ("… no encryption", "SSL off") tells
 * them apart.
 */
const PG_CONFIGURATION: ConfigurationCodes = {
  engine: 'PostgreSQL',
  codes: new Map([
    ['28000', 'authentication'], // invalid_authorization_specification: unknown role, no pg_hba entry
    ['28P01', 'authentication'], // invalid_password
    ['3D000', 'missing-database'], // invalid_catalog_name
    ['42501', 'missing-privilege'], // insufficient_privilege
  ]),
  codeOf: (error) => sqlStateOf(error),
  describe: (state) => `SQLSTATE ${state}`,
  refine: (error, problem) =>
    problem === 'authentication' && /no encryption|SSL off/i.test(String((error as Error).message))
      ? 'tls-required'
      : problem,
};

/** What node-postgres says, without a code, when a connection is gone or never came. */
const DRIVER_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'is not queryable',
  'Cannot use a pool after calling end',
  'connection timeout',
];

/** A SQLSTATE, when `error` is a server error from node-postgres. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when the error means a table, schema or function of the adapter is missing. */
export function isSchemaMissing(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && SCHEMA_MISSING_SQLSTATES.has(state);
}

/**
 * Turns whatever node-postgres threw into a typed a2a-stores error, so no driver error reaches
 * the caller raw. The original stays available as `cause`; messages never quote stored values.
 */
export function translatePgError(error: unknown): Error {
  if (error instanceof StoreError || error instanceof InvalidInputError) return error;
  const state = sqlStateOf(error);
  if (state) {
    const configuration = configurationErrorOf(error, PG_CONFIGURATION);
    if (configuration) return configuration;
    if (state === '54000') {
      // A btree entry is limited to ~2.7 KB: tenant + owner + contextId + id are too long together.
      return new InvalidInputError(
        'The combined UTF-8 size of tenant, owner, contextId and id exceeds what PostgreSQL can index',
      );
    }
    if (state === '25006') {
      // read_only_sql_transaction: the connection reached a standby, or a primary that was
      // demoted or set read-only. After a failover the pool's next connection can reach the new
      // primary, so the same call may succeed when retried.
      return new StoreUnavailableError(
        'PostgreSQL refused the write: the server is read-only (a standby, or a primary during failover) (SQLSTATE 25006); it may be retried',
        { cause: error },
      );
    }
    if (state === '25P02') {
      return new StoreUnavailableError(
        'PostgreSQL refused the call: the surrounding transaction has already failed (SQLSTATE 25P02)',
        { cause: error },
      );
    }
    const retryable = RETRYABLE_SQLSTATE_CLASSES.has(state.slice(0, 2)) || state === '55P03';
    return new StoreUnavailableError(
      retryable
        ? `PostgreSQL is unavailable or interrupted the call (SQLSTATE ${state}); it may be retried`
        : `PostgreSQL failed the call (SQLSTATE ${state})`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (isNetworkError(error) || DRIVER_CONNECTION_MESSAGES.some((m) => message.includes(m))) {
    return unreachableError('PostgreSQL', error);
  }
  if (error instanceof Error && /^(Error|DatabaseError)$/.test(error.name)) {
    // Other driver failures (protocol errors, TLS setup): not ours to rethrow as-is.
    return new StoreUnavailableError(`PostgreSQL call failed (${error.name})`, { cause: error });
  }
  // A TypeError or RangeError here is a bug, not a database condition: keep it visible as is.
  return error instanceof Error ? error : new StoreUnavailableError(message, { cause: error });
}
