import { openBytes, sealBytes } from './aead.js';
import type { DataKeySource, WriteKey } from './data-key-source.js';
import { type Envelope, formatSealed, parseEnvelope } from './envelope-format.js';
import { DecryptionError } from './errors.js';
import { DataKeyUnwrapError, type WrappedDataKey } from './keyring.js';
import { randomIvs } from './random-ivs.js';
import { BoundRecord, type RecordBinding } from './record-binding.js';

/**
 * One field of a record to seal: its name, its plaintext and extra bound data (push: the URL;
 * `bind`, from format v2 on: more values, e.g. a credential's scheme).
 */
export interface PlainField {
  readonly field: string;
  readonly plaintext: Buffer;
  readonly extra?: string;
  readonly bind?: readonly string[];
}

/** One sealed field of a record to open, with what its sealing bound. */
export interface SealedField {
  readonly field: string;
  readonly text: string;
  readonly extra?: string;
  readonly bind?: readonly string[];
}

/** One distinct data key of a record being opened, with the bytes it opens. */
interface KeyGroup {
  readonly wrapped: WrappedDataKey;
  bytes: number;
  key?: Buffer;
}

/** A record's sealed fields parsed, their data keys grouped (fields of one write share one). */
interface ParsedRecord {
  readonly record: BoundRecord;
  readonly fields: readonly SealedField[];
  readonly envelopes: readonly { envelope: Envelope; group: KeyGroup }[];
  readonly groups: readonly KeyGroup[];
}

function sameWrappedKey(a: WrappedDataKey, b: WrappedDataKey): boolean {
  return (
    a.provider === b.provider &&
    a.keyId === b.keyId &&
    Buffer.compare(a.ciphertext, b.ciphertext) === 0
  );
}

function bytesOf(fields: readonly PlainField[]): number {
  let bytes = 0;
  for (const field of fields) bytes += field.plaintext.length;
  return bytes;
}

/**
 * Seals and opens the fields of one record. All fields of a write share one data key (one
 * keyring call per record, not per field); each field has its own IV and its own associated
 * data, so a ciphertext moved to another field, record or scope does not open.
 *
 * `sealCached` and `openCached` do the same work synchronously when every data key they need is
 * in the cache (the hot path: no keyring call, no promise), and return undefined otherwise.
 */
export class RecordSealer {
  readonly keys: DataKeySource;

  constructor(keys: DataKeySource) {
    this.keys = keys;
  }

  sealCached(binding: RecordBinding, fields: readonly PlainField[]): string[] | undefined {
    if (fields.length === 0) return [];
    if (!this.keys.cachesWrites) return undefined;
    const record = new BoundRecord(binding);
    const dataKey = this.keys.cachedForWrite(record.partition, bytesOf(fields));
    return dataKey && sealWith(dataKey, record, fields);
  }

  async seal(binding: RecordBinding, fields: readonly PlainField[]): Promise<string[]> {
    if (fields.length === 0) return [];
    const record = new BoundRecord(binding);
    const dataKey = await this.keys.forWrite(
      record.partition,
      () => record.context(),
      bytesOf(fields),
    );
    return sealWith(dataKey, record, fields);
  }

  openCached(binding: RecordBinding, fields: readonly SealedField[]): Buffer[] | undefined {
    if (!this.keys.cachesReads) return undefined;
    const parsed = parseRecord(binding, fields);
    const { partition } = parsed.record;
    for (const group of parsed.groups) {
      const key = this.keys.cachedForRead(partition, group.wrapped, group.bytes);
      if (!key) {
        // The async path asks for every key again: uses counted here only make limits come
        // sooner, never later.
        for (const { key: taken } of parsed.groups) taken?.fill(0);
        return undefined;
      }
      group.key = key;
    }
    return openParsed(parsed);
  }

  /**
   * Opens sealed fields of one record, unwrapping each distinct data key once. Any failure to
   * open is a `DecryptionError` naming the field; keyring and availability errors pass through.
   */
  async open(binding: RecordBinding, fields: readonly SealedField[]): Promise<Buffer[]> {
    const parsed = parseRecord(binding, fields);
    const { record } = parsed;
    const context = () => record.context();
    const opened: Buffer[] = [];
    try {
      for (const [index, { group }] of parsed.envelopes.entries()) {
        if (!group.key) {
          try {
            group.key = await this.keys.forRead(
              record.partition,
              group.wrapped,
              context,
              group.bytes,
            );
          } catch (error) {
            if (!(error instanceof DataKeyUnwrapError)) throw error;
            const { field } = fields[index]!;
            throw new DecryptionError(record.recordId, field, error.message, { cause: error });
          }
        }
        opened.push(openField(parsed, index));
      }
      return opened;
    } finally {
      for (const { key } of parsed.groups) key?.fill(0);
    }
  }
}

/** Seals every field under `dataKey`, each with its own fresh IV; zeroes the key. */
function sealWith(dataKey: WriteKey, record: BoundRecord, fields: readonly PlainField[]): string[] {
  try {
    const ivs = randomIvs(fields.length);
    return fields.map(({ field, plaintext, extra, bind }, i) => {
      const iv = ivs[i]!;
      const aad = record.aad(field, extra, bind);
      const { ciphertext, tag } = sealBytes(dataKey.plaintext, iv, plaintext, aad);
      return formatSealed(dataKey.head, iv, ciphertext, tag);
    });
  } finally {
    dataKey.plaintext.fill(0);
  }
}

/**
 * Parses a record's sealed fields. They must share one format version (every write seals all of
 * a record's fields at once), which then selects the associated data and keyring context.
 */
function parseRecord(binding: RecordBinding, fields: readonly SealedField[]): ParsedRecord {
  const groups: KeyGroup[] = [];
  const recordId = binding.kind === 'task' ? binding.taskId : binding.configId;
  let version: number | undefined;
  const envelopes = fields.map(({ field, text }) => {
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(text);
    } catch (error) {
      throw new DecryptionError(recordId, field, (error as Error).message, { cause: error });
    }
    version ??= envelope.version;
    if (envelope.version !== version) {
      throw new DecryptionError(recordId, field, 'fields of one record in two format versions');
    }
    let group = groups.find((g) => sameWrappedKey(g.wrapped, envelope.wrapped));
    if (!group) {
      group = { wrapped: envelope.wrapped, bytes: 0 };
      groups.push(group);
    }
    group.bytes += envelope.sealed.length;
    return { envelope, group };
  });
  return { record: new BoundRecord(binding, version), fields, envelopes, groups };
}

/** Opens field `index` with its group's key, which the caller has set. */
function openField({ record, fields, envelopes }: ParsedRecord, index: number): Buffer {
  const { envelope, group } = envelopes[index]!;
  const { field, extra, bind } = fields[index]!;
  try {
    return openBytes(group.key!, envelope.iv, envelope.sealed, record.aad(field, extra, bind));
  } catch (error) {
    throw new DecryptionError(
      record.recordId,
      field,
      'ciphertext does not open for this record and field',
      { cause: error },
    );
  }
}

/** Opens every field with its group's key (all present); zeroes the keys. */
function openParsed(parsed: ParsedRecord): Buffer[] {
  try {
    return parsed.envelopes.map((_, index) => openField(parsed, index));
  } finally {
    for (const { key } of parsed.groups) key?.fill(0);
  }
}
