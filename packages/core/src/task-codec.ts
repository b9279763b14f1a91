import { Artifact, Task, TaskState } from '@a2a-js/sdk';
import { CorruptRecordError, InvalidInputError } from './errors.js';
import { assertSize, assertValidId, assertValidOptionalId } from './limits.js';
import { newLineage } from './lineage.js';
import { parseStoredJson } from './stored-json.js';

/**
 * Sort key of a task without a parseable status timestamp. Below every representable date, so
 * such tasks sort last in the descending order, as in the SDK's reference store.
 */
export const MISSING_TIMESTAMP_KEY = Number.MIN_SAFE_INTEGER;

/**
 * A task in the shape every backend stores: the columns `list` filters and orders on, the body
 * without artifacts, and the artifacts apart, so a page that does not return artifacts never
 * reads them.
 */
export interface EncodedTask {
  readonly id: string;
  readonly contextId: string;
  /** `TaskState` number; 0 when the task has no status. */
  readonly state: number;
  /** Status timestamp in epoch milliseconds, or {@link MISSING_TIMESTAMP_KEY}. */
  readonly sortKey: number;
  /** JSON (SDK wire form) of the task with `artifacts` emptied. */
  readonly body: string;
  /** JSON array (SDK wire form) of the artifacts; `[]` when there are none. */
  readonly artifacts: string;
  /** UTF-8 size of body plus artifacts. */
  readonly bytes: number;
  /**
   * A value no other full write of any task has: backends store it with the row, and core only
   * appends to the row whose lineage it knows (see `TaskBackend.append`).
   */
  readonly lineage: string;
}

const validStates = new Set<number>(
  Object.values(TaskState).filter((v): v is number => typeof v === 'number' && v >= 0),
);

/** Milliseconds since the epoch of an ISO-8601 timestamp, or the missing key. */
export function timestampSortKey(timestamp: string | undefined): number {
  if (!timestamp) return MISSING_TIMESTAMP_KEY;
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms : MISSING_TIMESTAMP_KEY;
}

/**
 * Validates and encodes a task for storage. Throws `InvalidInputError` or `PayloadTooLargeError`
 * before anything is written.
 */
export function encodeTask(task: Task, maxBytes: number): EncodedTask {
  if (!task || typeof task !== 'object') throw new InvalidInputError('task must be an object');
  assertValidId(task.id, 'task.id');
  const contextId = task.contextId ?? '';
  // A key column and a list filter: the id rules apply (NUL breaks PostgreSQL text, and lone
  // surrogates become U+FFFD in UTF-8, merging distinct contexts). Empty means no context.
  assertValidOptionalId(contextId, 'task.contextId');
  const state = task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED;
  if (!validStates.has(state))
    throw new InvalidInputError(`task.status.state ${String(state)} is not a TaskState`);
  let body: string;
  let artifacts: string;
  try {
    body = JSON.stringify(Task.toJSON({ ...task, artifacts: [] }));
    artifacts = JSON.stringify((task.artifacts ?? []).map((a) => Artifact.toJSON(a)));
  } catch (error) {
    throw new InvalidInputError(`task cannot be serialised: ${(error as Error).message}`);
  }
  const bytes = Buffer.byteLength(body) + Buffer.byteLength(artifacts);
  assertSize(`task ${JSON.stringify(task.id)}`, bytes, maxBytes);
  return {
    id: task.id,
    contextId,
    state,
    sortKey: timestampSortKey(task.status?.timestamp),
    body,
    artifacts,
    bytes,
    lineage: newLineage(),
  };
}

function parseObject(json: unknown, recordId: string): Record<string, unknown> {
  const value = parseStoredJson(json, recordId, 'body is');
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new CorruptRecordError(recordId, 'body is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * Decodes a stored task. `artifacts` undefined means the caller did not read them (the task comes
 * back with none). Throws `CorruptRecordError` when the record is unreadable or belongs to
 * another id.
 */
export function decodeTask(expectedId: string, body: unknown, artifacts?: unknown): Task {
  const object = parseObject(body, expectedId);
  if (object.id !== expectedId)
    throw new CorruptRecordError(expectedId, 'body names another task id');
  let task: Task;
  try {
    task = Task.fromJSON(object);
  } catch (error) {
    throw new CorruptRecordError(expectedId, 'body does not decode as a Task', { cause: error });
  }
  // The stored body has no artifacts (encodeTask empties them), and most tasks have none in
  // their own column either: `[]` needs no parse.
  task.artifacts =
    artifacts === undefined || artifacts === null || artifacts === NO_ARTIFACTS
      ? []
      : decodeArtifacts(expectedId, artifacts);
  return task;
}

const NO_ARTIFACTS = '[]';

function decodeArtifacts(taskId: string, artifacts: unknown): Artifact[] {
  const list = parseStoredJson(artifacts, taskId, 'artifacts are');
  if (!Array.isArray(list)) throw new CorruptRecordError(taskId, 'artifacts are not a JSON array');
  try {
    return list.map((artifact) => Artifact.fromJSON(artifact));
  } catch (error) {
    throw new CorruptRecordError(taskId, 'artifacts do not decode', { cause: error });
  }
}

/**
 * The canonical form of a task: what any store returns after saving it. Useful in tests to
 * compare a loaded task with the one that was saved.
 */
export function canonicalTask(task: Task): Task {
  return Task.fromJSON(JSON.parse(JSON.stringify(Task.toJSON(task))));
}
