import { StoreError, StoreUnavailableError, unreachableError } from '@a2a-stores/core';

/**
 * `waitForReplicas` is set and fewer replicas than required acknowledged a write within the
 * timeout. The write WAS applied on the primary and may still reach the replicas; what is not
 * guaranteed is that it survives a failover. Treat the outcome as unknown (reload, or retry an
 * idempotent write).
 */
export class ReplicaAckError extends StoreUnavailableError {
  readonly required: number;
  readonly acknowledged: number;
  constructor(required: number, acknowledged: number, timeoutMs: number) {
    super(
      `Redis WAIT: ${acknowledged} of ${required} required replica(s) acknowledged the write within ${timeoutMs} ms; it is applied on the primary only`,
    );
    this.required = required;
    this.acknowledged = acknowledged;
  }
}

/** The Redis server is older than the commands these stores need (6.2). */
export class UnsupportedRedisVersionError extends StoreUnavailableError {
  readonly serverVersion: string;
  constructor(serverVersion: string, required: string) {
    super(`Redis ${serverVersion} is not supported: these stores need Redis ${required} or newer`);
    this.serverVersion = serverVersion;
  }
}

/** The keys under this prefix were written in a newer storage format than this package knows. */
export class RedisFormatError extends StoreError {
  readonly found: string;
  constructor(found: string, supported: number) {
    super(
      'SCHEMA_NOT_MIGRATED',
      `Keys under this prefix use storage format ${JSON.stringify(found)}; this version of @a2a-stores/redis reads format ${supported}. Upgrade the package.`,
    );
    this.found = found;
  }
}

/**
 * Reply errors that mean "the server cannot serve this now" rather than "this command is
 * wrong": loading after a restart, a busy script, a failover in progress, a cluster without
 * quorum, persistence failing (MISCONF) or memory full (OOM).
 */
const TRANSIENT_REPLY_CODES = new Set([
  'LOADING',
  'BUSY',
  'MASTERDOWN',
  'READONLY',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'MISCONF',
  'NOREPLICAS',
  'OOM',
]);

const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

/**
 * Turns what ioredis rejects with into core's typed errors. Connection-level failures (refused,
 * closed mid-command, retries exhausted, command timeout, cluster unreachable) and transient
 * server replies become `StoreUnavailableError` with the original as `cause`. Other reply errors
 * (a wrong key type, a script error) and programming errors pass through unchanged.
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreError || !(error instanceof Error)) return error;
  if (PROGRAMMING_ERRORS.some((type) => error instanceof type)) return error;
  if (error.name === 'ReplyError') {
    const code = error.message.split(' ', 1)[0] ?? '';
    if (!TRANSIENT_REPLY_CODES.has(code)) return error;
    return new StoreUnavailableError(`Redis is unavailable: ${code}`, { cause: error });
  }
  return unreachableError('Redis', error);
}
