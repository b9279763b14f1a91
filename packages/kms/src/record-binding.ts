import type { Scope } from '@a2a-stores/core';
import type { EncryptionContext } from './keyring.js';

/**
 * Version of the sealed format written now; part of every binding, so formats cannot be
 * confused. v2 also binds a push config's `authentication.scheme` to its credentials.
 */
export const FORMAT_VERSION = 2;

/**
 * Version of the task record envelope: all sealed fields of a task in ONE envelope (field name
 * `record` in the binding). Task records are written in it; push secrets stay per field, in
 * {@link FORMAT_VERSION}. A version of its own, so a reader never takes one format for the other.
 */
export const RECORD_FORMAT_VERSION = 3;

/** Versions that still open: values sealed by earlier releases keep reading. */
export const READABLE_VERSIONS: ReadonlySet<number> = new Set([1, 2, RECORD_FORMAT_VERSION]);

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
export function keyContext(
  binding: RecordBinding,
  version: number = FORMAT_VERSION,
): EncryptionContext {
  const context: Record<string, string> = {
    'a2a-stores:format': String(version),
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
function recordPrefix(binding: RecordBinding, version: number): string {
  return JSON.stringify([
    'a2a-stores/sealed',
    version,
    binding.kind,
    binding.scope.tenant,
    binding.scope.owner,
    binding.taskId,
    binding.configId,
  ]).slice(0, -1);
}

/**
 * `[...record, field, extra, ...bind]`: the field's part is stringified as one array (one call,
 * not two). `bind` (values bound from v2 on, e.g. a credential's scheme) is left out of v1's.
 */
function fieldAad(
  record: string,
  version: number,
  field: string,
  extra = '',
  bind: readonly string[] = [],
): Buffer {
  const part = version === 1 || bind.length === 0 ? [field, extra] : [field, extra, ...bind];
  return Buffer.from(`${record},${JSON.stringify(part).slice(1)}`, 'utf8');
}

/**
 * Associated data of the sealed fields of one record: the record, the field name, the format
 * version and, for push secrets, the webhook URL (a token then only opens for the URL it was
 * registered with) and, from v2, the credentials' scheme. The bytes are those of one JSON array
 * stringified at once (they are part of the format), so no two bindings encode alike whatever
 * their strings contain (each field name has a fixed arity); the record's part is encoded once.
 */
export function fieldAadOf(
  binding: RecordBinding,
  version: number = FORMAT_VERSION,
): (field: string, extra?: string, bind?: readonly string[]) => Buffer {
  const record = recordPrefix(binding, version);
  return (field, extra, bind) => fieldAad(record, version, field, extra, bind);
}

/**
 * What one read or write of a record derives from its binding, encoded once: the cache partition
 * (data keys are only ever reused for the record they are bound to), the associated data of each
 * field, and the keyring context, built only when the keyring is called (a cache hit never is).
 */
export class BoundRecord {
  readonly binding: RecordBinding;
  /** The format version the record is sealed (or read) under. */
  readonly version: number;
  /** Names the record in the data-key cache; the keyring context is a function of it. */
  readonly partition: string;
  #context: EncryptionContext | undefined;

  constructor(binding: RecordBinding, version: number = FORMAT_VERSION) {
    this.binding = binding;
    this.version = version;
    this.partition = recordPrefix(binding, version);
  }

  /** The record id errors report: the task id, or the push config id. */
  get recordId(): string {
    return this.binding.kind === 'task' ? this.binding.taskId : this.binding.configId;
  }

  aad(field: string, extra?: string, bind?: readonly string[]): Buffer {
    return fieldAad(this.partition, this.version, field, extra, bind);
  }

  context(): EncryptionContext {
    this.#context ??= keyContext(this.binding, this.version);
    return this.#context;
  }
}
