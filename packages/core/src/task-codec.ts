import { Artifact, Task, TaskState } from '@a2a-js/sdk';
import type { RecentHistory } from './append/recent-history.js';
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
  /**
   * The recent form of a large task (its head and last messages, see `RecentHistory`), for a
   * backend that stores it beside the row so `list` with a short `historyLength` can skip the
   * body. Absent for small tasks: a backend stores none, and must never keep an older one.
   */
  readonly recent?: RecentHistory;
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
/** The columns `list` filters and orders on, derived from a task. */
export interface TaskColumns {
  readonly contextId: string;
  readonly state: number;
  readonly sortKey: number;
}

/**
 * Validates what every write of a task checks before anything is encoded (ids, state) and
 * returns its columns. Throws `InvalidInputError`.
 */
export function taskColumns(task: Task): TaskColumns {
  if (!task || typeof task !== 'object') throw new InvalidInputError('task must be an object');
  assertValidId(task.id, 'task.id');
  const contextId = task.contextId ?? '';
  // A key column and a list filter: the id rules apply (NUL breaks PostgreSQL text, and lone
  // surrogates become U+FFFD in UTF-8, merging distinct contexts). Empty means no context.
  assertValidOptionalId(contextId, 'task.contextId');
  const state = task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED;
  if (!validStates.has(state))
    throw new InvalidInputError(`task.status.state ${String(state)} is not a TaskState`);
  return { contextId, state, sortKey: timestampSortKey(task.status?.timestamp) };
}

/** Runs an encoding step, turning what JSON refuses (a BigInt, a cycle) into a client error. */
export function serialising<T>(encode: () => T): T {
  try {
    return encode();
  } catch (error) {
    throw new InvalidInputError(`task cannot be serialised: ${(error as Error).message}`);
  }
}

/**
 * Validates and encodes a task for storage. Throws `InvalidInputError` or `PayloadTooLargeError`
 * before anything is written.
 */
export function encodeTask(task: Task, maxBytes: number): EncodedTask {
  const columns = taskColumns(task);
  const [body, artifacts] = serialising(() => [
    JSON.stringify(Task.toJSON({ ...task, artifacts: [] })),
    JSON.stringify((task.artifacts ?? []).map((a) => Artifact.toJSON(a))),
  ]);
  const bytes = Buffer.byteLength(body) + Buffer.byteLength(artifacts);
  assertSize(`task ${JSON.stringify(task.id)}`, bytes, maxBytes);
  return {
    id: task.id,
    ...columns,
    body,
    artifacts,
    bytes,
    lineage: newLineage(),
  };
}

/** Parses stored body text into a JSON object. Throws `CorruptRecordError`. */
export function parseObject(
  json: unknown,
  recordId: string,
  what = 'body is',
): Record<string, unknown> {
  const value = parseStoredJson(json, recordId, what);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new CorruptRecordError(recordId, `${what} not a JSON object`);
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
  // The stored body has no artifacts (encodeTask empties them), and most tasks have none in
  // their own column either: `[]` needs no parse.
  const list =
    artifacts === undefined || artifacts === null || artifacts === NO_ARTIFACTS
      ? undefined
      : parseArtifactList(expectedId, artifacts);
  return decodeTaskObject(expectedId, object, list);
}

/**
 * A task from its parsed wire form: `body` the task object without artifacts, `artifacts` the
 * parsed artifact list (undefined: none). Throws `CorruptRecordError`.
 */
export function decodeTaskObject(
  expectedId: string,
  object: Record<string, unknown>,
  artifacts: readonly unknown[] | undefined,
): Task {
  if (object.id !== expectedId)
    throw new CorruptRecordError(expectedId, 'body names another task id');
  let task: Task;
  try {
    task = Task.fromJSON(object);
  } catch (error) {
    throw new CorruptRecordError(expectedId, 'body does not decode as a Task', { cause: error });
  }
  task.artifacts = artifacts ? decodeArtifacts(expectedId, artifacts) : [];
  return task;
}

const NO_ARTIFACTS = '[]';

/** Parses stored artifacts text into the wire list. Throws `CorruptRecordError`. */
export function parseArtifactList(taskId: string, artifacts: unknown): unknown[] {
  const list = parseStoredJson(artifacts, taskId, 'artifacts are');
  if (!Array.isArray(list)) throw new CorruptRecordError(taskId, 'artifacts are not a JSON array');
  return list;
}

function decodeArtifacts(taskId: string, list: readonly unknown[]): Artifact[] {
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
