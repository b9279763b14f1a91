import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeyringError } from './errors.js';
import {
  canonicalContext,
  type DataKey,
  DataKeyUnwrapError,
  type EncryptionContext,
  type Keyring,
  type WrappedDataKey,
} from './keyring.js';

const PROVIDER = 'local';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface LocalAesKeyringOptions {
  /**
   * Master keys by id: 32 random bytes each, as bytes or base64 text (see
   * {@link generateLocalMasterKey}). Keep retired keys here until rotation has re-wrapped
   * everything sealed under them.
   */
  readonly keys: Readonly<Record<string, Uint8Array | string>>;
  /** The id of the key new data keys are wrapped under. */
  readonly primary: string;
}

/** 32 random bytes as base64: a new master key for {@link LocalAesKeyring}. */
export function generateLocalMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

function keyBytes(id: string, value: Uint8Array | string): Buffer {
  const bytes =
    typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(new Uint8Array(value));
  if (bytes.length !== KEY_BYTES) {
    throw new TypeError(`LocalAesKeyring: key ${JSON.stringify(id)} must be 32 bytes (AES-256)`);
  }
  return bytes;
}

/** Associated data of a wrap: the master key id and the record's context. */
function wrapAad(keyId: string, context: EncryptionContext): Buffer {
  return Buffer.from(`a2a-stores/local-wrap/v1\n${keyId}\n${canonicalContext(context)}`, 'utf8');
}

/**
 * Master keys held by the application (an environment secret, a mounted file): data keys are
 * wrapped with AES-256-GCM under the primary key, with the record's context as associated data.
 * For development, and for deployments without a KMS. The master keys are copied; `close()`
 * zeroes the copies.
 *
 * @example
 * ```ts
 * import { generateLocalMasterKey, LocalAesKeyring } from '@a2a-stores/kms';
 * const keyring = new LocalAesKeyring({ keys: { k1: generateLocalMasterKey() }, primary: 'k1' });
 * ```
 */
export class LocalAesKeyring implements Keyring {
  readonly primary: string;
  readonly #keys = new Map<string, Buffer>();

  constructor(options: LocalAesKeyringOptions) {
    for (const [id, value] of Object.entries(options?.keys ?? {})) {
      if (id.length === 0 || id.length > 255) {
        throw new TypeError('LocalAesKeyring: key ids must be 1 to 255 characters');
      }
      this.#keys.set(id, keyBytes(id, value));
    }
    if (!this.#keys.has(options?.primary)) {
      throw new TypeError('LocalAesKeyring: primary must name one of the keys');
    }
    this.primary = options.primary;
  }

  /** Ids of the master keys this keyring holds. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const plaintext = randomBytes(KEY_BYTES);
    return { plaintext, wrapped: await this.wrapDataKey(plaintext, context) };
  }

  async wrapDataKey(plaintext: Buffer, context: EncryptionContext): Promise<WrappedDataKey> {
    const master = this.#master(this.primary);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', master, iv);
    cipher.setAAD(wrapAad(this.primary, context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      provider: PROVIDER,
      keyId: this.primary,
      ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  canUnwrap(wrapped: WrappedDataKey): boolean {
    return wrapped.provider === PROVIDER && this.#keys.has(wrapped.keyId);
  }

  async unwrapDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<Buffer> {
    if (wrapped.provider !== PROVIDER) {
      throw new KeyringError(
        'unknown-key',
        `LocalAesKeyring cannot open a key wrapped by ${JSON.stringify(wrapped.provider)}`,
        wrapped.keyId,
      );
    }
    const master = this.#master(wrapped.keyId);
    const bytes = Buffer.from(wrapped.ciphertext);
    if (bytes.length <= IV_BYTES + TAG_BYTES) {
      throw new DataKeyUnwrapError('wrapped data key is truncated');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', master, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(wrapAad(wrapped.keyId, context));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch (error) {
      throw new DataKeyUnwrapError('wrapped data key does not open with this context', {
        cause: error,
      });
    }
  }

  async rewrapDataKey(
    wrapped: WrappedDataKey,
    context: EncryptionContext,
  ): Promise<WrappedDataKey> {
    const plaintext = await this.unwrapDataKey(wrapped, context);
    try {
      return await this.wrapDataKey(plaintext, context);
    } finally {
      plaintext.fill(0);
    }
  }

  async isPrimary(wrapped: WrappedDataKey): Promise<boolean> {
    return wrapped.provider === PROVIDER && wrapped.keyId === this.primary;
  }

  /** Zeroes the keyring's copies of the master keys; the keyring is unusable afterwards. */
  close(): void {
    for (const key of this.#keys.values()) key.fill(0);
    this.#keys.clear();
  }

  #master(keyId: string): Buffer {
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new KeyringError(
        'unknown-key',
        `LocalAesKeyring has no master key ${JSON.stringify(keyId)}`,
        keyId,
      );
    }
    return key;
  }
}
