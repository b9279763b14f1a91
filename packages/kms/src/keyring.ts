/**
 * A string map bound to a data key: AWS KMS `EncryptionContext`, and the associated data of a
 * local wrap. The wrapper derives it from the record (scope, task, config), so a wrapped key only
 * opens for the record it was made for.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

/** A data key as stored: wrapped (encrypted) under a master key. */
export interface WrappedDataKey {
  /** The kind of keyring that wrapped it (`'local'`, `'aws-kms'`, or a custom keyring's). */
  readonly provider: string;
  /** The master key that wraps it: a local key id, or a KMS key ARN. */
  readonly keyId: string;
  readonly ciphertext: Uint8Array;
}

/** A fresh data key: the plaintext (the caller zeroes it when done) and its wrapped form. */
export interface DataKey {
  readonly plaintext: Buffer;
  readonly wrapped: WrappedDataKey;
}

/**
 * Where data keys come from and how they are opened. {@link LocalAesKeyring} and
 * {@link AwsKmsKeyring} implement it; {@link MultiKeyring} combines several so data sealed under
 * an old key still opens. A custom keyring (another KMS, an HSM) implements the same six methods.
 *
 * Failures: `unwrapDataKey` throws {@link DataKeyUnwrapError} when the wrapped key does not open
 * with this context (tampered or moved), `KeyringError` when the master key is unknown, disabled or
 * denied, `KmsUnavailableError` when the service cannot be reached.
 */
export interface Keyring {
  /** A fresh 256-bit data key, wrapped under the primary master key with `context`. */
  generateDataKey(context: EncryptionContext): Promise<DataKey>;
  /** Wraps an existing data key under the primary master key (KMS `Encrypt`). */
  wrapDataKey(plaintext: Buffer, context: EncryptionContext): Promise<WrappedDataKey>;
  /** True when this keyring holds the master key `wrapped` names. */
  canUnwrap(wrapped: WrappedDataKey): boolean;
  /** The data key inside `wrapped`; the caller zeroes it when done. */
  unwrapDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<Buffer>;
  /**
   * `wrapped`'s data key re-wrapped under the primary master key (KMS `ReEncrypt`: the data key
   * never leaves the service). The data it encrypts is untouched.
   */
  rewrapDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<WrappedDataKey>;
  /** True when `wrapped` is already under the primary master key (rotation skips it). */
  isPrimary(wrapped: WrappedDataKey): Promise<boolean>;
}

/**
 * Thrown by a keyring when a wrapped data key does not open under its master key with the given
 * context: it was tampered with, or moved to another record. The wrapper turns it into a
 * `DecryptionError` naming the record and field.
 */
export class DataKeyUnwrapError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataKeyUnwrapError';
  }
}

/** Order-independent text of a context (cache keys, local key-wrap associated data). */
export function canonicalContext(context: EncryptionContext): string {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}
