import { openBytes, sealBytes } from './aead.js';
import type { DataKeySource, WriteKey } from './data-key-source.js';
import { type Envelope, formatSealed, parseEnvelope } from './envelope-format.js';
import { DecryptionError } from './errors.js';
import { DataKeyUnwrapError } from './keyring.js';
import { randomIvs } from './random-ivs.js';
import { BoundRecord, RECORD_FORMAT_VERSION, type RecordBinding } from './record-binding.js';

/** The field name the record envelope's associated data binds (one envelope, one name). */
export const RECORD_FIELD = 'record';

/**
 * A record envelope parsed, with what its binding derives: what a read needs before the key. Its
 * version must be the record format's; a per-field envelope (v1, v2) never opens as a record.
 */
interface ParsedRecordEnvelope {
  readonly record: BoundRecord;
  readonly envelope: Envelope;
}

function parse(binding: RecordBinding, text: string): ParsedRecordEnvelope {
  const recordId = binding.kind === 'task' ? binding.taskId : binding.configId;
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(text);
  } catch (error) {
    throw new DecryptionError(recordId, RECORD_FIELD, (error as Error).message, { cause: error });
  }
  if (envelope.version !== RECORD_FORMAT_VERSION) {
    throw new DecryptionError(recordId, RECORD_FIELD, 'not a record envelope');
  }
  return { record: new BoundRecord(binding, RECORD_FORMAT_VERSION), envelope };
}

function sealWith(dataKey: WriteKey, record: BoundRecord, plaintext: Buffer): string {
  try {
    const [iv] = randomIvs(1);
    const { ciphertext, tag } = sealBytes(
      dataKey.plaintext,
      iv!,
      plaintext,
      record.aad(RECORD_FIELD),
    );
    return formatSealed(dataKey.head, iv!, ciphertext, tag);
  } finally {
    dataKey.plaintext.fill(0);
  }
}

function openWith(key: Buffer, { record, envelope }: ParsedRecordEnvelope): Buffer {
  try {
    return openBytes(key, envelope.iv, envelope.sealed, record.aad(RECORD_FIELD));
  } catch (error) {
    throw new DecryptionError(
      record.recordId,
      RECORD_FIELD,
      'ciphertext does not open for this record',
      { cause: error },
    );
  } finally {
    key.fill(0);
  }
}

/**
 * Seals and opens a record as ONE envelope (format v3): one data key, one IV, one AES-GCM
 * operation and one associated data (record, scope, format version) per record, whatever number
 * of fields it carries. The per-field sealer's grouping of keys and fields has no work to do here,
 * so the hot path is: parse, one cache lookup, one AEAD call.
 *
 * `sealCached` and `openCached` are the synchronous cache-hit path (undefined on a miss).
 */
export class RecordEnvelopeSealer {
  readonly keys: DataKeySource;

  constructor(keys: DataKeySource) {
    this.keys = keys;
  }

  sealCached(binding: RecordBinding, plaintext: Buffer): string | undefined {
    if (!this.keys.cachesWrites) return undefined;
    const record = new BoundRecord(binding, RECORD_FORMAT_VERSION);
    const dataKey = this.keys.cachedForWrite(record.partition, plaintext.length);
    return dataKey && sealWith(dataKey, record, plaintext);
  }

  async seal(binding: RecordBinding, plaintext: Buffer): Promise<string> {
    const record = new BoundRecord(binding, RECORD_FORMAT_VERSION);
    const dataKey = await this.keys.forWrite(
      record.partition,
      () => record.context(),
      plaintext.length,
      RECORD_FORMAT_VERSION,
    );
    return sealWith(dataKey, record, plaintext);
  }

  openCached(binding: RecordBinding, text: string): Buffer | undefined {
    if (!this.keys.cachesReads) return undefined;
    const parsed = parse(binding, text);
    const { envelope, record } = parsed;
    const key = this.keys.cachedForRead(record.partition, envelope.wrapped, envelope.sealed.length);
    return key && openWith(key, parsed);
  }

  /** Any failure to open is a `DecryptionError`; keyring and availability errors pass through. */
  async open(binding: RecordBinding, text: string): Promise<Buffer> {
    const parsed = parse(binding, text);
    const { envelope, record } = parsed;
    let key: Buffer;
    try {
      key = await this.keys.forRead(
        record.partition,
        envelope.wrapped,
        () => record.context(),
        envelope.sealed.length,
      );
    } catch (error) {
      if (!(error instanceof DataKeyUnwrapError)) throw error;
      throw new DecryptionError(record.recordId, RECORD_FIELD, error.message, { cause: error });
    }
    return openWith(key, parsed);
  }
}
