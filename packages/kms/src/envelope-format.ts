import { decodeCanonicalBase64url } from './base64url.js';
import type { WrappedDataKey } from './keyring.js';
import { FORMAT_VERSION, READABLE_VERSIONS, RECORD_FORMAT_VERSION } from './record-binding.js';

/** Every value sealed now starts with this; the rest is base64url of the binary envelope. */
export const SEALED_PREFIX = `a2asealed:v${FORMAT_VERSION}:`;
/** A task record envelope (all of a task's sealed fields in one) starts with this. */
export const RECORD_PREFIX = `a2asealed:v${RECORD_FORMAT_VERSION}:`;
const ANY_SEALED_PREFIX = 'a2asealed:';
const VERSIONED_PREFIX = /^a2asealed:v([0-9]{1,3}):/;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

/**
 * A sealed value, self-describing: which keyring and master key wrap its data key, the wrapped
 * data key, and the AES-256-GCM IV, ciphertext and tag. Binary layout (v1, v2 and v3):
 * `version u8 | provider length u8 | provider | key id length u16 | key id |
 *  wrapped key length u16 | wrapped key | iv (12) | ciphertext | tag (16)`.
 */
export interface Envelope {
  /** Format version (what the associated data binds); default the current one. */
  readonly version?: number;
  readonly wrapped: WrappedDataKey;
  readonly iv: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  readonly sealed: Buffer;
}

/** True for any value in the sealed format (any version), so strict mode can tell plaintext. */
export function looksSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ANY_SEALED_PREFIX);
}

/**
 * The envelope bytes before the IV (version, provider, key id, wrapped key): the same for every
 * field sealed under one data key, so a record encodes them once.
 */
export function envelopeHead(wrapped: WrappedDataKey, version: number = FORMAT_VERSION): Buffer {
  const provider = Buffer.from(wrapped.provider, 'utf8');
  const keyId = Buffer.from(wrapped.keyId, 'utf8');
  const key = wrapped.ciphertext;
  if (provider.length > 0xff || keyId.length > 0xffff || key.length > 0xffff) {
    throw new RangeError('envelope header field too long');
  }
  const head = Buffer.allocUnsafe(1 + 1 + provider.length + 2 + keyId.length + 2 + key.length);
  let at = head.writeUInt8(version, 0);
  at = head.writeUInt8(provider.length, at);
  at += provider.copy(head, at);
  at = head.writeUInt16BE(keyId.length, at);
  at += keyId.copy(head, at);
  at = head.writeUInt16BE(key.length, at);
  head.set(key, at);
  return head;
}

/**
 * A sealed value from its head ({@link envelopeHead}) and the rest: IV, ciphertext, tag. The
 * text prefix names the head's version.
 */
export function formatSealed(head: Buffer, ...rest: Buffer[]): string {
  const prefix =
    head[0] === RECORD_FORMAT_VERSION
      ? RECORD_PREFIX
      : head[0] === FORMAT_VERSION
        ? SEALED_PREFIX
        : `a2asealed:v${head[0]}:`;
  return prefix + Buffer.concat([head, ...rest]).toString('base64url');
}

/** The text of an envelope, in its own version (rotation re-wraps without changing it). */
export function formatEnvelope(envelope: Envelope): string {
  const head = envelopeHead(envelope.wrapped, envelope.version ?? FORMAT_VERSION);
  return formatSealed(head, envelope.iv, envelope.sealed);
}

/** Parses a sealed value; throws `Error` with a short reason when it is not a valid envelope. */
export function parseEnvelope(text: string): Envelope {
  const match = VERSIONED_PREFIX.exec(text);
  const version = match ? Number(match[1]) : 0;
  if (!READABLE_VERSIONS.has(version) || match![1] !== String(version)) {
    throw new Error('unknown sealed format version');
  }
  const bytes = decodeCanonicalBase64url(text, match![0].length);
  if (!bytes) throw new Error('envelope is not base64url');
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) throw new Error('envelope is truncated');
  };
  need(2);
  if (bytes.readUInt8(0) !== version) throw new Error('envelope version mismatch');
  const providerLength = bytes.readUInt8(1);
  at = 2;
  need(providerLength + 2);
  const provider = bytes.toString('utf8', at, at + providerLength);
  at += providerLength;
  const keyIdLength = bytes.readUInt16BE(at);
  at += 2;
  need(keyIdLength + 2);
  const keyId = bytes.toString('utf8', at, at + keyIdLength);
  at += keyIdLength;
  const wrappedLength = bytes.readUInt16BE(at);
  at += 2;
  need(wrappedLength + IV_BYTES + TAG_BYTES);
  const ciphertext = bytes.subarray(at, at + wrappedLength);
  at += wrappedLength;
  const iv = bytes.subarray(at, at + IV_BYTES);
  const sealed = bytes.subarray(at + IV_BYTES);
  if (provider.length === 0 || keyId.length === 0 || wrappedLength === 0) {
    throw new Error('envelope names no key');
  }
  return { version, wrapped: { provider, keyId, ciphertext }, iv, sealed };
}
