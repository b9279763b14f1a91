import { readFile, stat } from 'node:fs/promises';
import type { Keyring } from '@a2a-stores/kms';
import { CliError, ExitCode, UsageError } from './exit-codes.js';

/** Where `rotate-keys` gets its keyring: a local keys file, an AWS KMS key, or both. */
export interface KeyringSource {
  /** JSON file `{ "primary": "k2", "keys": { "k1": "<base64>", "k2": "<base64>" } }`. */
  readonly keysFile?: string;
  /** The KMS key new data keys go under (ARN, alias name or alias ARN). */
  readonly kmsKeyId?: string;
  /** Key ARNs old data keys may be under (KMS `decryptKeyArns`). */
  readonly kmsDecryptKeyArns?: readonly string[];
}

/** What was built, described without any key material (for the output). */
export interface OpenedKeyring {
  readonly keyring: Keyring;
  readonly primary: string;
  readonly close: () => void;
}

/**
 * Builds the keyring rotation re-wraps into. With a keys file only: a `LocalAesKeyring` whose
 * primary is the target and whose other keys open old data. With a KMS key only: an
 * `AwsKmsKeyring` (region and credentials from the usual AWS environment). With both: KMS is the
 * primary and the local keys only open old data, which is the move from local keys to KMS.
 * Key material is never printed; a keys file readable by group or others gets a warning.
 */
export async function openKeyring(
  source: KeyringSource,
  warn: (message: string) => void,
): Promise<OpenedKeyring> {
  const kms = await importKms();
  const local =
    source.keysFile === undefined ? undefined : await localKeyring(kms, source.keysFile, warn);
  if (source.kmsKeyId === undefined) {
    if (local === undefined) {
      throw new UsageError(
        'rotate-keys needs a keyring: --keys-file (or A2A_STORES_KEYS_FILE) and/or --kms-key-id (or A2A_KMS_KEY_ARN)',
      );
    }
    return { keyring: local, primary: `local key "${local.primary}"`, close: () => local.close() };
  }
  const aws = await importAwsSdk();
  const keyring = new kms.AwsKmsKeyring({
    client: new aws.KMSClient({}),
    keyId: source.kmsKeyId,
    ...(source.kmsDecryptKeyArns === undefined
      ? {}
      : { decryptKeyArns: [...source.kmsDecryptKeyArns] }),
  });
  const primary = `KMS key ${source.kmsKeyId}`;
  if (local === undefined) return { keyring, primary, close: () => {} };
  return {
    keyring: new kms.MultiKeyring({ primary: keyring, others: [local] }),
    primary,
    close: () => local.close(),
  };
}

async function localKeyring(
  kms: typeof import('@a2a-stores/kms'),
  path: string,
  warn: (message: string) => void,
): Promise<InstanceType<typeof kms.LocalAesKeyring>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
    if (((await stat(path)).mode & 0o077) !== 0) {
      warn(`keys file ${path} is readable by group or others; chmod 600 it`);
    }
  } catch (error) {
    throw new UsageError(`--keys-file: cannot read ${path} (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never echo the content: it is key material.
    throw new UsageError(`--keys-file: ${path} is not JSON`);
  }
  const { keys, primary } = (parsed ?? {}) as { keys?: unknown; primary?: unknown };
  if (typeof primary !== 'string' || typeof keys !== 'object' || keys === null) {
    throw new UsageError(
      `--keys-file: ${path} must hold { "primary": "<id>", "keys": { "<id>": "<base64 key>" } }`,
    );
  }
  try {
    return new kms.LocalAesKeyring({ keys: keys as Record<string, string>, primary });
  } catch (error) {
    throw new UsageError(`--keys-file: ${(error as Error).message}`);
  }
}

async function importKms(): Promise<typeof import('@a2a-stores/kms')> {
  try {
    return await import('@a2a-stores/kms');
  } catch (error) {
    throw missing(error, '@a2a-stores/kms', 'rotate-keys needs @a2a-stores/kms');
  }
}

async function importAwsSdk(): Promise<typeof import('@aws-sdk/client-kms')> {
  try {
    return await import('@aws-sdk/client-kms');
  } catch (error) {
    throw missing(error, '@aws-sdk/client-kms', 'an AWS KMS keyring needs @aws-sdk/client-kms');
  }
}

function missing(error: unknown, name: string, why: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return new CliError(ExitCode.adapterMissing, `${why}: npm install ${name}`, { cause: error });
  }
  return error;
}
