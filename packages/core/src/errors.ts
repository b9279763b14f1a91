import { RequestMalformedError, UnsupportedOperationError } from '@a2a-js/sdk/errors';

/**
 * Stable machine-readable codes carried by every a2a-stores error, so callers can branch on
 * `error.code` without importing classes (useful across package boundaries and in logs).
 */
export type StoreErrorCode =
  | 'SCOPE_UNRESOLVED'
  /** A message on a task that is not waiting for input (see `ScopeGuardRequestHandler`). */
  | 'FOLLOW_UP_REFUSED'
  /** A message on a task whose execution runs on another worker of the cluster. */
  | 'TASK_BUSY'
  | 'VERSION_CONFLICT'
  | 'STALE_WRITE'
  | 'CORRUPT_RECORD'
  | 'INVALID_INPUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'PUSH_CONFIG_LIMIT'
  | 'PUSH_URL_REJECTED'
  | 'SCHEMA_NOT_MIGRATED'
  | 'STORE_UNAVAILABLE'
  /** The connection settings or the database user are wrong; retrying will not help. */
  | 'STORE_CONFIGURATION'
  | 'STORE_CLOSED'
  /** `@a2a-stores/kms`: a sealed value did not open (tampered, moved, or wrong key). */
  | 'DECRYPTION_FAILED'
  /** `@a2a-stores/kms`: plaintext found where the strict policy requires a ciphertext. */
  | 'PLAINTEXT_REFUSED'
  /** `@a2a-stores/kms`: the master key is unknown, disabled or not usable by this caller. */
  | 'KEY_UNAVAILABLE'
  /** `@a2a-stores/kms`: the key service could not be reached or failed; retryable. */
  | 'KMS_UNAVAILABLE';

/**
 * Base class of every error thrown by a2a-stores.
 *
 * @example
 * ```ts
 * import { StoreError } from '@a2a-stores/core';
 * try { await store.save(task, ctx); } catch (e) { if (e instanceof StoreError) console.log(e.code); }
 * ```
 */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Why a scope could not be resolved: `'unauthenticated'`, the call carried no identity the
 * resolver accepts (`anonymous: 'reject'`); `'invalid'`, the scope itself is unusable (tenant over
 * 255 characters, NUL, unpaired surrogate, not a string...).
 */
export type ScopeFailure = 'unauthenticated' | 'invalid';

/**
 * The call carried no usable identity and the scope resolver is configured to refuse it
 * (`anonymous: 'reject'`), or a custom resolver returned an invalid scope. Stores throw it as is;
 * `ScopeGuardRequestHandler` refuses such calls before the agent runs and answers them as
 * {@link ScopeRefusedError}, a client error.
 */
export class ScopeResolutionError extends StoreError {
  /** What went wrong; decides the client error (`'unauthenticated'`: HTTP 401 on REST). */
  readonly failure: ScopeFailure;
  constructor(message: string, failure: ScopeFailure = 'invalid') {
    super('SCOPE_UNRESOLVED', message);
    this.failure = failure;
  }
}

/** `saveIfVersion` found a different version (or presence) than the caller expected. */
export class VersionConflictError extends StoreError {
  readonly taskId: string;
  readonly expectedVersion: number | null;
  constructor(taskId: string, expectedVersion: number | null) {
    super(
      'VERSION_CONFLICT',
      expectedVersion === null
        ? `Task ${JSON.stringify(taskId)} already exists`
        : `Task ${JSON.stringify(taskId)} is not at version ${expectedVersion}`,
    );
    this.taskId = taskId;
    this.expectedVersion = expectedVersion;
  }
}

/**
 * A write would move a task out of a terminal state (completed, failed, canceled, rejected).
 * Thrown by `saveIfVersion` always, and by `save` when `staleWrites: 'throw'`.
 */
export class StaleWriteError extends StoreError {
  readonly taskId: string;
  readonly storedState: number;
  readonly attemptedState: number;
  constructor(taskId: string, storedState: number, attemptedState: number) {
    super(
      'STALE_WRITE',
      `Task ${JSON.stringify(taskId)} is in terminal state ${storedState}; refusing to move it to ${attemptedState}`,
    );
    this.taskId = taskId;
    this.storedState = storedState;
    this.attemptedState = attemptedState;
  }
}

/** A stored record could not be decoded. `load` throws it; `list` skips the row and reports it. */
export class CorruptRecordError extends StoreError {
  readonly recordId: string;
  /** `options.code` lets a subclass (e.g. a decryption failure) keep its own code. */
  constructor(
    recordId: string,
    reason: string,
    options?: { cause?: unknown; code?: StoreErrorCode },
  ) {
    super(
      options?.code ?? 'CORRUPT_RECORD',
      `Stored record ${JSON.stringify(recordId)} is unreadable: ${reason}`,
      options,
    );
    this.recordId = recordId;
  }
}

/**
 * Malformed input (empty or over-long id, bad page token, invalid argument). It extends the SDK's
 * `RequestMalformedError`, so the SDK's transports answer it as a client error (HTTP 400 /
 * JSON-RPC -32602), never as an internal error.
 */
export class InvalidInputError extends RequestMalformedError {
  readonly code: StoreErrorCode;
  constructor(message: string, code: StoreErrorCode = 'INVALID_INPUT') {
    super(message);
    // The SDK's transports pick the wire error code by `name`, so it must stay the SDK's.
    // Our own identity is `code` and `instanceof`.
    this.name = 'RequestMalformedError';
    this.code = code;
  }
}

/** A task or push config is larger than the configured limit. Nothing was written. */
export class PayloadTooLargeError extends InvalidInputError {
  readonly size: number;
  readonly limit: number;
  constructor(what: string, size: number, limit: number) {
    super(`${what} is ${size} bytes, over the limit of ${limit} bytes`, 'PAYLOAD_TOO_LARGE');
    this.size = size;
    this.limit = limit;
  }
}

/** A task already has the maximum number of push configs. Nothing was written. */
export class PushConfigLimitError extends InvalidInputError {
  readonly limit: number;
  constructor(taskId: string, limit: number) {
    super(
      `Task ${JSON.stringify(taskId)} already has ${limit} push notification configs (the limit)`,
      'PUSH_CONFIG_LIMIT',
    );
    this.limit = limit;
  }
}

/** A push webhook URL was refused by the URL policy. Nothing was written. */
export class PushUrlRejectedError extends InvalidInputError {
  /** Why the policy refused it (e.g. `'private-address'`); `reason` is the SDK's wire reason. */
  readonly policyReason: string;
  constructor(policyReason: string, detail: string) {
    super(`Push notification URL rejected (${policyReason}): ${detail}`, 'PUSH_URL_REJECTED');
    this.policyReason = policyReason;
  }
}

/** The backing schema is missing or older than this package needs; run `migrate()`. */
export class SchemaNotMigratedError extends StoreError {
  readonly missing: readonly string[];
  constructor(adapter: string, missing: readonly string[]) {
    super(
      'SCHEMA_NOT_MIGRATED',
      `${adapter} schema is not migrated (missing: ${missing.join(', ') || 'unknown'}); call migrate() or run \`a2a-stores migrate\` first`,
    );
    this.missing = missing;
  }
}

/** The backing service could not be reached or failed mid-call; the call may be retried. */
export class StoreUnavailableError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_UNAVAILABLE', message, options);
  }
}

/**
 * A `StoreUnavailableError` for a connection-level failure of `service`. The message names only
 * the failure's code (e.g. `ECONNREFUSED`): driver messages carry host names and ports, and
 * store messages end up in front of clients. The driver's error stays available as `cause`.
 */
export function unreachableError(service: string, error: unknown): StoreUnavailableError {
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? ` (${code})` : '';
  return new StoreUnavailableError(`${service} is unreachable${detail}`, { cause: error });
}

/** The stores were closed. */
export class StoreClosedError extends StoreError {
  constructor() {
    super('STORE_CLOSED', 'The store has been closed');
  }
}

/**
 * A call refused because its scope cannot be resolved: the client error that
 * `ScopeGuardRequestHandler` answers for a {@link ScopeResolutionError}. It is the SDK's
 * `RequestMalformedError` on the wire (JSON-RPC -32602, HTTP 400, gRPC INVALID_ARGUMENT). For an
 * unauthenticated call it also carries the SDK's REST transport fields (`transport: 'rest'`,
 * `statusCode: 401`), which the REST transport answers as HTTP 401; JSON-RPC has no
 * authentication error code and answers -32602 (invalid params) with this message.
 */
export class ScopeRefusedError extends InvalidInputError {
  /** Copied from the {@link ScopeResolutionError} that caused it. */
  readonly failure: ScopeFailure;
  /** Read by the SDK's REST transport only when `failure` is `'unauthenticated'`. */
  readonly statusCode: number;
  readonly transport: 'rest' | undefined;
  constructor(cause: ScopeResolutionError) {
    super(
      cause.failure === 'unauthenticated'
        ? 'Authentication required: this agent refuses unauthenticated calls'
        : `Invalid scope: ${cause.message}`,
      'SCOPE_UNRESOLVED',
    );
    this.failure = cause.failure;
    this.statusCode = cause.failure === 'unauthenticated' ? 401 : 400;
    // The SDK's REST transport uses `statusCode` only on errors marked `transport: 'rest'`.
    this.transport = cause.failure === 'unauthenticated' ? 'rest' : undefined;
  }
}

/**
 * A message sent to an existing task that is not waiting for input (input-required or
 * auth-required), or while another message on that task is still being admitted. The SDK's
 * `UnsupportedOperationError` on the wire: JSON-RPC -32004, HTTP 400 (FAILED_PRECONDITION).
 * Nothing was written and the agent's executor did not run.
 */
export class FollowUpRefusedError extends UnsupportedOperationError {
  readonly code: StoreErrorCode = 'FOLLOW_UP_REFUSED';
  readonly taskId: string;
  constructor(taskId: string, why: string) {
    super(`Task ${JSON.stringify(taskId)} does not accept a message now: ${why}`);
    // The SDK's transports pick the wire error code by `name`, so it must stay the SDK's.
    this.name = 'UnsupportedOperationError';
    this.taskId = taskId;
  }
}

/**
 * A message was sent to a task whose execution is running on another worker of the cluster
 * (`createCluster`): only the worker holding the task's lease may run it. A client error,
 * `UnsupportedOperationError` on the wire like {@link FollowUpRefusedError}; nothing was written.
 */
export class TaskBusyError extends UnsupportedOperationError {
  readonly code: StoreErrorCode = 'TASK_BUSY';
  readonly taskId: string;
  constructor(taskId: string) {
    super(
      `Task ${JSON.stringify(taskId)} is running on another worker; retry when it waits for input`,
    );
    this.name = 'UnsupportedOperationError';
    this.taskId = taskId;
  }
}

/**
 * The cluster's coordination backend cannot be reached, so a call that needs another worker
 * (cancel or subscribe to a task running elsewhere) fails fast instead of hanging. A kind of
 * {@link StoreUnavailableError} (code `STORE_UNAVAILABLE`): an agent answers it as it answers store outages, and the caller
 * may retry. Calls served by
 * the local worker keep working.
 */
export class CoordinationUnavailableError extends StoreUnavailableError {
  constructor(message: string, options?: { cause?: unknown }) {
    // Keeps the STORE_UNAVAILABLE code, so whatever handles store outages handles this too.
    super(message, options);
  }
}
