import {
  type BackendListQuery,
  type BackendListResult,
  type BackendPurgeQuery,
  type EncodedTask,
  type EncodedTaskAppend,
  type ExpectedVersion,
  isKnownVersion,
  type KnownTaskVersion,
  type PutOutcome,
  type Scope,
  StoreUnavailableError,
  type TaskBackend,
  type TaskRow,
  toSafeInteger,
  unchangedTaskRow,
} from '@a2a-stores/core';
import { deleteZeroCounters } from './counter-sql.js';
import type { Executor } from './executor.js';
import { readSegments, readSegmentsOfPage } from './segment-reads.js';
import { SegmentStatements, type SegmentWindow } from './segment-statements.js';
import type { SqlRunner } from './sql-runner.js';
import { TaskStatements, TERMINAL } from './task-statements.js';
import { TaskWriter } from './task-writer.js';

interface TaskRecord {
  readonly id?: Buffer | string;
  readonly version: number | string;
  readonly sort_key: number | string;
  readonly body: unknown;
  readonly artifacts?: unknown;
  readonly segment_count: number | string;
  readonly bytes: number | string;
  readonly lineage: string;
  readonly total?: number | string;
  /** Listed with a short history: the recent form when it reaches it (body is then NULL). */
  readonly recent?: string | null;
}

/** What `get` reads first when the caller knows a version. */
interface VersionRecord {
  readonly version: number | string;
  readonly sort_key: number | string;
  readonly bytes: number | string;
  readonly lineage: string;
}

type TaskKey = readonly [Buffer, Buffer, Buffer];

interface ZeroCounter {
  readonly tenant: Buffer;
  readonly owner: Buffer;
}

/** Keys are VARBINARY: mysql2 hands them back as Buffers holding UTF-8. */
export function decodeKey(value: Buffer | string | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.toString('utf8');
}

/** Task keys per purge DELETE statement. */
const DELETE_CHUNK = 200;

/**
 * Reads of a task with segments whose window a concurrent full write removed (see
 * segment-reads.ts) are re-read this many times in all; a full write happens once per many
 * appends, so a second read practically always succeeds.
 */
const MAX_READ_ATTEMPTS = 5;

function toRow(
  record: TaskRecord,
  id: string,
  includeArtifacts: boolean,
  recent?: string,
): TaskRow {
  // `recent`: a listed row in its recent form (no body; see TaskRow.recent). One literal of one
  // shape for every row, in that form or not: cheaper than spreading the driver's row, and a
  // page's rows share one hidden class for the reads that decode them.
  return {
    id,
    body: recent === undefined ? record.body : undefined,
    version: toSafeInteger(record.version, id, 'version'),
    sortKey: toSafeInteger(record.sort_key, id, 'sort_key'),
    artifacts: includeArtifacts ? record.artifacts : undefined,
    bytes: Number(record.bytes),
    // '' for rows written before appends existed: no lineage, so core never appends to them.
    lineage: record.lineage === '' ? undefined : record.lineage,
    recent,
    segments: undefined,
  };
}

function windowOf(row: TaskRow, record: TaskRecord, artifactsOnly = false): SegmentWindow {
  return { id: row.id, version: row.version, count: Number(record.segment_count), artifactsOnly };
}

function racedReads(): StoreUnavailableError {
  return new StoreUnavailableError('MySQL read kept racing full writes of the same task');
}

/**
 * MySQL/MariaDB implementation of core's TaskBackend: every write of a task without segments is
 * one statement (the version check and the terminal guard in its WHERE or UPDATE clause), so the
 * hot path is one round trip. Appends and full writes over segments are short transactions.
 */
export class MysqlTaskBackend implements TaskBackend {
  private readonly sql: TaskStatements;
  private readonly segments: SegmentStatements;
  private readonly writer: TaskWriter;

  constructor(private readonly runner: SqlRunner) {
    this.sql = new TaskStatements(runner.tables);
    this.segments = new SegmentStatements(runner.tables, TERMINAL);
    this.writer = new TaskWriter(runner, this.sql, this.segments);
  }

  get(
    scope: Scope,
    id: string,
    includeArtifacts: boolean,
    known?: KnownTaskVersion,
  ): Promise<TaskRow | undefined> {
    if (!known) return this.load(scope, id, includeArtifacts, 1);
    // A look at the version first: the task is read only when something wrote it since, which
    // then costs this one round trip more.
    return this.runner
      .select<VersionRecord>('load', this.sql.getVersion, [scope.tenant, scope.owner, id])
      .then((records) => {
        const record = records[0];
        if (record === undefined) return undefined;
        if (!isKnownVersion(Number(record.version), record.lineage, known)) {
          return this.load(scope, id, includeArtifacts, 1);
        }
        return unchangedTaskRow(id, known, record.sort_key, record.bytes);
      });
  }

  private load(
    scope: Scope,
    id: string,
    includeArtifacts: boolean,
    attempt: number,
  ): Promise<TaskRow | undefined> {
    return this.runner
      .select<TaskRecord>('load', includeArtifacts ? this.sql.getWithArtifacts : this.sql.get, [
        scope.tenant,
        scope.owner,
        id,
      ])
      .then((records) => {
        const record = records[0];
        if (record === undefined) return undefined;
        const row = toRow(record, id, includeArtifacts);
        if (Number(record.segment_count) === 0) return row;
        return this.withSegments(scope, row, record, includeArtifacts, attempt);
      });
  }

  private async withSegments(
    scope: Scope,
    row: TaskRow,
    record: TaskRecord,
    includeArtifacts: boolean,
    attempt: number,
  ): Promise<TaskRow | undefined> {
    const segments = await this.runner.run('load', (db) =>
      readSegments(db, this.segments, scope, windowOf(row, record), includeArtifacts),
    );
    if (segments) return { ...row, segments };
    if (attempt >= MAX_READ_ATTEMPTS) throw racedReads();
    return this.load(scope, row.id, includeArtifacts, attempt + 1);
  }

  put(
    scope: Scope,
    task: EncodedTask,
    expected: ExpectedVersion,
    now: number,
  ): Promise<PutOutcome> {
    return this.writer.put(scope, task, expected, now);
  }

  append(
    scope: Scope,
    task: EncodedTaskAppend,
    expected: number,
    now: number,
  ): Promise<PutOutcome> {
    return this.writer.append(scope, task, expected, now);
  }

  delete(scope: Scope, id: string): Promise<boolean> {
    const key = [scope.tenant, scope.owner, id];
    // Task, segments, config set, configs: the lock order every multi-row write here follows.
    return this.runner.transaction('delete', async (db) => {
      const deleted = await db.write(this.sql.deleteTask, key);
      await db.write(this.segments.deleteForTask, key);
      await db.write(this.sql.deleteConfigSet, key);
      await db.write(this.sql.deleteConfigs, key);
      return deleted.affectedRows > 0;
    });
  }

  list(scope: Scope, query: BackendListQuery): Promise<BackendListResult> {
    return this.runner.run('list', async (db) => {
      for (let attempt = 1; ; attempt++) {
        const result = await this.listOnce(db, scope, query);
        if (result) return result;
        if (attempt >= MAX_READ_ATTEMPTS) throw racedReads();
      }
    });
  }

  /** One page with its segments, or `undefined` when a full write raced the segment read. */
  private async listOnce(
    db: Executor,
    scope: Scope,
    query: BackendListQuery,
  ): Promise<BackendListResult | undefined> {
    const page = this.sql.listPage(scope, query);
    const records = await db.select<TaskRecord>(page.sql, page.params);
    const first = records[0];
    let total = 0;
    if (first) total = Number(first.total);
    else if (query.cursor) {
      // An empty page after a cursor still has a total; without a cursor, empty means 0.
      const count = this.sql.listTotal(scope, query);
      const [row] = await db.select<{ total: number | string }>(count.sql, count.params);
      total = Number(row?.total ?? 0);
    }
    const rows: TaskRow[] = [];
    const windows: SegmentWindow[] = [];
    for (const record of records) {
      const id = decodeKey(record.id);
      const recent = record.recent;
      if (typeof recent === 'string') {
        // Its segments matter only for their artifacts: the recent form holds the rest.
        const row = toRow(record, id, query.includeArtifacts, recent);
        rows.push(row);
        if (query.includeArtifacts && Number(record.segment_count) > 0) {
          windows.push(windowOf(row, record, true));
        }
        continue;
      }
      const row = toRow(record, id, query.includeArtifacts);
      rows.push(row);
      if (Number(record.segment_count) > 0) windows.push(windowOf(row, record));
    }
    if (windows.length === 0) return { rows, total };
    // One more query for every row of the page that has segments, never one per row.
    const found = await readSegmentsOfPage(
      db,
      this.segments,
      scope,
      windows,
      query.includeArtifacts,
    );
    if (!found) return undefined;
    return {
      rows: rows.map((row) => {
        const segments = found.get(row.id);
        return segments ? { ...row, segments } : row;
      }),
      total,
    };
  }

  async purge(query: BackendPurgeQuery): Promise<number> {
    if (query.states.length === 0) return 0;
    let deleted = 0;
    for (;;) {
      const batch = await this.runner.transaction('purge', async (db) => {
        const select = this.sql.purgeBatch(
          query.states,
          query.olderThan,
          query.scope,
          query.batchSize,
        );
        const rows = await db.select<{ tenant: Buffer; owner: Buffer; id: Buffer }>(
          select.sql,
          select.params,
        );
        const keys: TaskKey[] = rows.map((row) => [row.tenant, row.owner, row.id]);
        if (keys.length === 0) return { selected: 0, deleted: 0 };
        let removed = 0;
        // Keys go as literals: chunked so a statement stays far below max_allowed_packet even
        // with 765-byte keys (about 1 MB per chunk at worst).
        for (let start = 0; start < keys.length; start += DELETE_CHUNK) {
          const chunk = keys.slice(start, start + DELETE_CHUNK);
          for (const table of ['tasks', 'taskSegments', 'pushConfigSets', 'pushConfigs'] as const) {
            const statement = this.sql.deleteKeys(table, chunk);
            const result = await db.writeText(statement.sql, statement.params);
            if (table === 'tasks') removed += result.affectedRows;
          }
        }
        return { selected: keys.length, deleted: removed };
      });
      deleted += batch.deleted;
      query.onBatch?.(batch.deleted);
      if (batch.selected < query.batchSize) break;
    }
    if (deleted > 0) await this.dropZeroCounters(query);
    return deleted;
  }

  /** Removes the scope counts a purge left at zero, in batches, so they do not pile up. */
  private async dropZeroCounters(query: BackendPurgeQuery): Promise<void> {
    const { scope, batchSize } = query;
    const limit = String(batchSize);
    for (;;) {
      const found = await this.runner.run('purge', async (db) => {
        const rows = await db.select<ZeroCounter>(
          scope ? this.sql.zeroCountersInScope : this.sql.zeroCounters,
          scope ? [scope.tenant, scope.owner, limit] : [limit],
        );
        if (rows.length === 0) return 0;
        const keys = rows.map((row) => [row.tenant, row.owner] as const);
        const statement = deleteZeroCounters(this.runner.tables, keys);
        await db.writeText(statement.sql, statement.params);
        return rows.length;
      });
      if (found < batchSize) return;
    }
  }
}
