import {
  type BackendListQuery,
  type BackendListResult,
  type BackendPurgeQuery,
  type EncodedTask,
  type ExpectedVersion,
  isStaleTransition,
  type PutOutcome,
  type Scope,
  StoreUnavailableError,
  type TaskBackend,
  type TaskRow,
  taskWriteValues,
  toSafeInteger,
  toTaskRow,
} from '@a2a-stores/core';
import { deleteZeroCounters } from './counter-sql.js';
import type { Executor } from './executor.js';
import { isDuplicateKey } from './mysql-errors.js';
import type { SqlRunner } from './sql-runner.js';
import { TaskStatements } from './task-statements.js';

interface TaskRecord {
  readonly id?: Buffer | string;
  readonly version: number | string;
  readonly sort_key: number | string;
  readonly body: unknown;
  readonly artifacts?: unknown;
  readonly total?: number | string;
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

/** A conflict or a stale write found on the failure path may race a delete; retry that far. */
const MAX_PUT_ATTEMPTS = 3;

/**
 * MySQL/MariaDB implementation of core's TaskBackend: every write is one statement (the version
 * check and the terminal guard in its WHERE or UPDATE clause), so the hot path is one round trip.
 */
export class MysqlTaskBackend implements TaskBackend {
  private readonly sql: TaskStatements;

  constructor(private readonly runner: SqlRunner) {
    this.sql = new TaskStatements(runner.tables);
  }

  get(scope: Scope, id: string, includeArtifacts: boolean): Promise<TaskRow | undefined> {
    return this.runner
      .select<TaskRecord>('load', includeArtifacts ? this.sql.getWithArtifacts : this.sql.get, [
        scope.tenant,
        scope.owner,
        id,
      ])
      .then((records) => {
        const record = records[0];
        if (record === undefined) return undefined;
        // A fixed-shape literal: cheaper than spreading the driver's row into a new object.
        return toTaskRow(
          {
            id,
            version: record.version,
            sort_key: record.sort_key,
            body: record.body,
            artifacts: record.artifacts,
          },
          includeArtifacts,
        );
      });
  }

  put(
    scope: Scope,
    task: EncodedTask,
    expected: ExpectedVersion,
    now: number,
  ): Promise<PutOutcome> {
    return this.runner.run('save', async (db) => {
      for (let attempt = 1; ; attempt++) {
        const outcome =
          expected === undefined
            ? await this.upsert(db, scope, task, now)
            : expected === null
              ? await this.insertOnly(db, scope, task, now)
              : await this.updateIfVersion(db, scope, task, expected, now);
        if (outcome !== 'retry') return outcome;
        // The row changed between the refused write and the read that explains it (a delete
        // or a re-creation raced it). A compare-and-set then did conflict; a plain save must
        // not be dropped silently, so it fails retryably.
        if (attempt >= MAX_PUT_ATTEMPTS) {
          if (expected !== undefined) return { status: 'conflict' };
          throw new StoreUnavailableError(
            'MySQL save kept racing concurrent writes to the same task',
          );
        }
      }
    });
  }

  private async upsert(
    db: Executor,
    scope: Scope,
    task: EncodedTask,
    now: number,
  ): Promise<PutOutcome | 'retry'> {
    const result = await db.write(this.sql.upsert, [...taskWriteValues(scope, task, now)]);
    if (result.affectedRows === 2) return { status: 'written', version: result.insertId };
    if (result.affectedRows === 1 && result.insertId === 0)
      return { status: 'written', version: 1 };
    // Refused by the terminal guard: read the state that refused it (failure path only).
    const stored = await this.readState(db, scope, task.id);
    if (stored && isStaleTransition(stored.state, task.state)) {
      return { status: 'stale', storedState: stored.state };
    }
    return 'retry';
  }

  private async insertOnly(
    db: Executor,
    scope: Scope,
    task: EncodedTask,
    now: number,
  ): Promise<PutOutcome> {
    try {
      await db.write(this.sql.insert, [...taskWriteValues(scope, task, now)]);
      return { status: 'written', version: 1 };
    } catch (error) {
      // Inside a transaction only this statement is undone; the caller's transaction goes on.
      if (isDuplicateKey(error)) return { status: 'conflict' };
      throw error;
    }
  }

  private async updateIfVersion(
    db: Executor,
    scope: Scope,
    task: EncodedTask,
    expected: number,
    now: number,
  ): Promise<PutOutcome | 'retry'> {
    const result = await db.write(this.sql.updateIfVersion, [
      task.contextId,
      task.state,
      task.sortKey,
      now,
      task.body,
      task.artifacts,
      scope.tenant,
      scope.owner,
      task.id,
      expected,
      task.state,
    ]);
    // `version` always changes, so affectedRows counts matched rows with or without FOUND_ROWS.
    if (result.affectedRows === 1) return { status: 'written', version: expected + 1 };
    const stored = await this.readState(db, scope, task.id);
    if (!stored || stored.version !== expected) return { status: 'conflict' };
    if (isStaleTransition(stored.state, task.state))
      return { status: 'stale', storedState: stored.state };
    return 'retry';
  }

  private async readState(
    db: Executor,
    scope: Scope,
    id: string,
  ): Promise<{ version: number; state: number } | undefined> {
    const [row] = await db.select<{ version: number | string; state: number }>(this.sql.readState, [
      scope.tenant,
      scope.owner,
      id,
    ]);
    return row && { version: toSafeInteger(row.version, id, 'version'), state: Number(row.state) };
  }

  delete(scope: Scope, id: string): Promise<boolean> {
    const key = [scope.tenant, scope.owner, id];
    // Task, then config set, then configs: the lock order every multi-row write here follows.
    return this.runner.transaction('delete', async (db) => {
      const deleted = await db.write(this.sql.deleteTask, key);
      await db.write(this.sql.deleteConfigSet, key);
      await db.write(this.sql.deleteConfigs, key);
      return deleted.affectedRows > 0;
    });
  }

  list(scope: Scope, query: BackendListQuery): Promise<BackendListResult> {
    return this.runner.run('list', async (db) => {
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
      return {
        rows: records.map((record) =>
          toTaskRow({ ...record, id: decodeKey(record.id) }, query.includeArtifacts),
        ),
        total,
      };
    });
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
          for (const table of ['tasks', 'pushConfigSets', 'pushConfigs'] as const) {
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
