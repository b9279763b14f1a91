import type { Task, TaskPushNotificationConfig } from '@a2a-js/sdk';
import type { Scope } from '@a2a-stores/core';
import { DataKeySource } from './data-key-source.js';
import { type Envelope, formatEnvelope, parseEnvelope, RECORD_PREFIX } from './envelope-format.js';
import { DecryptionError } from './errors.js';
import { DataKeyUnwrapError, type Keyring, type WrappedDataKey } from './keyring.js';
import { keyringCall } from './keyring-telemetry.js';
import { pushBinding, sealedSecretsOf, withSecrets } from './push-secrets.js';
import { keyContext, type RecordBinding } from './record-binding.js';
import { RECORD_FIELD, RecordEnvelopeSealer } from './record-envelope.js';
import { RecordSealer } from './record-sealer.js';
import { SEALED_MARKER } from './reserved-ids.js';
import { type OpenPolicy, sealedFieldsOf, type TaskField, taskBinding } from './task-fields.js';
import { openTask, sealTask, type TaskSealers } from './task-record.js';

/** What re-wrapping one record changed. */
export interface Rewrapped<T> {
  readonly value: T;
  /** Distinct data keys re-wrapped (fields of one write share one). */
  readonly dataKeys: number;
}

function parse(recordId: string, field: string, text: string): Envelope {
  try {
    return parseEnvelope(text);
  } catch (error) {
    throw new DecryptionError(recordId, field, (error as Error).message, { cause: error });
  }
}

/**
 * Re-wraps the data keys of sealed values under the keyring's primary master key. Only the
 * wrapped key in each envelope changes; the IV, ciphertext and tag are copied as they are, which
 * is sound because the associated data binds the record and field, not the master key.
 */
export class EnvelopeRewrapper {
  readonly #keyring: Keyring;
  /** Opens and reseals per-field records; no cache: each record gets its own data key. */
  readonly #sealers: TaskSealers;

  constructor(keyring: Keyring) {
    this.#keyring = keyring;
    const keys = new DataKeySource(keyring, undefined);
    this.#sealers = { fields: new RecordSealer(keys), record: new RecordEnvelopeSealer(keys) };
  }

  /**
   * The task with its record envelope re-wrapped, or undefined when it is under the primary. A
   * task still in the per-field format is converted to the record format (whatever key its fields
   * are under): its fields are opened and sealed again in one envelope under a fresh data key from
   * the primary, the same fields sealed as before. Counts one data key for it.
   */
  async task(scope: Scope, task: Task): Promise<Rewrapped<Task> | undefined> {
    const binding = taskBinding(scope, task.id);
    const text = task.metadata?.[SEALED_MARKER];
    if (typeof text === 'string' && text.startsWith(RECORD_PREFIX)) {
      const texts = await this.#rewrapAll(binding, task.id, [{ field: RECORD_FIELD, text }]);
      if (!texts) return undefined;
      const value = { ...task, metadata: { ...task.metadata, [SEALED_MARKER]: texts.values[0]! } };
      return { value, dataKeys: texts.dataKeys };
    }
    const fields = sealedFieldsOf(task);
    if (fields.length === 0) return undefined;
    return { value: await this.#toRecordFormat(scope, task, fields), dataKeys: 1 };
  }

  async #toRecordFormat(
    scope: Scope,
    task: Task,
    fields: readonly { field: TaskField }[],
  ): Promise<Task> {
    // Only sealed fields are read: plaintext elsewhere stays as it is, unreported.
    const policy: OpenPolicy = { fields: new Set(), strict: false, onPlaintext: () => {} };
    const opened = await openTask(this.#sealers, scope, task, policy);
    const sealed = new Set(fields.map(({ field }) => field));
    return sealTask(this.#sealers.record, scope, opened, sealed);
  }

  /** The config with its sealed secrets re-wrapped, or undefined when nothing needed it. */
  async pushConfig(
    scope: Scope,
    taskId: string,
    config: TaskPushNotificationConfig,
  ): Promise<Rewrapped<TaskPushNotificationConfig> | undefined> {
    const binding = pushBinding(scope, taskId, config.id);
    const secrets = sealedSecretsOf(config);
    const texts = await this.#rewrapAll(binding, config.id, secrets);
    if (!texts) return undefined;
    const values = new Map(secrets.map(({ field }, i) => [field, texts.values[i]!]));
    return { value: withSecrets(config, values), dataKeys: texts.dataKeys };
  }

  async #rewrapAll(
    binding: RecordBinding,
    recordId: string,
    fields: readonly { field: string; text: string }[],
  ): Promise<{ values: string[]; dataKeys: number } | undefined> {
    const envelopes = fields.map(({ field, text }) => parse(recordId, field, text));
    const stale: boolean[] = [];
    for (const envelope of envelopes)
      stale.push(!(await this.#keyring.isPrimary(envelope.wrapped)));
    if (!stale.includes(true)) return undefined;
    const done = new Map<string, WrappedDataKey>();
    const values: string[] = [];
    for (const [i, envelope] of envelopes.entries()) {
      if (!stale[i]) {
        values.push(fields[i]!.text);
        continue;
      }
      const id = Buffer.from(envelope.wrapped.ciphertext).toString('base64');
      let wrapped = done.get(id);
      if (!wrapped) {
        try {
          // The context the data key was wrapped under: that of the envelope's own version.
          const context = keyContext(binding, envelope.version);
          wrapped = await keyringCall('rewrap_data_key', () =>
            this.#keyring.rewrapDataKey(envelope.wrapped, context),
          );
        } catch (error) {
          if (!(error instanceof DataKeyUnwrapError)) throw error;
          throw new DecryptionError(recordId, fields[i]!.field, error.message, { cause: error });
        }
        done.set(id, wrapped);
      }
      values.push(formatEnvelope({ ...envelope, wrapped }));
    }
    return { values, dataKeys: done.size };
  }
}
