import type { RecentHistory } from './append/recent-history.js';
import type { EncodedPushConfig } from './push-config-codec.js';
import type { Scope } from './scope.js';
import type { EncodedTask } from './task-codec.js';

/** A stored task as a backend returns it. */
export interface TaskRow {
  readonly id: string;
  readonly body: unknown;
  /** Present only when the caller asked for artifacts. */
  readonly artifacts?: unknown;
  readonly version: number;
  readonly sortKey: number;
  /**
   * The segments appended since the last full write, oldest first (see
   * {@link TaskBackend.append}). Absent or empty when the task has none: a task written whole
   * is read with no second lookup.
   */
  readonly segments?: readonly TaskSegment[];
  /**
   * The task's size as core computed it at the last write (`EncodedTask.bytes`), or 0 / absent
   * when unknown (rows written before appends existed). Core only appends to a task whose size
   * it knows, so the size limit stays exact.
   */
  readonly bytes?: number;
  /**
   * The `EncodedTask.lineage` of the last full write, as stored; absent for rows written before
   * appends existed (core never appends to those).
   */
  readonly lineage?: string;
  /**
   * True when the caller passed `known` to {@link TaskBackend.get} and the row has that version
   * and lineage: the backend then left out `body`, `artifacts` and `segments` (the caller
   * already holds that content).
   */
  readonly unchanged?: boolean;
  /**
   * The task's recent form (`RecentHistory.text` as stored), returned by `list` instead of
   * `body` when the query's `historyLength` is at most the row's stored reach. `body` is then
   * absent, and each segment carries only its `artifacts` (when asked for): the recent form
   * already holds the head and last messages the segments added.
   */
  readonly recent?: unknown;
}

/**
 * The version and lineage of a stored task as a caller last saw it. Together they name one
 * content: every write moves the version, and a full write (the only write that can follow a
 * delete) takes a new lineage, so a row that shows both has not changed since.
 */
export interface KnownTaskVersion {
  readonly version: number;
  readonly lineage: string;
}

/**
 * One appended change, stored as written and handed back as read. `body` is JSON text (the new
 * head fields and appended history); `artifacts` is JSON text of the artifact changes, or `''`
 * when the append changed no artifact. Backends never look inside.
 */
export interface TaskSegment {
  readonly body: unknown;
  /** Present only when the caller asked for artifacts. */
  readonly artifacts?: unknown;
}

/**
 * A change to a stored task that core proved to be an append (new history messages, new
 * artifact parts, replaced artifacts, new status and metadata).
 */
export interface EncodedTaskAppend {
  readonly id: string;
  /** New values of the columns `list` filters and orders on. */
  readonly contextId: string;
  readonly state: number;
  readonly sortKey: number;
  /** The segment to store after the existing ones. */
  readonly segment: { readonly body: string; readonly artifacts: string };
  /** The whole task's size after this append (store it as the row's `bytes`). */
  readonly bytes: number;
  /**
   * The lineage the stored row must have (besides the version) for the append to apply; an
   * append never changes it. Versions restart at 1 when a task is deleted and created again,
   * so the version alone cannot prove the row is the one core diffed against.
   */
  readonly lineage: string;
  /**
   * The task's recent form after this append. Undefined: the stored one still holds (the
   * append changed neither the head nor the history); null: store none.
   */
  readonly recent?: RecentHistory | null;
}

/**
 * How a write is conditioned. `undefined`: unconditional upsert; `null`: insert only;
 * a number: only if the stored version equals it.
 */
export type ExpectedVersion = number | null | undefined;

export type PutOutcome =
  | { readonly status: 'written'; readonly version: number }
  | { readonly status: 'stale'; readonly storedState: number }
  | { readonly status: 'conflict' };

/** A list query as a backend runs it: filters, keyset start, and `limit` rows at most. */
export interface BackendListQuery {
  readonly contextId: string;
  readonly state: number;
  readonly after: number | null;
  readonly cursor: { readonly sortKey: number; readonly id: string } | null;
  /** Rows to return at most (the store asks for one more than the page to detect a next page). */
  readonly limit: number;
  readonly includeArtifacts: boolean;
  /**
   * Set (0 or more) when the caller wants only this many last messages of each task's history.
   * A backend that stores recent forms (`EncodedTask.recent`) may then return, for a row whose
   * stored reach is at least this, its recent form as `TaskRow.recent` and no body or segment
   * bodies. Ignoring it is correct: core trims whatever history it gets.
   */
  readonly historyLength?: number;
}

export interface BackendListResult {
  /** In (sortKey desc, id desc) code-point order. */
  readonly rows: readonly TaskRow[];
  /** Exact count of tasks matching the filters in the scope, ignoring the cursor. */
  readonly total: number;
}

export interface BackendPurgeQuery {
  readonly olderThan: number;
  readonly states: readonly number[];
  readonly batchSize: number;
  readonly scope: Scope | undefined;
  /** Call after each batch with the tasks it deleted, so long purges can show progress. */
  readonly onBatch?: (deleted: number) => void;
}

/**
 * What an adapter implements for tasks. Core wraps it into the SDK-compatible store (scope
 * resolution, validation, codecs, page tokens, hooks), so each adapter holds only what is specific
 * to its database. Each method must be atomic: `put` applies the version check and the
 * terminal-state guard (see `isStaleTransition`) in the same operation as the write.
 */
export interface TaskBackend {
  /**
   * Reads a task. With `known` (core passes it only for a task it remembers whole, with
   * `includeArtifacts`), a backend may answer a row whose version and lineage equal it with
   * `unchanged: true` and `id`, `version`, `sortKey`, `bytes` and `lineage` only, so a load of a
   * large task this process just wrote costs a look at its version. Ignoring `known` is
   * correct too: core then decodes the row as always.
   */
  get(
    scope: Scope,
    id: string,
    includeArtifacts: boolean,
    known?: KnownTaskVersion,
  ): Promise<TaskRow | undefined>;
  /**
   * Writes `task`. Outcome order: `conflict` when `expected` does not match, else `stale` when
   * the stored state is terminal and differs from `task.state`, else `written` with the new
   * version (1 on insert, previous + 1 on update). `now` is the write time in epoch ms.
   */
  put(scope: Scope, task: EncodedTask, expected: ExpectedVersion, now: number): Promise<PutOutcome>;
  /**
   * Optional: stores a save as one more segment instead of rewriting the task, so the cost of a
   * save is what changed. One atomic write: `conflict` unless a row exists with version
   * `expected` and lineage `task.lineage`; else `stale` exactly as in `put`; else the segment goes after the existing ones,
   * the row takes the new context, state, sort key, write time and `bytes`, its version becomes
   * `expected + 1`, and the counters move as in `put`. A `put` (full write) stores the task's
   * `bytes` and `lineage` and drops every segment of the task in the same write; `delete` and `purge` drop them with the task. `get` and
   * `list` return a row's segments in the order they were appended (their `artifacts` only when
   * asked for), and `bytes` and `lineage` as last written. A backend without `append` always gets full writes.
   */
  append?(
    scope: Scope,
    task: EncodedTaskAppend,
    expected: number,
    now: number,
  ): Promise<PutOutcome>;
  /** Deletes the task and its push configs; true when the task existed. */
  delete(scope: Scope, id: string): Promise<boolean>;
  list(scope: Scope, query: BackendListQuery): Promise<BackendListResult>;
  /** Deletes matching tasks (and their push configs) in batches; resolves the count. */
  purge(query: BackendPurgeQuery): Promise<number>;
}

export type PushPutOutcome = 'written' | 'limit';

/** What an adapter implements for push configs. */
export interface PushConfigBackend {
  /**
   * Inserts or replaces (same id) a config. A replaced config moves to the end of the task's
   * order, as in the SDK's reference store. Refuses (`'limit'`, nothing written) a new id when
   * the task already has `maxPerTask` configs; the check and the write are one atomic operation.
   */
  put(
    scope: Scope,
    taskId: string,
    config: EncodedPushConfig,
    maxPerTask: number,
    now: number,
  ): Promise<PushPutOutcome>;
  /** The task's configs in registration order. */
  list(scope: Scope, taskId: string): Promise<readonly EncodedPushConfig[]>;
  delete(scope: Scope, taskId: string, configId: string): Promise<void>;
  deleteAll(scope: Scope, taskId: string): Promise<void>;
}
