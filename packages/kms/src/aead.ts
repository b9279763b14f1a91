import { createCipheriv, createDecipheriv } from 'node:crypto';
import { TAG_BYTES } from './envelope-format.js';

/** AES-256-GCM under `key` with a fresh random `iv`: the ciphertext and the 16-byte tag. */
export function sealBytes(
  key: Buffer,
  iv: Buffer,
  plaintext: Buffer,
  aad: Buffer,
): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const rest = cipher.final();
  // GCM is a stream mode: final() returns nothing, so the update output is the ciphertext.
  const ciphertext = rest.length === 0 ? head : Buffer.concat([head, rest]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Opens what {@link sealBytes} made (`sealed`: ciphertext then tag); throws when the tag, key,
 * IV or associated data differ. Nothing is returned before final() has checked the tag.
 */
export function openBytes(key: Buffer, iv: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const head = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  const rest = decipher.final();
  return rest.length === 0 ? head : Buffer.concat([head, rest]);
}
