import { openBytes, sealBytes } from './aead.js';
import type { DataKeySource } from './data-key-source.js';
import { type Envelope, envelopeHead, formatSealed, parseEnvelope } from './envelope-format.js';
import { DecryptionError } from './errors.js';
import { DataKeyUnwrapError, type WrappedDataKey } from './keyring.js';
import { randomIvs } from './random-ivs.js';
import { bindingKey, fieldAadOf, keyContext, type RecordBinding } from './record-binding.js';

/** One field of a record to seal: its name, its plaintext and extra bound data (push: the URL). */
export interface PlainField {
  readonly field: string;
  readonly plaintext: Buffer;
  readonly extra?: string;
}

/** One sealed field of a record to open. */
export interface SealedField {
  readonly field: string;
  readonly text: string;
  readonly extra?: string;
}

/** The record id errors report: the task id, or the push config id. */
function recordIdOf(binding: RecordBinding): string {
  return binding.kind === 'task' ? binding.taskId : binding.configId;
}

function sameWrappedKey(a: WrappedDataKey, b: WrappedDataKey): boolean {
  return (
    a.provider === b.provider &&
    a.keyId === b.keyId &&
    Buffer.compare(a.ciphertext, b.ciphertext) === 0
  );
}

/**
 * Seals and opens the fields of one record. All fields of a write share one data key (one
 * keyring call per record, not per field); each field has its own IV and its own associated
 * data, so a ciphertext moved to another field, record or scope does not open.
 */
export class RecordSealer {
  readonly keys: DataKeySource;

  constructor(keys: DataKeySource) {
    this.keys = keys;
  }

  async seal(binding: RecordBinding, fields: readonly PlainField[]): Promise<string[]> {
    if (fields.length === 0) return [];
    const bytes = fields.reduce((sum, f) => sum + f.plaintext.length, 0);
    const dataKey = await this.keys.forWrite(bindingKey(binding), keyContext(binding), bytes);
    try {
      const aad = fieldAadOf(binding);
      const head = envelopeHead(dataKey.wrapped);
      const ivs = randomIvs(fields.length);
      return fields.map(({ field, plaintext, extra }, i) => {
        const iv = ivs[i]!;
        const { ciphertext, tag } = sealBytes(dataKey.plaintext, iv, plaintext, aad(field, extra));
        return formatSealed(head, iv, ciphertext, tag);
      });
    } finally {
      dataKey.plaintext.fill(0);
    }
  }

  /**
   * Opens sealed fields of one record, unwrapping each distinct data key once. Any failure to
   * open is a `DecryptionError` naming the field; keyring and availability errors pass through.
   */
  async open(binding: RecordBinding, fields: readonly SealedField[]): Promise<Buffer[]> {
    const recordId = recordIdOf(binding);
    // Fields of one write share a data key: group them, so each key is asked for once with the
    // bytes it opens.
    const keys: { wrapped: WrappedDataKey; bytes: number; key?: Buffer }[] = [];
    const envelopes = fields.map(({ field, text }) => {
      let envelope: Envelope;
      try {
        envelope = parseEnvelope(text);
      } catch (error) {
        throw new DecryptionError(recordId, field, (error as Error).message, { cause: error });
      }
      let entry = keys.find((k) => sameWrappedKey(k.wrapped, envelope.wrapped));
      if (!entry) {
        entry = { wrapped: envelope.wrapped, bytes: 0 };
        keys.push(entry);
      }
      entry.bytes += envelope.sealed.length;
      return { envelope, entry };
    });
    const partition = bindingKey(binding);
    const context = keyContext(binding);
    const aad = fieldAadOf(binding);
    const opened: Buffer[] = [];
    try {
      for (const [index, { envelope, entry }] of envelopes.entries()) {
        const { field, extra } = fields[index]!;
        if (!entry.key) {
          try {
            entry.key = await this.keys.forRead(partition, entry.wrapped, context, entry.bytes);
          } catch (error) {
            if (!(error instanceof DataKeyUnwrapError)) throw error;
            throw new DecryptionError(recordId, field, error.message, { cause: error });
          }
        }
        try {
          opened.push(openBytes(entry.key, envelope.iv, envelope.sealed, aad(field, extra)));
        } catch (error) {
          throw new DecryptionError(
            recordId,
            field,
            'ciphertext does not open for this record and field',
            { cause: error },
          );
        }
      }
      return opened;
    } finally {
      for (const { key } of keys) key?.fill(0);
    }
  }
}
