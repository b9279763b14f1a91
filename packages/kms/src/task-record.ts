import { Task } from '@a2a-js/sdk';
import { InvalidInputError, type Scope } from '@a2a-stores/core';
import { RECORD_PREFIX } from './envelope-format.js';
import { DecryptionError, PlaintextRefusedError } from './errors.js';
import { RECORD_FIELD, type RecordEnvelopeSealer } from './record-envelope.js';
import type { RecordSealer } from './record-sealer.js';
import { escapeUserIds, SEALED_MARKER, unescapeStoredIds } from './reserved-ids.js';
import {
  NONE,
  type OpenPolicy,
  openFieldTask,
  TASK_FIELDS,
  type TaskField,
  taskBinding,
} from './task-fields.js';

/** The sealers a task store uses: the record envelope to write, and the per-field one to read. */
export interface TaskSealers {
  /** Reads records written in the per-field format (before the record envelope). */
  readonly fields: RecordSealer;
  /** Writes and reads task records as one envelope each. */
  readonly record: RecordEnvelopeSealer;
}

/**
 * What the record envelope holds: the sealed fields as a partial wire (JSON) task, so one SDK
 * decode reads them all. When metadata is left in clear and the task has none, `NO_METADATA` says
 * so (the envelope then shares the metadata object with nothing, and `{}` must not read back).
 */
const NO_METADATA = 'a2a-stores:noMetadata';

interface RecordBody {
  history?: unknown;
  artifacts?: unknown;
  metadata?: unknown;
  status?: { message?: unknown };
  [NO_METADATA]?: true;
}

type WireTask = Record<string, unknown> & { status?: { message?: unknown } };

const HISTORY = 1;
const ARTIFACTS = 2;
const METADATA = 4;
const STATUS_MESSAGE = 8;
const BITS: readonly [TaskField, number][] = [
  ['history', HISTORY],
  ['artifacts', ARTIFACTS],
  ['metadata', METADATA],
  ['statusMessage', STATUS_MESSAGE],
];

/** The set of fields of each mask, built once: a hot read or write allocates none. */
const SETS: readonly ReadonlySet<TaskField>[] = Array.from(
  { length: 16 },
  (_, mask) => new Set(TASK_FIELDS.filter((_f, i) => (mask & BITS[i]![1]) !== 0)),
);

/** The task as the inner store holds it: sealed fields emptied, the envelope in metadata. */
function storedTask(clear: Task, mask: number, text: string): Task {
  const result = { ...clear };
  if (mask & HISTORY) result.history = [];
  if (mask & ARTIFACTS) result.artifacts = [];
  if (mask & STATUS_MESSAGE) result.status = { ...clear.status!, message: undefined };
  result.metadata =
    mask & METADATA ? { [SEALED_MARKER]: text } : { ...clear.metadata, [SEALED_MARKER]: text };
  return result;
}

/**
 * The task as the inner store must hold it: the configured fields that have content sealed in ONE
 * envelope (record format v3), stored under {@link SEALED_MARKER} in the task's metadata (beside
 * the metadata's own keys when metadata stays in clear); the sealed fields are left empty. Empty
 * fields stay empty (nothing to hide), so a task with nothing to seal costs no keyring call.
 * Synchronous when the record's data key is cached; otherwise `beforeKeyring` runs first, so input
 * the inner store would refuse costs no keyring call (a billed, rate-limited KMS request).
 */
export function sealTask(
  sealer: RecordEnvelopeSealer,
  scope: Scope,
  task: Task,
  fields: ReadonlySet<TaskField>,
  beforeKeyring?: () => void,
): Task | Promise<Task> {
  if (fields.size === 0) return escapeUserIds(task, NONE);
  let wire: WireTask;
  try {
    wire = Task.toJSON(task) as WireTask;
  } catch (error) {
    throw new InvalidInputError(`task cannot be serialised: ${(error as Error).message}`);
  }
  const body: RecordBody = {};
  let mask = 0;
  if (fields.has('history') && task.history?.length) {
    body.history = wire.history;
    mask |= HISTORY;
  }
  if (fields.has('artifacts') && task.artifacts?.length) {
    body.artifacts = wire.artifacts;
    mask |= ARTIFACTS;
  }
  if (fields.has('metadata') && task.metadata !== undefined) {
    body.metadata = wire.metadata ?? {};
    mask |= METADATA;
  }
  if (fields.has('statusMessage') && task.status?.message !== undefined) {
    body.status = { message: wire.status?.message };
    mask |= STATUS_MESSAGE;
  }
  if (mask === 0) return escapeUserIds(task, NONE);
  if (!(mask & METADATA) && task.metadata === undefined) body[NO_METADATA] = true;
  const plaintext = Buffer.from(JSON.stringify(body), 'utf8');
  // The fields left in clear keep user ids out of the placeholder's marker.
  const clear = escapeUserIds(task, SETS[mask]!);
  const binding = taskBinding(scope, task.id);
  const cached = sealer.sealCached(binding, plaintext);
  if (cached !== undefined) return storedTask(clear, mask, cached);
  beforeKeyring?.();
  return sealer.seal(binding, plaintext).then((text) => storedTask(clear, mask, text));
}

/** True when a stored message list or artifact list carries a placeholder id. */
function hasPlaceholder(items: readonly { messageId?: string; artifactId?: string }[]): boolean {
  for (const item of items) {
    if (item.messageId === SEALED_MARKER || item.artifactId === SEALED_MARKER) return true;
  }
  return false;
}

function malformed(task: Task): DecryptionError {
  return new DecryptionError(task.id, RECORD_FIELD, 'malformed sealed record');
}

/**
 * The task with its record envelope (or, for records written before it, each sealed field)
 * opened. Sealed fields open whatever the current configuration (a field no longer sealed still
 * reads); plaintext in a configured field is refused in strict mode and reported in migration
 * mode. `withArtifacts: false` (a list page without artifacts) leaves artifacts empty. Synchronous
 * when the record's data key is cached; failures are thrown either way (synchronously, or as the
 * promise's rejection).
 */
export function openTask(
  sealers: TaskSealers,
  scope: Scope,
  task: Task,
  policy: OpenPolicy,
  withArtifacts = true,
): Task | Promise<Task> {
  const text = task.metadata?.[SEALED_MARKER];
  if (typeof text !== 'string' || !text.startsWith(RECORD_PREFIX)) {
    const visible = withArtifacts ? task : { ...task, artifacts: [] };
    return openFieldTask(sealers.fields, scope, visible, policy);
  }
  // The record format has no placeholder outside metadata: one there was put by someone else.
  if (
    hasPlaceholder(task.history ?? []) ||
    hasPlaceholder(task.artifacts ?? []) ||
    task.status?.message?.messageId === SEALED_MARKER
  ) {
    throw malformed(task);
  }
  const binding = taskBinding(scope, task.id);
  const cached = sealers.record.openCached(binding, text);
  if (cached) return withOpenedRecord(task, cached, scope, policy, withArtifacts);
  return sealers.record
    .open(binding, text)
    .then((plaintext) => withOpenedRecord(task, plaintext, scope, policy, withArtifacts));
}

/** Whether a field the record does not seal holds plaintext in the stored task. */
function holdsPlaintext(task: Task, field: TaskField, clearMetadata: number): boolean {
  switch (field) {
    case 'history':
      return (task.history?.length ?? 0) > 0;
    case 'artifacts':
      return (task.artifacts?.length ?? 0) > 0;
    case 'metadata':
      return clearMetadata > 0;
    case 'statusMessage':
      return task.status?.message !== undefined;
  }
}

/** The stored task with the opened record's fields in place, decoded by one SDK decode. */
function withOpenedRecord(
  task: Task,
  plaintext: Buffer,
  scope: Scope,
  policy: OpenPolicy,
  withArtifacts: boolean,
): Task {
  let body: RecordBody;
  try {
    body = JSON.parse(plaintext.toString('utf8'));
  } catch (error) {
    throw new DecryptionError(task.id, RECORD_FIELD, 'opened value is not JSON', { cause: error });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed(task);
  let mask = 0;
  if (body.history !== undefined) mask |= HISTORY;
  if (body.artifacts !== undefined) mask |= ARTIFACTS;
  if (body.metadata !== undefined) mask |= METADATA;
  if (body.status !== undefined) mask |= STATUS_MESSAGE;
  const storedKeys = Object.keys(task.metadata!).length - 1;
  // Sealed metadata is the whole stored metadata: a key beside it was put by someone else.
  if (mask & METADATA && storedKeys > 0) throw malformed(task);
  for (const [field, bit] of BITS) {
    if (mask & bit || !policy.fields.has(field) || !holdsPlaintext(task, field, storedKeys)) {
      continue;
    }
    if (policy.strict) throw new PlaintextRefusedError(task.id, field);
    policy.onPlaintext(scope, task.id, field);
  }
  if (!withArtifacts) body.artifacts = undefined;
  const decoded = Task.fromJSON(body);
  let metadata: Task['metadata'];
  if (mask & METADATA) metadata = decoded.metadata ?? {};
  else if (body[NO_METADATA] !== true) {
    const { [SEALED_MARKER]: _envelope, ...clear } = task.metadata!;
    metadata = clear;
  }
  // Opened fields are the user's bytes; only the fields read in clear carry escaped ids.
  const result = { ...unescapeStoredIds({ ...task, metadata }, SETS[mask]!) };
  if (mask & HISTORY) result.history = decoded.history;
  if (!withArtifacts) result.artifacts = [];
  else if (mask & ARTIFACTS) result.artifacts = decoded.artifacts;
  if (mask & STATUS_MESSAGE) result.status = { ...task.status!, message: decoded.status?.message };
  return result;
}
