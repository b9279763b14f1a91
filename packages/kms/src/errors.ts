import { CorruptRecordError, StoreError } from '@a2a-stores/core';

/**
 * A sealed value did not open: it was tampered with, moved to another row, scope or field, or
 * its data key was refused as a ciphertext by the key service. Reads fail closed with it.
 *
 * It is a `CorruptRecordError` (code `DECRYPTION_FAILED`), so core's rules for unreadable
 * records apply: `load` throws it; `list` and `loadWithMetadata` skip the record and report it
 * through `hooks.onCorruptRecord`.
 *
 * @example
 * ```ts
 * import { DecryptionError } from '@a2a-stores/kms';
 * const isTampered = (e: unknown) => e instanceof DecryptionError && e.code === 'DECRYPTION_FAILED';
 * ```
 */
export class DecryptionError extends CorruptRecordError {
  /** The sealed field that failed, e.g. `token` or `history`. */
  readonly field: string;
  constructor(
    recordId: string,
    field: string,
    reason: string,
    options?: { cause?: unknown; code?: 'DECRYPTION_FAILED' | 'PLAINTEXT_REFUSED' },
  ) {
    super(recordId, `sealed field ${field}: ${reason}`, {
      cause: options?.cause,
      code: options?.code ?? 'DECRYPTION_FAILED',
    });
    this.field = field;
  }
}

/**
 * Strict mode found plaintext where a ciphertext is expected (code `PLAINTEXT_REFUSED`): the
 * value was written without the wrapper, or by an older deployment. Use `mode: 'migrate'` to
 * read such values while they are re-sealed.
 */
export class PlaintextRefusedError extends DecryptionError {
  constructor(recordId: string, field: string) {
    super(recordId, field, 'plaintext where a ciphertext is expected (strict mode)', {
      code: 'PLAINTEXT_REFUSED',
    });
  }
}

/** Why a keyring could not use a master key. */
export type KeyringFailure =
  /** No keyring holds the key id a ciphertext names, or KMS does not know the key. */
  | 'unknown-key'
  /** The key is disabled. */
  | 'disabled-key'
  /** The key exists but is not usable now (e.g. pending deletion). */
  | 'invalid-key-state'
  /** The caller may not use the key (IAM / key policy, or unrecognised credentials). */
  | 'access-denied'
  /** The key service refused the request for another reason (validation, key usage). */
  | 'rejected';

/**
 * A master key could not be used (code `KEY_UNAVAILABLE`). Not retryable without an operator:
 * a key was removed from the keyring, disabled, scheduled for deletion, or access was revoked.
 * Nothing was written by the call that threw it.
 */
export class KeyringError extends StoreError {
  readonly reason: KeyringFailure;
  /** The master key id concerned (an ARN for AWS KMS), when known. */
  readonly keyId: string | undefined;
  constructor(
    reason: KeyringFailure,
    message: string,
    keyId?: string,
    options?: { cause?: unknown },
  ) {
    super('KEY_UNAVAILABLE', message, options);
    this.reason = reason;
    this.keyId = keyId;
  }
}

/**
 * The key service could not be reached or failed (code `KMS_UNAVAILABLE`): network errors,
 * timeouts, throttling, HTTP 5xx. Retryable; nothing was written by the call that threw it.
 */
export class KmsUnavailableError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KMS_UNAVAILABLE', message, options);
  }
}
