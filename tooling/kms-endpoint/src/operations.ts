import { randomBytes } from 'node:crypto';
import { blobKeyId, type EncryptionContext, openBlob, sealBlob } from './key-material.js';
import type { EndpointKey, KeyRegistry } from './key-registry.js';
import { KmsFault, validation } from './kms-fault.js';

/** The KMS operations the endpoint speaks. */
export const KMS_OPERATIONS = [
  'GenerateDataKey',
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'DescribeKey',
] as const;

export type KmsOperation = (typeof KMS_OPERATIONS)[number];

type Request = Record<string, unknown>;
type Response = Record<string, unknown>;

/** Who is calling: the access key id the SigV4 signature was verified for. */
export interface Caller {
  readonly accessKeyId: string;
}

const b64 = (bytes: Buffer): string => bytes.toString('base64');

function blobField(request: Request, name: string): Buffer {
  const value = request[name];
  if (typeof value !== 'string' || value.length === 0) throw validation(`${name} is required`);
  return Buffer.from(value, 'base64');
}

function contextField(request: Request, name: string): EncryptionContext {
  const value = request[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw validation(`${name} must be a map`);
  for (const entry of Object.values(value)) {
    if (typeof entry !== 'string') throw validation(`${name} values must be strings`);
  }
  return value as EncryptionContext;
}

/** The checks KMS makes before any cryptographic use of a key, in its order. */
function usableKey(key: EndpointKey, caller: Caller): EndpointKey {
  if (key.deniedAccessKeys.has('*') || key.deniedAccessKeys.has(caller.accessKeyId)) {
    throw new KmsFault(
      'AccessDeniedException',
      `User ${caller.accessKeyId} is not authorized to use ${key.arn}`,
    );
  }
  if (key.state === 'Disabled') throw new KmsFault('DisabledException', `${key.arn} is disabled.`);
  if (key.state !== 'Enabled') {
    throw new KmsFault('KMSInvalidStateException', `${key.arn} is pending deletion.`);
  }
  return key;
}

function dataKeyLength(request: Request): number {
  const { NumberOfBytes: bytes, KeySpec: spec } = request;
  if (bytes !== undefined && spec !== undefined) {
    throw validation('Specify either KeySpec or NumberOfBytes, not both');
  }
  if (spec === 'AES_256') return 32;
  if (spec === 'AES_128') return 16;
  if (typeof bytes === 'number' && Number.isInteger(bytes) && bytes >= 1 && bytes <= 1024) {
    return bytes;
  }
  throw validation('KeySpec (AES_256 or AES_128) or NumberOfBytes (1..1024) is required');
}

/**
 * Finds the key a ciphertext names and checks it against the `KeyId` the caller quoted, as KMS
 * does: quoting another key is an IncorrectKeyException, never a silent success.
 */
function keyOfBlob(
  registry: KeyRegistry,
  blob: Buffer,
  quoted: unknown,
  caller: Caller,
): EndpointKey {
  const key = registry.byId(blobKeyId(blob));
  if (!key) throw new KmsFault('InvalidCiphertextException', 'The ciphertext is invalid.');
  if (quoted !== undefined && registry.resolve(quoted).id !== key.id) {
    throw new KmsFault(
      'IncorrectKeyException',
      'The key ID in the request does not identify a KMS key that can perform this operation.',
    );
  }
  return usableKey(key, caller);
}

/** Runs one operation against the registry and returns the JSON response body. */
export function runOperation(
  registry: KeyRegistry,
  operation: KmsOperation,
  request: Request,
  caller: Caller,
): Response {
  switch (operation) {
    case 'GenerateDataKey': {
      const key = usableKey(registry.resolve(request.KeyId), caller);
      const plaintext = randomBytes(dataKeyLength(request));
      const context = contextField(request, 'EncryptionContext');
      return {
        CiphertextBlob: b64(sealBlob(key, plaintext, context)),
        Plaintext: b64(plaintext),
        KeyId: key.arn,
      };
    }
    case 'Encrypt': {
      const key = usableKey(registry.resolve(request.KeyId), caller);
      const plaintext = blobField(request, 'Plaintext');
      if (plaintext.length > 4096) throw validation('Plaintext must be at most 4096 bytes');
      const context = contextField(request, 'EncryptionContext');
      return {
        CiphertextBlob: b64(sealBlob(key, plaintext, context)),
        KeyId: key.arn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    }
    case 'Decrypt': {
      const blob = blobField(request, 'CiphertextBlob');
      const key = keyOfBlob(registry, blob, request.KeyId, caller);
      const plaintext = openBlob(key, blob, contextField(request, 'EncryptionContext'));
      return {
        KeyId: key.arn,
        Plaintext: b64(plaintext),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    }
    case 'ReEncrypt': {
      const blob = blobField(request, 'CiphertextBlob');
      const source = keyOfBlob(registry, blob, request.SourceKeyId, caller);
      const destination = usableKey(registry.resolve(request.DestinationKeyId), caller);
      const plaintext = openBlob(source, blob, contextField(request, 'SourceEncryptionContext'));
      const context = contextField(request, 'DestinationEncryptionContext');
      return {
        CiphertextBlob: b64(sealBlob(destination, plaintext, context)),
        SourceKeyId: source.arn,
        KeyId: destination.arn,
        SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    }
    case 'DescribeKey': {
      const key = registry.resolve(request.KeyId);
      return {
        KeyMetadata: {
          AWSAccountId: registry.accountId,
          KeyId: key.id,
          Arn: key.arn,
          CreationDate: key.createdAt.getTime() / 1000,
          Enabled: key.state === 'Enabled',
          Description: key.description,
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeyState: key.state,
          Origin: 'AWS_KMS',
          KeyManager: 'CUSTOMER',
          KeySpec: 'SYMMETRIC_DEFAULT',
          CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
          EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
          MultiRegion: false,
        },
      };
    }
  }
}
