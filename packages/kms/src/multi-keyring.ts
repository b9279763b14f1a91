import { KeyringError } from './errors.js';
import type { DataKey, EncryptionContext, Keyring, WrappedDataKey } from './keyring.js';

export interface MultiKeyringOptions {
  /** Generates and wraps every new data key, and is the target of rotation. */
  readonly primary: Keyring;
  /** Keyrings that only open data sealed earlier (an old KMS key, a local keyring being retired). */
  readonly others?: readonly Keyring[];
}

/**
 * Several keyrings as one: new data keys come from the primary; a wrapped key opens with the
 * first keyring that holds its master key. Use it to move from a local keyring to KMS, or from
 * one KMS key (or account) to another, while old data still opens; then rotate.
 *
 * @example
 * ```ts
 * import { generateLocalMasterKey, LocalAesKeyring, MultiKeyring } from '@a2a-stores/kms';
 * const keyring = new MultiKeyring({
 *   primary: new LocalAesKeyring({ keys: { k2: generateLocalMasterKey() }, primary: 'k2' }),
 *   others: [new LocalAesKeyring({ keys: { k1: generateLocalMasterKey() }, primary: 'k1' })],
 * });
 * ```
 */
export class MultiKeyring implements Keyring {
  readonly primary: Keyring;
  readonly #all: readonly Keyring[];

  constructor(options: MultiKeyringOptions) {
    if (!options?.primary) throw new TypeError('MultiKeyring: primary is required');
    this.primary = options.primary;
    this.#all = [options.primary, ...(options.others ?? [])];
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    return this.primary.generateDataKey(context);
  }

  async wrapDataKey(plaintext: Buffer, context: EncryptionContext): Promise<WrappedDataKey> {
    return this.primary.wrapDataKey(plaintext, context);
  }

  canUnwrap(wrapped: WrappedDataKey): boolean {
    return this.#all.some((keyring) => keyring.canUnwrap(wrapped));
  }

  async unwrapDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<Buffer> {
    return this.#holder(wrapped).unwrapDataKey(wrapped, context);
  }

  async rewrapDataKey(
    wrapped: WrappedDataKey,
    context: EncryptionContext,
  ): Promise<WrappedDataKey> {
    if (this.primary.canUnwrap(wrapped)) return this.primary.rewrapDataKey(wrapped, context);
    // Across keyrings the data key must pass through this process once: open, wrap, zero.
    const plaintext = await this.#holder(wrapped).unwrapDataKey(wrapped, context);
    try {
      return await this.primary.wrapDataKey(plaintext, context);
    } finally {
      plaintext.fill(0);
    }
  }

  async isPrimary(wrapped: WrappedDataKey): Promise<boolean> {
    return this.primary.isPrimary(wrapped);
  }

  #holder(wrapped: WrappedDataKey): Keyring {
    const keyring = this.#all.find((candidate) => candidate.canUnwrap(wrapped));
    if (!keyring) {
      throw new KeyringError(
        'unknown-key',
        `No keyring holds master key ${JSON.stringify(wrapped.keyId)} (${wrapped.provider})`,
        wrapped.keyId,
      );
    }
    return keyring;
  }
}
