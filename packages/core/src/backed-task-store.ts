import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { decodeRecentTask, decodeSegmentedTask, wireTaskOf } from './append/decode-segments.js';
import { RECENT_REACHES_ALL } from './append/recent-history.js';
import { TaskWriter } from './append/task-writer.js';
import type { KnownTaskVersion, TaskBackend, TaskRow } from './backend.js';
import type { PurgeOptions, PurgeResult, ScopedTaskStore, VersionedTask } from './contracts.js';
import {
  CorruptRecordError,
  InvalidInputError,
  StaleWriteError,
  VersionConflictError,
} from './errors.js';
import { fireHook } from './hooks.js';
import { assertValidId } from './limits.js';
import { normalizeListRequest, trimHistory } from './list-query.js';
import type { ResolvedStoreOptions } from './options.js';
import { encodePageToken } from './page-token.js';
import { type TaskSavePreflight, validateTaskInput } from './preflight.js';
import { resolveScope, type Scope } from './scope.js';
import { decodeTask } from './task-codec.js';
import { TERMINAL_STATES } from './task-states.js';
import { StoreTelemetry, type StoreTelemetryAttributes } from './telemetry/store-telemetry.js';

const DEFAULT_PURGE_BATCH = 500;

/**
 * The SDK-compatible task store every adapter exposes: scope resolution, validation, codecs, page
 * tokens and hooks live here; the adapter's {@link TaskBackend} does the storage.
 */
export class BackedTaskStore implements ScopedTaskStore, TaskSavePreflight {
  protected readonly backend: TaskBackend;
  protected readonly options: ResolvedStoreOptions;
  /** Spans and metrics of this store (no-ops without `@opentelemetry/api`). */
  protected readonly telemetry: StoreTelemetry;
  /** Chooses between a full write and an append for each save. */
  readonly #writer: TaskWriter;

  /**
   * @param telemetry where the data lives, for span and metric attributes; an adapter passes
   *   its database system, table and server (default: `db.system.name` `other`).
   */
  constructor(
    backend: TaskBackend,
    options: ResolvedStoreOptions,
    telemetry: StoreTelemetryAttributes | null = { system: 'other' },
  ) {
    this.backend = backend;
    this.options = options;
    this.telemetry = new StoreTelemetry(telemetry);
    this.#writer = new TaskWriter(backend, options.limits.maxTaskBytes);
  }

  /** The scope this store derives from a call context (for wrappers that bind data to it). */
  scopeOf(context: ServerCallContext): Scope {
    return resolveScope(this.options.scopeResolver, context);
  }

  // `load` and `loadVersioned` each await the backend in their own frame, with no shared async
  // helper between: a point load of a small task is a few microseconds, and a frame is one more.
  load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    return this.telemetry.run('load', async () => {
      const scope = this.scopeOfRead(taskId, context);
      const known = this.#writer.known(scope, taskId);
      const row = await this.backend.get(scope, taskId, true, known);
      if (!row) return undefined;
      if (!row.unchanged) return this.decodeLoaded(scope, taskId, row);
      return (await this.readUnchanged(scope, taskId, row, known))?.task;
    });
  }

  loadVersioned(taskId: string, context: ServerCallContext): Promise<VersionedTask | undefined> {
    return this.telemetry.run('load_versioned', async () => {
      const scope = this.scopeOfRead(taskId, context);
      const known = this.#writer.known(scope, taskId);
      const row = await this.backend.get(scope, taskId, true, known);
      if (!row) return undefined;
      if (!row.unchanged)
        return { task: this.decodeLoaded(scope, taskId, row), version: row.version };
      return this.readUnchanged(scope, taskId, row, known);
    });
  }

  save(task: Task, context: ServerCallContext): Promise<void> {
    return this.telemetry.run('save', async () => {
      const scope = this.scopeOf(context);
      const { outcome, state } = await this.#writer.write(
        scope,
        task,
        undefined,
        this.options.now(),
      );
      if (outcome.status === 'stale') {
        const refused = this.options.staleWrites === 'throw';
        this.telemetry.count('staleWrites', 1, {
          'a2a_stores.stale_write.action': refused ? 'refused' : 'dropped',
        });
        if (refused) {
          throw new StaleWriteError(task.id, outcome.storedState, state);
        }
        fireHook(this.options.hooks.onStaleWrite, {
          scope,
          taskId: task.id,
          storedState: outcome.storedState,
          attemptedState: state,
        });
      }
    });
  }

  /** Throws what `save` would throw for this task and call before writing; writes nothing. */
  validateSave(task: Task, context: ServerCallContext): void {
    this.scopeOf(context);
    validateTaskInput(task, this.options);
  }

  saveIfVersion(
    task: Task,
    context: ServerCallContext,
    expectedVersion: number | null,
  ): Promise<number> {
    return this.telemetry.run('save_if_version', async () => {
      const scope = this.scopeOf(context);
      if (
        expectedVersion !== null &&
        (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1)
      ) {
        throw new InvalidInputError('expectedVersion must be null or a positive integer');
      }
      const { outcome, state } = await this.#writer.write(
        scope,
        task,
        expectedVersion,
        this.options.now(),
      );
      if (outcome.status === 'conflict') {
        this.telemetry.count('versionConflicts');
        throw new VersionConflictError(task.id, expectedVersion);
      }
      if (outcome.status === 'stale') {
        this.telemetry.count('staleWrites', 1, { 'a2a_stores.stale_write.action': 'refused' });
        throw new StaleWriteError(task.id, outcome.storedState, state);
      }
      return outcome.version;
    });
  }

  delete(taskId: string, context: ServerCallContext): Promise<boolean> {
    return this.telemetry.run('delete', async () => {
      const scope = this.scopeOf(context);
      assertValidId(taskId, 'taskId');
      this.#writer.forget(scope, taskId);
      return this.backend.delete(scope, taskId);
    });
  }

  list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return this.telemetry.run('list', async () => {
      const scope = this.scopeOf(context);
      const query = normalizeListRequest(params, scope);
      const { rows, total } = await this.backend.list(scope, {
        contextId: query.contextId,
        state: query.state,
        after: query.after,
        cursor: query.cursor,
        limit: query.pageSize + 1,
        includeArtifacts: query.includeArtifacts,
        ...(query.historyLength !== undefined && {
          historyLength: Math.min(Math.max(query.historyLength, 0), RECENT_REACHES_ALL),
        }),
      });
      const page = rows.slice(0, query.pageSize);
      const tasks: Task[] = [];
      for (const row of page) {
        const task = this.decodeListed(scope, row, query.includeArtifacts);
        if (task) tasks.push(trimHistory(task, query.historyLength));
      }
      const last = page[page.length - 1];
      const nextPageToken =
        rows.length > query.pageSize && last
          ? encodePageToken({ sortKey: last.sortKey, id: last.id }, query.binding)
          : '';
      return { tasks, nextPageToken, pageSize: query.pageSize, totalSize: total };
    });
  }

  purge(options: PurgeOptions): Promise<PurgeResult> {
    return this.telemetry.run('purge', async () => {
      if (!(options?.olderThan instanceof Date) || Number.isNaN(options.olderThan.getTime())) {
        throw new InvalidInputError('purge: olderThan must be a valid Date');
      }
      const batchSize = options.batchSize ?? DEFAULT_PURGE_BATCH;
      if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
        throw new InvalidInputError('purge: batchSize must be an integer between 1 and 10000');
      }
      const states = options.states ?? TERMINAL_STATES;
      if (!Array.isArray(states) || states.some((s) => !Number.isInteger(s) || s < 0)) {
        throw new InvalidInputError('purge: states must be TaskState numbers');
      }
      this.#writer.forgetAll();
      let soFar = 0;
      const onProgress = options.onProgress;
      const deleted = await this.backend.purge({
        olderThan: options.olderThan.getTime(),
        states,
        batchSize,
        scope: options.scope,
        ...(onProgress && {
          onBatch: (batch: number) => {
            soFar += batch;
            fireHook(onProgress, soFar);
          },
        }),
      });
      this.telemetry.count('purgedTasks', deleted);
      return { deleted };
    });
  }

  private scopeOfRead(taskId: string, context: ServerCallContext): Scope {
    const scope = this.scopeOf(context);
    assertValidId(taskId, 'taskId');
    return scope;
  }

  /**
   * A loaded row the backend found `unchanged` since the version this store knew (a large task
   * it wrote or read last): the task is decoded from what the store remembers, or, when that
   * was forgotten meanwhile (another call of this store wrote or evicted it), read whole again.
   */
  private async readUnchanged(
    scope: Scope,
    taskId: string,
    unchanged: TaskRow,
    known: KnownTaskVersion | undefined,
  ): Promise<VersionedTask | undefined> {
    const task = known && this.#writer.loadUnchanged(scope, unchanged);
    if (task) return { task, version: unchanged.version };
    const row = await this.backend.get(scope, taskId, true);
    return row && { task: this.decodeLoaded(scope, taskId, row), version: row.version };
  }

  /** A loaded row as a task; a corrupt one is reported, then thrown. */
  private decodeLoaded(scope: Scope, taskId: string, row: TaskRow): Task {
    try {
      if (!this.#writer.remembers(row)) return decodeRow(taskId, row, true);
      const wire = wireTaskOf(taskId, row.body, row.artifacts, row.segments ?? []);
      const task = wire.toTask();
      this.#writer.observe(scope, row, task, wire);
      return task;
    } catch (error) {
      if (error instanceof CorruptRecordError) {
        this.telemetry.count('corruptRecords', 1, { 'a2a_stores.record.kind': 'task' });
        fireHook(this.options.hooks.onCorruptRecord, {
          kind: 'task',
          scope,
          recordId: taskId,
          error,
        });
      }
      throw error;
    }
  }

  /** A corrupt row is reported and skipped so one bad record never fails a whole page. */
  private decodeListed(scope: Scope, row: TaskRow, includeArtifacts: boolean): Task | undefined {
    try {
      return decodeRow(row.id, row, includeArtifacts);
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
      this.telemetry.count('corruptRecords', 1, { 'a2a_stores.record.kind': 'task' });
      fireHook(this.options.hooks.onCorruptRecord, {
        kind: 'task',
        scope,
        recordId: row.id,
        error,
      });
      return undefined;
    }
  }
}

/** A stored row as a task: its full write, and the segments appended since, if any. */
function decodeRow(taskId: string, row: TaskRow, includeArtifacts: boolean): Task {
  const artifacts = includeArtifacts ? row.artifacts : undefined;
  if (row.recent !== undefined && row.recent !== null) {
    return decodeRecentTask(taskId, row.recent, artifacts, row.segments ?? []);
  }
  return row.segments?.length
    ? decodeSegmentedTask(taskId, row.body, artifacts, row.segments)
    : decodeTask(taskId, row.body, artifacts);
}
