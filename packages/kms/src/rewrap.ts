import type { Task, TaskPushNotificationConfig } from '@a2a-js/sdk';
import type { Scope } from '@a2a-stores/core';
import { type Envelope, formatEnvelope, parseEnvelope } from './envelope-format.js';
import { DecryptionError } from './errors.js';
import { DataKeyUnwrapError, type Keyring, type WrappedDataKey } from './keyring.js';
import { keyringCall } from './keyring-telemetry.js';
import { pushBinding, sealedSecretsOf, withSecrets } from './push-secrets.js';
import { keyContext, type RecordBinding } from './record-binding.js';
import { sealedFieldsOf, taskBinding, withSealedFields } from './task-fields.js';

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

  constructor(keyring: Keyring) {
    this.#keyring = keyring;
  }

  /** The task with every sealed field re-wrapped, or undefined when all are under the primary. */
  async task(scope: Scope, task: Task): Promise<Rewrapped<Task> | undefined> {
    const binding = taskBinding(scope, task.id);
    const fields = sealedFieldsOf(task);
    const texts = await this.#rewrapAll(binding, task.id, fields);
    if (!texts) return undefined;
    const value = withSealedFields(task, fields, texts.values);
    return { value, dataKeys: texts.dataKeys };
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
