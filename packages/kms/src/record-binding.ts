import type { Scope } from '@a2a-stores/core';
import type { EncryptionContext } from './keyring.js';

/** Version of the sealed format; part of every binding, so a future format cannot be confused. */
export const FORMAT_VERSION = 1;

/** What a sealed value belongs to. Every ciphertext is bound to all of it. */
export interface RecordBinding {
  readonly kind: 'task' | 'push-config';
  readonly scope: Scope;
  readonly taskId: string;
  /** The push config id; `''` for a task. */
  readonly configId: string;
}

/**
 * The context sent to the keyring (KMS `EncryptionContext`) with the record's data key. Empty
 * values are left out (KMS refuses empty strings); the key set is fixed, so leaving one out is
 * unambiguous.
 */
export function keyContext(binding: RecordBinding): EncryptionContext {
  const context: Record<string, string> = {
    'a2a-stores:format': String(FORMAT_VERSION),
    'a2a-stores:record': binding.kind,
  };
  const put = (name: string, value: string) => {
    if (value !== '') context[name] = value;
  };
  put('a2a-stores:tenant', binding.scope.tenant);
  put('a2a-stores:owner', binding.scope.owner);
  put('a2a-stores:task', binding.taskId);
  put('a2a-stores:config', binding.configId);
  return context;
}

/**
 * The record's part of the associated data: the JSON array of the whole binding without its
 * closing bracket, so each field appends its own elements. A fixed-arity JSON array of strings is
 * injective, which also makes this text the record's cache partition.
 */
function recordPrefix(binding: RecordBinding): string {
  return JSON.stringify([
    'a2a-stores/sealed',
    FORMAT_VERSION,
    binding.kind,
    binding.scope.tenant,
    binding.scope.owner,
    binding.taskId,
    binding.configId,
  ]).slice(0, -1);
}

/** `[...record, field, extra]`: the field's part is stringified as one array (one call, not two). */
function fieldAad(record: string, field: string, extra = ''): Buffer {
  return Buffer.from(`${record},${JSON.stringify([field, extra]).slice(1)}`, 'utf8');
}

/**
 * Associated data of the sealed fields of one record: the record, the field name, the format
 * version and, for push secrets, the webhook URL (a token then only opens for the URL it was
 * registered with). The bytes are those of one JSON array stringified at once (they are part of
 * the format), so no two bindings encode alike whatever their strings contain; the record's part
 * is encoded once per record.
 */
export function fieldAadOf(binding: RecordBinding): (field: string, extra?: string) => Buffer {
  const record = recordPrefix(binding);
  return (field, extra) => fieldAad(record, field, extra);
}

/**
 * What one read or write of a record derives from its binding, encoded once: the cache partition
 * (data keys are only ever reused for the record they are bound to), the associated data of each
 * field, and the keyring context, built only when the keyring is called (a cache hit never is).
 */
export class BoundRecord {
  readonly binding: RecordBinding;
  /** Names the record in the data-key cache; the keyring context is a function of it. */
  readonly partition: string;
  #context: EncryptionContext | undefined;

  constructor(binding: RecordBinding) {
    this.binding = binding;
    this.partition = recordPrefix(binding);
  }

  /** The record id errors report: the task id, or the push config id. */
  get recordId(): string {
    return this.binding.kind === 'task' ? this.binding.taskId : this.binding.configId;
  }

  aad(field: string, extra?: string): Buffer {
    return fieldAad(this.partition, field, extra);
  }

  context(): EncryptionContext {
    this.#context ??= keyContext(this.binding);
    return this.#context;
  }
}
