import {
  type BackendListQuery,
  type BackendListResult,
  type BackendPurgeQuery,
  type EncodedTask,
  type EncodedTaskAppend,
  type ExpectedVersion,
  type KnownTaskVersion,
  type PutOutcome,
  type Scope,
  StoreUnavailableError,
  type TaskBackend,
  type TaskRow,
  taskKeyValues,
  taskListedValues,
  taskRowValues,
  toSafeInteger,
  unchangedTaskRow,
} from '@a2a-stores/core';
import type { PgExecutor, Statement } from './executor.js';
import { listTasksValues } from './list-function.js';
import { type ReadTaskRecord, taskRowOf, withSegments } from './segment-rows.js';
import { PUT_MODE_CODES, type TaskStatements } from './task-sql.js';

interface PutResult {
  readonly written_version: string | null;
  readonly stored_state: number | null;
  readonly stored_version: string | null;
}

interface AppendResult {
  readonly written_version: string | null;
  /** The stored row has the expected version and lineage (NULL: no row, or no lineage). */
  readonly matched: boolean | null;
  readonly stored_state: number | null;
}

type ListRecord = Partial<ReadTaskRecord> & { readonly total: string };

/** An insert race lost this many times in a row means something else is wrong. */
const MAX_PUT_ATTEMPTS = 3;

/**
 * {@link TaskBackend} over PostgreSQL: every write is one statement (purge: one per batch); a
 * read is one statement, plus one for the segments when the task (or any row of the page) has
 * appended segments. A list with `historyLength` reads a large task's recent form instead of its
 * body (see list-function.ts).
 */
export class PostgresTaskBackend implements TaskBackend {
  constructor(
    private readonly db: PgExecutor,
    private readonly sql: TaskStatements,
  ) {}

  async get(
    scope: Scope,
    id: string,
    includeArtifacts: boolean,
    known?: KnownTaskVersion,
  ): Promise<TaskRow | undefined> {
    // `known` only with artifacts: core passes it for a task it holds whole.
    const knows = known !== undefined && includeArtifacts;
    const [record] = await this.db.query<ReadTaskRecord & { unchanged: boolean }>(this.sql.get, [
      scope.tenant,
      scope.owner,
      id,
      includeArtifacts,
      knows ? known.version : null,
      knows ? known.lineage : null,
    ]);
    if (!record) return undefined;
    if (knows && record.unchanged) {
      return unchangedTaskRow(id, known, record.sort_key, record.bytes);
    }
    if (record.segment_count === 0) return taskRowOf(record, includeArtifacts);
    const [row] = await withSegments(
      this.db,
      this.segmentsStatement(includeArtifacts),
      scope,
      [record],
      includeArtifacts,
    );
    return row;
  }

  async put(
    scope: Scope,
    task: EncodedTask,
    expected: ExpectedVersion,
    now: number,
  ): Promise<PutOutcome> {
    const mode = expected === undefined ? 'any' : expected === null ? 'absent' : 'version';
    const values: unknown[] = [
      ...taskRowValues(scope, task, now),
      typeof expected === 'number' ? expected : null,
      PUT_MODE_CODES[mode],
      // Absent: NULLs, so a task that shrank below the size that keeps one drops the old form.
      task.recent?.text ?? null,
      task.recent?.reach ?? null,
    ];
    for (let attempt = 1; ; attempt++) {
      const [result] = await this.db.query<PutResult>(this.sql.put, values);
      if (!result)
        throw new StoreUnavailableError('PostgreSQL returned no result for a task write');
      if (result.written_version !== null) {
        return {
          status: 'written',
          version: toSafeInteger(result.written_version, task.id, 'version'),
        };
      }
      if (expected === null) return { status: 'conflict' };
      if (result.stored_version === null || result.stored_state === null) {
        if (typeof expected === 'number') return { status: 'conflict' };
        // Unconditional write that lost an insert race: the row is visible to the next statement.
        if (attempt < MAX_PUT_ATTEMPTS) continue;
        throw new StoreUnavailableError(
          'Task write kept losing concurrent insert races; retry the call',
        );
      }
      if (typeof expected === 'number' && Number(result.stored_version) !== expected) {
        return { status: 'conflict' };
      }
      return { status: 'stale', storedState: result.stored_state };
    }
  }

  async append(
    scope: Scope,
    task: EncodedTaskAppend,
    expected: number,
    now: number,
  ): Promise<PutOutcome> {
    const [result] = await this.db.query<AppendResult>(this.sql.append, [
      ...taskKeyValues(scope, task.id),
      ...taskListedValues(task, now),
      task.bytes,
      task.segment.body,
      task.segment.artifacts,
      expected,
      task.lineage,
      // Undefined keeps the stored recent form; null drops it; a value replaces it.
      task.recent?.text ?? null,
      task.recent?.reach ?? null,
      task.recent !== undefined,
    ]);
    if (!result) throw new StoreUnavailableError('PostgreSQL returned no result for a task append');
    if (result.written_version !== null) {
      return {
        status: 'written',
        version: toSafeInteger(result.written_version, task.id, 'version'),
      };
    }
    if (result.matched !== true || result.stored_state === null) return { status: 'conflict' };
    return { status: 'stale', storedState: result.stored_state };
  }

  async delete(scope: Scope, id: string): Promise<boolean> {
    const [result] = await this.db.query<{ deleted: number }>(this.sql.delete, [
      scope.tenant,
      scope.owner,
      id,
    ]);
    return (result?.deleted ?? 0) > 0;
  }

  async list(scope: Scope, query: BackendListQuery): Promise<BackendListResult> {
    const records = await this.db.query<ListRecord>(this.sql.list, listTasksValues(scope, query));
    // The empty page's lone total row has no id.
    const page = records.filter((record) => typeof record.id === 'string') as ReadTaskRecord[];
    // Rows listed in their recent form need their segments' artifacts only, so with artifacts
    // the page's segments come from the statement that leaves their bodies unread.
    const history = query.includeArtifacts ? query.historyLength : undefined;
    const rows: TaskRow[] = await withSegments(
      this.db,
      history === undefined
        ? this.segmentsStatement(query.includeArtifacts)
        : this.sql.rowSegmentsForHistory,
      scope,
      page,
      query.includeArtifacts,
      history,
    );
    const total = records[0] ? toSafeInteger(records[0].total, '(total)', 'total') : 0;
    return { rows, total };
  }

  private segmentsStatement(includeArtifacts: boolean): Statement {
    return includeArtifacts ? this.sql.rowSegmentsWithArtifacts : this.sql.rowSegments;
  }

  async purge(query: BackendPurgeQuery): Promise<number> {
    const base = [query.olderThan, query.states, query.batchSize];
    const scoped = query.scope !== undefined;
    const values = query.scope ? [...base, query.scope.tenant, query.scope.owner] : base;
    let deleted = 0;
    // Until a batch picks fewer candidates than it may: fewer deletions alone prove nothing,
    // since a picked task rewritten meanwhile is kept.
    for (;;) {
      const [result] = await this.db.query<{ picked: number; deleted: number }>(
        scoped ? this.sql.purgeInScope : this.sql.purge,
        values,
      );
      deleted += result?.deleted ?? 0;
      query.onBatch?.(result?.deleted ?? 0);
      if ((result?.picked ?? 0) < query.batchSize) break;
    }
    await this.dropZeroCounters(query);
    return deleted;
  }

  private async dropZeroCounters(query: BackendPurgeQuery): Promise<void> {
    const values = query.scope
      ? [query.batchSize, query.scope.tenant, query.scope.owner]
      : [query.batchSize];
    for (;;) {
      const [result] = await this.db.query<{ deleted: number }>(
        query.scope ? this.sql.dropZeroCountersInScope : this.sql.dropZeroCounters,
        values,
      );
      if ((result?.deleted ?? 0) < query.batchSize) break;
    }
  }
}
