import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EndpointKey } from './key-registry.js';
import { KmsFault } from './kms-fault.js';

/** Blob layout: version byte, key id (36 ASCII bytes), 12-byte IV, ciphertext, 16-byte tag. */
const BLOB_VERSION = 1;
const KEY_ID_BYTES = 36;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES + IV_BYTES;

export type EncryptionContext = Readonly<Record<string, string>>;

/** Order-independent encoding of an encryption context, bound to the ciphertext as AAD. */
function contextAad(keyId: string, context: EncryptionContext): Buffer {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify([keyId, entries]), 'utf8');
}

/** Encrypts `plaintext` under the key, binding the encryption context as KMS does. */
export function sealBlob(key: EndpointKey, plaintext: Buffer, context: EncryptionContext): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.material, iv);
  cipher.setAAD(contextAad(key.id, context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([
    Buffer.from([BLOB_VERSION]),
    Buffer.from(key.id, 'ascii'),
    iv,
    body,
    cipher.getAuthTag(),
  ]);
}

/** The key id a blob names, or an InvalidCiphertextException when it is not one of ours. */
export function blobKeyId(blob: Buffer): string {
  if (blob.length < HEADER_BYTES + TAG_BYTES || blob[0] !== BLOB_VERSION) {
    throw new KmsFault('InvalidCiphertextException', 'The ciphertext is invalid.');
  }
  return blob.subarray(1, 1 + KEY_ID_BYTES).toString('ascii');
}

/** Decrypts a blob; a wrong context or any tampering is an InvalidCiphertextException. */
export function openBlob(key: EndpointKey, blob: Buffer, context: EncryptionContext): Buffer {
  const iv = blob.subarray(1 + KEY_ID_BYTES, HEADER_BYTES);
  const body = blob.subarray(HEADER_BYTES, blob.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.material, iv);
    decipher.setAAD(contextAad(key.id, context));
    decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new KmsFault('InvalidCiphertextException', 'The ciphertext is invalid.');
  }
}
