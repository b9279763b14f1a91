import type { BackendListQuery, TaskRow } from '../backend.js';
import { CorruptRecordError } from '../errors.js';

/**
 * A task row as SQL drivers hand it back (snake_case columns). 64-bit integers may arrive as
 * strings (pg) or bigints, depending on driver settings; both are accepted.
 */
export interface SqlTaskRecord {
  readonly id: string;
  readonly body: unknown;
  readonly artifacts?: unknown;
  readonly version: number | string | bigint;
  readonly sort_key: number | string | bigint;
}

/** A stored 64-bit integer as a JS number; a value outside the safe range is a corrupt record. */
export function toSafeInteger(
  value: number | string | bigint,
  recordId: string,
  column: string,
): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new CorruptRecordError(recordId, `${column} is not a safe integer`);
  }
  return n;
}

/**
 * Maps a SQL task row (one written whole, without appended segments) to the backend contract's
 * {@link TaskRow}. Every key of the row is set, the parts this record has none of `undefined`, in
 * the order the adapters of this repository build their rows in: rows of one shape keep the
 * property reads that decode a page monomorphic (rows with optional keys spread in came in
 * several hidden classes, and cost a PostgreSQL page ~25% of its node CPU).
 */
export function toTaskRow(record: SqlTaskRecord, includeArtifacts: boolean): TaskRow {
  return {
    id: record.id,
    body: record.body,
    version: toSafeInteger(record.version, record.id, 'version'),
    sortKey: toSafeInteger(record.sort_key, record.id, 'sort_key'),
    artifacts: includeArtifacts ? record.artifacts : undefined,
    bytes: undefined,
    lineage: undefined,
    recent: undefined,
    segments: undefined,
  };
}

/**
 * One exact counter of a scope, so `list` can report `totalSize` without counting rows.
 * `{ contextId: '', state: 0 }` counts every task of the scope; `{ contextId: '', state: s }`
 * the tasks in state `s`; `{ contextId: c, state: 0 }` the tasks of context `c`. (`''` and 0 are
 * what the list filters use for "no filter", so no task-specific key ever collides with them.)
 */
export interface TaskCounterKey {
  readonly contextId: string;
  readonly state: number;
}

/**
 * The counters a stored task is counted in. Adapters add +1 to each on insert, -1 on delete,
 * and move the task between keys when its state or context changes, in the same atomic write.
 */
export function taskCounterKeys(state: number, contextId: string): TaskCounterKey[] {
  const keys: TaskCounterKey[] = [{ contextId: '', state: 0 }];
  if (state !== 0) keys.push({ contextId: '', state });
  if (contextId !== '') keys.push({ contextId, state: 0 });
  return keys;
}

/** A change of one counter: its key and the signed number of tasks that enter it. */
export interface TaskCounterChange extends TaskCounterKey {
  readonly delta: 1 | -1;
}

/** What decides which counters a task is counted in. */
export interface CountedTask {
  readonly state: number;
  readonly contextId: string;
}

/**
 * The counters one task write moves: out of the keys only `from` has, into the keys only `to`
 * has. `from` undefined is an insert, `to` undefined a delete; keys both share are left alone,
 * so an update that keeps its state and context changes no counter at all.
 */
export function taskCounterChanges(
  from: CountedTask | undefined,
  to: CountedTask | undefined,
): TaskCounterChange[] {
  const out = from ? taskCounterKeys(from.state, from.contextId) : [];
  const into = to ? taskCounterKeys(to.state, to.contextId) : [];
  const changes: TaskCounterChange[] = [];
  for (const key of out) {
    if (!into.some((other) => sameCounterKey(key, other))) changes.push({ ...key, delta: -1 });
  }
  for (const key of into) {
    if (!out.some((other) => sameCounterKey(key, other))) changes.push({ ...key, delta: 1 });
  }
  return changes;
}

function sameCounterKey(a: TaskCounterKey, b: TaskCounterKey): boolean {
  return a.state === b.state && a.contextId === b.contextId;
}

/**
 * The counter holding the exact total of a list query, or `undefined` when the filters combine
 * (context and state, or a timestamp bound) and the total must be counted from the index.
 */
export function counterKeyForList(
  query: Pick<BackendListQuery, 'contextId' | 'state' | 'after'>,
): TaskCounterKey | undefined {
  if (query.after !== null) return undefined;
  if (query.contextId !== '' && query.state !== 0) return undefined;
  return { contextId: query.contextId, state: query.state };
}
