import type { EncodedTaskAppend } from '../backend.js';
import type { Scope } from '../scope.js';
import type { EncodedTask } from '../task-codec.js';

/*
 * Positional parameters of task writes, in the column order every SQL adapter's statements use,
 * so the adapters bind one list each time rather than spelling the columns out per statement.
 */

/** A task row's key: tenant, owner, id. */
export function taskKeyValues(scope: Scope, id: string) {
  return [scope.tenant, scope.owner, id] as const;
}

/**
 * The columns a full write and an append both set, the ones `list` filters and orders on and the
 * write time: context_id, state, sort_key, updated_at.
 */
export function taskListedValues(
  task: Pick<EncodedTask | EncodedTaskAppend, 'contextId' | 'state' | 'sortKey'>,
  now: number,
) {
  return [task.contextId, task.state, task.sortKey, now] as const;
}

/**
 * Positional parameters of a task write: tenant, owner, id, context_id, state, sort_key,
 * updated_at, body, artifacts.
 */
export function taskWriteValues(scope: Scope, task: EncodedTask, now: number) {
  return [
    ...taskKeyValues(scope, task.id),
    ...taskListedValues(task, now),
    task.body,
    task.artifacts,
  ] as const;
}

/**
 * Every column a full write sets after the key, the whole row but its version and segments:
 * context_id, state, sort_key, updated_at, body, artifacts, bytes, lineage.
 */
export function taskRewriteValues(task: EncodedTask, now: number) {
  return [
    ...taskListedValues(task, now),
    task.body,
    task.artifacts,
    task.bytes,
    task.lineage,
  ] as const;
}

/** A full write's key and columns: `taskWriteValues` followed by bytes and lineage. */
export function taskRowValues(scope: Scope, task: EncodedTask, now: number) {
  return [...taskKeyValues(scope, task.id), ...taskRewriteValues(task, now)] as const;
}
