import {
  type ConfigurationCodes,
  configurationErrorOf,
  isNetworkError,
  StoreConfigurationError,
  StoreError,
  StoreUnavailableError,
} from '@a2a-stores/core';

/** The fields mysql2 puts on its errors (server errors carry `errno` and `sqlState`). */
interface MysqlDriverError {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly sqlState?: unknown;
  readonly fatal?: unknown;
  readonly message?: unknown;
}

export const ER_DUP_ENTRY = 1062;
const ER_NO_SUCH_TABLE = 1146;
const ER_BAD_FIELD_ERROR = 1054;
const ER_LOCK_DEADLOCK = 1213;
/** Refusals of CREATE TRIGGER: no TRIGGER grant, or binary logging without SUPER. */
const TRIGGER_REFUSALS = new Set([
  1142, // ER_TABLEACCESS_DENIED_ERROR: "TRIGGER command denied"
  1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR: SUPER (or SET_USER_ID) needed
  1419, // ER_BINLOG_CREATE_ROUTINE_NEED_SUPER
]);

/**
 * Server errors meaning "the database cannot serve this now; the same call may succeed later":
 * shutdown, connection limits, killed or interrupted statements, lock wait timeouts, a read-only
 * server (failover in progress), lost network packets.
 */
const UNAVAILABLE_ERRNOS: ReadonlySet<number> = new Set([
  1040, // ER_CON_COUNT_ERROR: too many connections
  1053, // ER_SERVER_SHUTDOWN
  1077, // ER_NORMAL_SHUTDOWN
  1078, // ER_GOT_SIGNAL
  1079, // ER_SHUTDOWN_COMPLETE
  1152, // ER_ABORTING_CONNECTION
  1158, // ER_NET_READ_ERROR
  1159, // ER_NET_READ_INTERRUPTED
  1160, // ER_NET_ERROR_ON_WRITE
  1161, // ER_NET_WRITE_INTERRUPTED
  1203, // ER_TOO_MANY_USER_CONNECTIONS
  1205, // ER_LOCK_WAIT_TIMEOUT
  1213, // ER_LOCK_DEADLOCK (only surfaces when it cannot be retried: inside your transaction)
  1290, // ER_OPTION_PREVENTS_STATEMENT: --read-only (a replica, or a primary being failed over)
  1317, // ER_QUERY_INTERRUPTED
  1792, // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
  1836, // ER_READ_ONLY_MODE
  1927, // ER_CONNECTION_KILLED (MariaDB)
  3024, // ER_QUERY_TIMEOUT (MySQL max_execution_time)
  4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8: idle connection closed by the server)
]);

/**
 * Server errors of a configuration an operator must fix (retrying cannot help). mysql2 flags a
 * refused login as `fatal`, so these are checked before the "unavailable" mapping.
 */
const MYSQL_CONFIGURATION: ConfigurationCodes = {
  engine: 'MySQL',
  codes: new Map([
    ['1045', 'authentication'], // ER_ACCESS_DENIED_ERROR (also a REQUIRE SSL user without TLS)
    ['1698', 'authentication'], // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
    ['1251', 'authentication'], // ER_NOT_SUPPORTED_AUTH_MODE
    ['1049', 'missing-database'], // ER_BAD_DB_ERROR
    ['1046', 'missing-database'], // ER_NO_DB_ERROR: the URL names no database
    ['1044', 'missing-privilege'], // ER_DBACCESS_DENIED_ERROR
    ['1142', 'missing-privilege'], // ER_TABLEACCESS_DENIED_ERROR
    ['1143', 'missing-privilege'], // ER_COLUMNACCESS_DENIED_ERROR
    ['1227', 'missing-privilege'], // ER_SPECIFIC_ACCESS_DENIED_ERROR
    ['1370', 'missing-privilege'], // ER_PROCACCESS_DENIED_ERROR
    ['3159', 'tls-required'], // ER_SECURE_TRANSPORT_REQUIRED (require_secure_transport=ON)
  ]),
  codeOf: (error) => {
    const errno = errnoOf(error);
    return errno === undefined ? undefined : String(errno);
  },
  describe: (errno) => `errno ${errno}`,
};

/** mysql2's own codes for a connection that broke or a pool that can no longer give one. */
const UNAVAILABLE_DRIVER_CODES: ReadonlySet<string> = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'PROTOCOL_ENQUEUE_HANDSHAKE_TWICE',
  'ER_CONNECTION_KILLED',
]);

const POOL_GONE_MESSAGES: ReadonlySet<string> = new Set([
  'Pool is closed.',
  'No connections available.',
  'Queue limit reached.',
  "Can't add new command when connection is in closed state",
]);

function fields(error: unknown): MysqlDriverError {
  return error && typeof error === 'object' ? (error as MysqlDriverError) : {};
}

function errnoOf(error: unknown): number | undefined {
  const errno = fields(error).errno;
  return typeof errno === 'number' ? errno : undefined;
}

export function isDuplicateKey(error: unknown): boolean {
  return errnoOf(error) === ER_DUP_ENTRY;
}

/** InnoDB chose this statement as a deadlock victim and rolled back its transaction. */
export function isDeadlock(error: unknown): boolean {
  return errnoOf(error) === ER_LOCK_DEADLOCK;
}

/** A table or column the statement needs does not exist: the schema is missing or older. */
export function isMissingSchema(error: unknown): boolean {
  const errno = errnoOf(error);
  return errno === ER_NO_SUCH_TABLE || errno === ER_BAD_FIELD_ERROR;
}

/** True when the error means the server could not be reached or could not serve the call. */
export function isUnavailable(error: unknown): boolean {
  if (isNetworkError(error)) return true;
  const f = fields(error);
  if (f.fatal === true) return true;
  if (typeof f.code === 'string' && UNAVAILABLE_DRIVER_CODES.has(f.code)) return true;
  const errno = errnoOf(error);
  if (errno !== undefined && UNAVAILABLE_ERRNOS.has(errno)) return true;
  // SQLSTATE class 08: connection exception.
  if (typeof f.sqlState === 'string' && f.sqlState.startsWith('08')) return true;
  return typeof f.message === 'string' && POOL_GONE_MESSAGES.has(f.message);
}

/**
 * Maps a driver error to core's typed errors where it has a meaning callers act on
 * (configuration, unavailability); other errors (bugs) pass through unchanged. The message names the operation and the
 * driver's code, never a query's data, so nothing stored leaks into logs.
 */
export function translateError(error: unknown, operation: string): unknown {
  if (error instanceof StoreError) return error;
  const configuration = configurationErrorOf(error, MYSQL_CONFIGURATION);
  if (configuration) return configuration;
  if (isUnavailable(error)) {
    const f = fields(error);
    const code =
      typeof f.code === 'string' ? f.code : typeof f.message === 'string' ? f.message : 'unknown';
    return new StoreUnavailableError(`MySQL ${operation} failed: ${code}`, { cause: error });
  }
  return error;
}

/**
 * `migrate()` could not create the triggers that keep the task counters; says what to grant.
 * A `StoreConfigurationError` (`problem: 'missing-privilege'`) with a more specific message.
 */
export class MigrationPrivilegeError extends StoreConfigurationError {
  constructor(errno: number, message: string, options?: { cause?: unknown }) {
    super('MySQL', 'missing-privilege', `errno ${errno}`, options);
    this.message = message;
  }
}

/**
 * The typed error for a CREATE TRIGGER the server refused for want of privileges, or undefined
 * when `error` is something else (or `statement` is not a CREATE TRIGGER).
 */
export function triggerPrivilegeError(
  error: unknown,
  statement: string,
): MigrationPrivilegeError | undefined {
  const errno = errnoOf(error);
  if (errno === undefined || !TRIGGER_REFUSALS.has(errno)) return undefined;
  if (!statement.startsWith('CREATE TRIGGER')) return undefined;
  return new MigrationPrivilegeError(
    errno,
    `MySQL refused CREATE TRIGGER (errno ${errno}): the task counters need triggers. Run migrate() (or \`a2a-stores migrate\`) as a user with the TRIGGER privilege on the stores' tables; with binary logging on, that user also needs SUPER, or the server log_bin_trust_function_creators=1 (a parameter-group setting on RDS and Aurora)`,
    { cause: error },
  );
}
