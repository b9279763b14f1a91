import type { KMSClient } from '@aws-sdk/client-kms';
import { translateKmsError } from './aws-kms-errors.js';
import { KeyringError } from './errors.js';
import type { DataKey, EncryptionContext, Keyring, WrappedDataKey } from './keyring.js';

const PROVIDER = 'aws-kms';
const DATA_KEY_BYTES = 32;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

type KmsModule = typeof import('@aws-sdk/client-kms');

let kmsModule: Promise<KmsModule> | undefined;
/**
 * `@aws-sdk/client-kms` is an optional peer dependency: it is loaded on first use, so users of
 * the local keyring never need it installed.
 */
function loadKmsModule(): Promise<KmsModule> {
  kmsModule ??= import('@aws-sdk/client-kms');
  return kmsModule;
}

export interface AwsKmsKeyringOptions {
  /** Your client (region, credentials, retries and timeouts are yours to configure). */
  readonly client: KMSClient;
  /** The KMS key new data keys are generated under: a key ARN, alias name or alias ARN. */
  readonly keyId: string;
  /**
   * Key ARNs whose ciphertexts this keyring may decrypt (and re-encrypt from). `Decrypt` always
   * quotes the ARN recorded with the data key, so KMS refuses a ciphertext made under any other
   * key. Default: `[keyId]` when `keyId` is a key ARN; required when it is an alias. List retired
   * keys here until rotation has re-wrapped everything sealed under them.
   */
  readonly decryptKeyArns?: readonly string[];
  /** Grant tokens passed on every call. */
  readonly grantTokens?: readonly string[];
}

/**
 * Data keys from AWS KMS: `GenerateDataKey` under `keyId`, `Decrypt` with the key ARN recorded in
 * the envelope (never an alias), `Encrypt`/`ReEncrypt` for rotation. The record's context is sent
 * as the KMS `EncryptionContext`, so a wrapped key copied to another record does not decrypt and
 * CloudTrail shows which record each call was for. KMS errors are mapped by name to
 * `KeyringError`, `KmsUnavailableError` or (bad ciphertext) `DecryptionError`.
 *
 * @example
 * ```ts
 * import { KMSClient } from '@aws-sdk/client-kms';
 * import { AwsKmsKeyring } from '@a2a-stores/kms';
 * const keyring = new AwsKmsKeyring({
 *   client: new KMSClient({ region: 'eu-west-1' }),
 *   keyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
 * });
 * ```
 */
export class AwsKmsKeyring implements Keyring {
  readonly keyId: string;
  readonly #client: KMSClient;
  readonly #decryptArns: ReadonlySet<string>;
  readonly #grantTokens: string[] | undefined;
  #primaryArn: Promise<string> | undefined;

  constructor(options: AwsKmsKeyringOptions) {
    if (!options?.client || typeof options.client.send !== 'function') {
      throw new TypeError('AwsKmsKeyring: client must be a KMSClient');
    }
    if (typeof options.keyId !== 'string' || options.keyId.length === 0) {
      throw new TypeError('AwsKmsKeyring: keyId is required');
    }
    const arns = options.decryptKeyArns ?? (KEY_ARN.test(options.keyId) ? [options.keyId] : []);
    if (arns.length === 0) {
      throw new TypeError(
        'AwsKmsKeyring: keyId is not a key ARN, so decryptKeyArns (key ARNs) is required',
      );
    }
    for (const arn of arns) {
      if (!KEY_ARN.test(arn)) {
        throw new TypeError(`AwsKmsKeyring: decryptKeyArns must be key ARNs, got ${arn}`);
      }
    }
    this.#client = options.client;
    this.keyId = options.keyId;
    this.#decryptArns = new Set(arns);
    this.#grantTokens = options.grantTokens ? [...options.grantTokens] : undefined;
    if (KEY_ARN.test(options.keyId)) this.#primaryArn = Promise.resolve(options.keyId);
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const kms = await loadKmsModule();
    const output = await this.#send('GenerateDataKey', this.keyId, () =>
      this.#client.send(
        new kms.GenerateDataKeyCommand({
          KeyId: this.keyId,
          KeySpec: 'AES_256',
          EncryptionContext: { ...context },
          GrantTokens: this.#grantTokens,
        }),
      ),
    );
    const plaintext = Buffer.from(output.Plaintext ?? new Uint8Array());
    output.Plaintext?.fill(0);
    const keyArn = output.KeyId ?? '';
    if (plaintext.length !== DATA_KEY_BYTES || !output.CiphertextBlob) {
      plaintext.fill(0);
      throw new KeyringError('rejected', 'KMS GenerateDataKey returned no usable key', keyArn);
    }
    this.#assertDecryptable(keyArn, plaintext);
    return {
      plaintext,
      wrapped: { provider: PROVIDER, keyId: keyArn, ciphertext: output.CiphertextBlob },
    };
  }

  async wrapDataKey(plaintext: Buffer, context: EncryptionContext): Promise<WrappedDataKey> {
    const kms = await loadKmsModule();
    const output = await this.#send('Encrypt', this.keyId, () =>
      this.#client.send(
        new kms.EncryptCommand({
          KeyId: this.keyId,
          Plaintext: plaintext,
          EncryptionContext: { ...context },
          GrantTokens: this.#grantTokens,
        }),
      ),
    );
    return this.#wrapped('Encrypt', output.KeyId, output.CiphertextBlob);
  }

  canUnwrap(wrapped: WrappedDataKey): boolean {
    return wrapped.provider === PROVIDER && this.#decryptArns.has(wrapped.keyId);
  }

  async unwrapDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<Buffer> {
    this.#assertOwned(wrapped);
    const kms = await loadKmsModule();
    const output = await this.#send('Decrypt', wrapped.keyId, () =>
      this.#client.send(
        new kms.DecryptCommand({
          CiphertextBlob: wrapped.ciphertext,
          KeyId: wrapped.keyId,
          EncryptionContext: { ...context },
          GrantTokens: this.#grantTokens,
        }),
      ),
    );
    const plaintext = Buffer.from(output.Plaintext ?? new Uint8Array());
    output.Plaintext?.fill(0);
    if (output.KeyId !== wrapped.keyId || plaintext.length !== DATA_KEY_BYTES) {
      plaintext.fill(0);
      throw new KeyringError('rejected', 'KMS Decrypt answered for another key', wrapped.keyId);
    }
    return plaintext;
  }

  async rewrapDataKey(
    wrapped: WrappedDataKey,
    context: EncryptionContext,
  ): Promise<WrappedDataKey> {
    this.#assertOwned(wrapped);
    const kms = await loadKmsModule();
    const output = await this.#send('ReEncrypt', wrapped.keyId, () =>
      this.#client.send(
        new kms.ReEncryptCommand({
          CiphertextBlob: wrapped.ciphertext,
          SourceKeyId: wrapped.keyId,
          SourceEncryptionContext: { ...context },
          DestinationKeyId: this.keyId,
          DestinationEncryptionContext: { ...context },
          GrantTokens: this.#grantTokens,
        }),
      ),
    );
    return this.#wrapped('ReEncrypt', output.KeyId, output.CiphertextBlob);
  }

  async isPrimary(wrapped: WrappedDataKey): Promise<boolean> {
    return wrapped.provider === PROVIDER && wrapped.keyId === (await this.primaryKeyArn());
  }

  /** The ARN of `keyId` (resolved once with `DescribeKey` when `keyId` is an alias). */
  primaryKeyArn(): Promise<string> {
    this.#primaryArn ??= (async () => {
      const kms = await loadKmsModule();
      const output = await this.#send('DescribeKey', this.keyId, () =>
        this.#client.send(new kms.DescribeKeyCommand({ KeyId: this.keyId })),
      );
      const arn = output.KeyMetadata?.Arn;
      if (!arn) throw new KeyringError('rejected', 'KMS DescribeKey returned no ARN', this.keyId);
      return arn;
    })().catch((error: unknown) => {
      this.#primaryArn = undefined;
      throw error;
    });
    return this.#primaryArn;
  }

  #wrapped(operation: string, keyArn: string | undefined, blob: Uint8Array | undefined) {
    if (!keyArn || !blob) {
      throw new KeyringError('rejected', `KMS ${operation} returned no ciphertext`, keyArn);
    }
    this.#assertDecryptable(keyArn);
    return { provider: PROVIDER, keyId: keyArn, ciphertext: blob };
  }

  /**
   * A key made under an ARN this keyring may not decrypt would be written and never read back
   * (e.g. an alias re-pointed to a new key): refuse before anything is stored.
   */
  #assertDecryptable(keyArn: string, plaintext?: Buffer): void {
    if (this.#decryptArns.has(keyArn)) return;
    plaintext?.fill(0);
    throw new KeyringError(
      'rejected',
      `KMS used ${keyArn}, which is not in decryptKeyArns; add it before writing with it`,
      keyArn,
    );
  }

  #assertOwned(wrapped: WrappedDataKey): void {
    if (!this.canUnwrap(wrapped)) {
      throw new KeyringError(
        'unknown-key',
        `AwsKmsKeyring may not decrypt under ${wrapped.keyId} (not in decryptKeyArns)`,
        wrapped.keyId,
      );
    }
  }

  async #send<T>(operation: string, keyId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw translateKmsError(error, operation, keyId);
    }
  }
}
