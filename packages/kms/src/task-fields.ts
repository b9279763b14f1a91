import { type Message, type Part, Task } from '@a2a-js/sdk';
import type { Scope } from '@a2a-stores/core';
import { looksSealed } from './envelope-format.js';
import { DecryptionError, PlaintextRefusedError } from './errors.js';
import type { RecordBinding } from './record-binding.js';
import type { RecordSealer } from './record-sealer.js';
import { SEALED_MARKER, unescapeStoredIds } from './reserved-ids.js';

/** Task fields that can be sealed. `id`, `contextId` and `status` (state, timestamp) never are. */
export type TaskField = 'history' | 'artifacts' | 'metadata' | 'statusMessage';

export const TASK_FIELDS: readonly TaskField[] = [
  'history',
  'artifacts',
  'metadata',
  'statusMessage',
];

/** The sealed text of a placeholder's single part, or undefined when the shape is wrong. */
function partText(parts: readonly Part[] | undefined): string | undefined {
  const content = parts?.length === 1 ? parts[0]?.content : undefined;
  return content?.$case === 'text' && looksSealed(content.value) ? content.value : undefined;
}

type WireTask = Record<string, unknown> & { status?: Record<string, unknown> };

/** Where each field stands in a task read from the inner store. */
export type FieldState = { sealed: string } | 'absent' | 'plain';

function messageState(messages: readonly Message[], taskId: string, field: string): FieldState {
  if (messages.length === 0) return 'absent';
  if (!messages.some((m) => m.messageId === SEALED_MARKER)) return 'plain';
  const text = messages.length === 1 ? partText(messages[0]!.parts) : undefined;
  if (text === undefined) throw new DecryptionError(taskId, field, 'malformed sealed placeholder');
  return { sealed: text };
}

export function fieldState(task: Task, field: TaskField): FieldState {
  switch (field) {
    case 'history':
      return messageState(task.history ?? [], task.id, field);
    case 'statusMessage':
      return messageState(task.status?.message ? [task.status.message] : [], task.id, field);
    case 'artifacts': {
      const artifacts = task.artifacts ?? [];
      if (artifacts.length === 0) return 'absent';
      if (!artifacts.some((a) => a.artifactId === SEALED_MARKER)) return 'plain';
      const text = artifacts.length === 1 ? partText(artifacts[0]!.parts) : undefined;
      if (text === undefined) {
        throw new DecryptionError(task.id, field, 'malformed sealed placeholder');
      }
      return { sealed: text };
    }
    case 'metadata': {
      const metadata = task.metadata;
      if (metadata === undefined) return 'absent';
      if (!(SEALED_MARKER in metadata)) return 'plain';
      const text = metadata[SEALED_MARKER];
      if (Object.keys(metadata).length !== 1 || !looksSealed(text)) {
        throw new DecryptionError(task.id, field, 'malformed sealed placeholder');
      }
      return { sealed: text };
    }
  }
}

/** The sealed fields of a task read from the inner store, with their sealed values. */
export function sealedFieldsOf(task: Task): { field: TaskField; text: string }[] {
  const sealed: { field: TaskField; text: string }[] = [];
  for (const field of TASK_FIELDS) {
    const state = fieldState(task, field);
    if (typeof state === 'object') sealed.push({ field, text: state.sealed });
  }
  return sealed;
}

/** How reads treat plaintext in a field that should be sealed. */
export interface OpenPolicy {
  readonly fields: ReadonlySet<TaskField>;
  readonly strict: boolean;
  readonly onPlaintext: (scope: Scope, recordId: string, field: string) => void;
}

export function taskBinding(scope: Scope, taskId: string): RecordBinding {
  return { kind: 'task', scope, taskId, configId: '' };
}

/**
 * A task in the per-field format (releases before the record envelope: one envelope per sealed
 * field, each in a placeholder) with every sealed placeholder opened. Sealed fields open whatever the current
 * configuration (a field no longer sealed still reads); plaintext in a configured field is
 * refused in strict mode and reported in migration mode. Synchronous when the record's data keys
 * are cached; failures are thrown either way (synchronously, or as the promise's rejection).
 */
export function openFieldTask(
  sealer: RecordSealer,
  scope: Scope,
  task: Task,
  policy: OpenPolicy,
): Task | Promise<Task> {
  const sealed: { field: TaskField; text: string }[] = [];
  for (const field of TASK_FIELDS) {
    const state = fieldState(task, field);
    if (typeof state === 'object') sealed.push({ field, text: state.sealed });
    else if (state === 'plain' && policy.fields.has(field)) {
      if (policy.strict) throw new PlaintextRefusedError(task.id, field);
      policy.onPlaintext(scope, task.id, field);
    }
  }
  if (sealed.length === 0) return unescapeStoredIds(task, NONE);
  const binding = taskBinding(scope, task.id);
  const cached = sealer.openCached(binding, sealed);
  if (cached) return withOpenedFields(task, sealed, cached);
  return sealer.open(binding, sealed).then((opened) => withOpenedFields(task, sealed, opened));
}

export const NONE: ReadonlySet<TaskField> = new Set();

/**
 * The task with each sealed field replaced by its opened wire JSON, decoded by the SDK's own
 * decoder as every store does: one decode of all fields, one result object.
 */
function withOpenedFields(
  task: Task,
  sealed: readonly { field: TaskField }[],
  opened: readonly Buffer[],
): Task {
  const wire: WireTask = {};
  sealed.forEach(({ field }, index) => {
    let value: unknown;
    try {
      value = JSON.parse(opened[index]!.toString('utf8'));
    } catch (error) {
      throw new DecryptionError(task.id, field, 'opened value is not JSON', { cause: error });
    }
    if (field === 'statusMessage') wire.status = { message: value };
    else wire[field] = value;
  });
  const decoded = Task.fromJSON(wire);
  // Opened fields are the user's bytes; only the fields read in clear carry escaped ids.
  const result = { ...unescapeStoredIds(task, new Set(sealed.map(({ field }) => field))) };
  for (const { field } of sealed) {
    switch (field) {
      case 'history':
        result.history = decoded.history;
        break;
      case 'artifacts':
        result.artifacts = decoded.artifacts;
        break;
      case 'metadata':
        result.metadata = decoded.metadata ?? {};
        break;
      case 'statusMessage':
        result.status = { ...task.status!, message: decoded.status?.message };
        break;
    }
  }
  return result;
}
