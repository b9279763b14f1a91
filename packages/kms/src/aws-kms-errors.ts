import { KeyringError, type KeyringFailure, KmsUnavailableError } from './errors.js';
import { DataKeyUnwrapError } from './keyring.js';

/** KMS exception names (matched on `error.name`, as the AWS SDK sets it) by what they mean. */
const KEY_FAILURES: Readonly<Record<string, KeyringFailure>> = {
  NotFoundException: 'unknown-key',
  DisabledException: 'disabled-key',
  KMSInvalidStateException: 'invalid-key-state',
  KeyUnavailableException: 'invalid-key-state',
  AccessDeniedException: 'access-denied',
  UnrecognizedClientException: 'access-denied',
  InvalidSignatureException: 'access-denied',
  IncompleteSignatureException: 'access-denied',
  MissingAuthenticationTokenException: 'access-denied',
  ExpiredTokenException: 'access-denied',
  InvalidGrantTokenException: 'access-denied',
  CredentialsProviderError: 'access-denied',
};

/** Exceptions meaning the ciphertext itself does not open (tampered, moved, or another key's). */
const CIPHERTEXT_FAILURES = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/** Transient service faults: retrying later may succeed. */
const UNAVAILABLE = new Set([
  'KMSInternalException',
  'DependencyTimeoutException',
  'ThrottlingException',
  'LimitExceededException',
  'ServiceUnavailableException',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $fault?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * Maps an error thrown by `@aws-sdk/client-kms` to the typed error of this package. Matching is
 * by `error.name` (the KMS exception name) and, for transport failures, by the socket error code
 * or an HTTP 5xx status; anything unrecognised is a `KeyringError('rejected')`, never a silent
 * success.
 */
export function translateKmsError(error: unknown, operation: string, keyId: string): Error {
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? '';
  const detail = e.message ? `: ${e.message}` : '';
  if (CIPHERTEXT_FAILURES.has(name)) {
    return new DataKeyUnwrapError(`KMS ${operation} refused the ciphertext (${name})`, {
      cause: error,
    });
  }
  const failure = KEY_FAILURES[name];
  if (failure) {
    return new KeyringError(failure, `KMS ${operation} failed (${name})${detail}`, keyId, {
      cause: error,
    });
  }
  const status = e.$metadata?.httpStatusCode;
  if (
    UNAVAILABLE.has(name) ||
    (e.code !== undefined && NETWORK_CODES.has(e.code)) ||
    (typeof status === 'number' && status >= 500) ||
    (e.$fault === 'server' && status === undefined)
  ) {
    return new KmsUnavailableError(
      `KMS ${operation} is unavailable (${name || e.code || 'error'})`,
      {
        cause: error,
      },
    );
  }
  if (status === undefined && e.$fault === undefined) {
    // No HTTP answer at all: the request never reached KMS (transport failure).
    return new KmsUnavailableError(`KMS ${operation} could not be reached${detail}`, {
      cause: error,
    });
  }
  return new KeyringError('rejected', `KMS ${operation} failed (${name})${detail}`, keyId, {
    cause: error,
  });
}
