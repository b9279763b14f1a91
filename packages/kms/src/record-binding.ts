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
 * Associated data of the sealed fields of one record: the record, the field name, the format
 * version and, for push secrets, the webhook URL (a token then only opens for the URL it was
 * registered with). The bytes are those of one JSON array stringified at once (they are part of
 * the format), so no two bindings encode alike whatever their strings contain; the record's part
 * is encoded once per record.
 */
export function fieldAadOf(binding: RecordBinding): (field: string, extra?: string) => Buffer {
  const record = JSON.stringify([
    'a2a-stores/sealed',
    FORMAT_VERSION,
    binding.kind,
    binding.scope.tenant,
    binding.scope.owner,
    binding.taskId,
    binding.configId,
  ]).slice(0, -1);
  return (field, extra = '') =>
    Buffer.from(`${record},${JSON.stringify(field)},${JSON.stringify(extra)}]`, 'utf8');
}

/** Cache partition of a record: data keys are only ever reused for the record they are bound to. */
export function bindingKey(binding: RecordBinding): string {
  return JSON.stringify([
    binding.kind,
    binding.scope.tenant,
    binding.scope.owner,
    binding.taskId,
    binding.configId,
  ]);
}
