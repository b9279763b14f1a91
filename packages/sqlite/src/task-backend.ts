import {
  type BackendListQuery,
  type BackendListResult,
  type BackendPurgeQuery,
  type CountedTask,
  type EncodedTask,
  type ExpectedVersion,
  isStaleTransition,
  type PutOutcome,
  type Scope,
  type SqlTaskRecord,
  type TaskBackend,
  type TaskRow,
  taskCounterChanges,
  taskWriteValues,
  toTaskRow,
} from '@a2a-stores/core';
import { CounterDeltas, CounterWriter } from './counters.js';
import type { SqliteSession } from './session.js';
import {
  counterStatements,
  listRowsQuery,
  listTotalQuery,
  purgeSelectSql,
  taskStatements,
} from './sql.js';

interface StoredGuard extends CountedTask {
  readonly version: number;
}

interface PurgeKey extends CountedTask {
  readonly tenant: string;
  readonly owner: string;
  readonly id: string;
}

/** Lets other work on the event loop run between purge batches. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Tasks in SQLite, with the memory backend's semantics. better-sqlite3 is synchronous, so each
 * call runs to completion without interleaving inside this process; writes also take the
 * database write lock up front (`BEGIN IMMEDIATE`), so a check and its write see the same row
 * even when other processes write the same file.
 */
export class SqliteTaskBackend implements TaskBackend {
  private readonly session: SqliteSession;
  private readonly sql: ReturnType<typeof taskStatements>;
  private readonly counters: CounterWriter;
  private readonly putTransaction;
  private readonly deleteTransaction;
  private readonly listTransaction;
  private readonly purgeBatchTransaction;

  constructor(session: SqliteSession) {
    this.session = session;
    this.sql = taskStatements(session.names);
    this.counters = new CounterWriter(session, counterStatements(session.names));
    const db = session.db;
    this.putTransaction = db.transaction(this.putNow.bind(this));
    this.deleteTransaction = db.transaction(this.deleteNow.bind(this));
    // A deferred read transaction, so the page and its total come from one snapshot.
    this.listTransaction = db.transaction(this.listNow.bind(this));
    this.purgeBatchTransaction = db.transaction(this.purgeBatchNow.bind(this));
  }

  // Not `async`: each returns the session's promise as is, without wrapping it in another.
  get(scope: Scope, id: string, includeArtifacts: boolean): Promise<TaskRow | undefined> {
    return this.session.run(() => {
      const sql = includeArtifacts ? this.sql.getWithArtifacts : this.sql.get;
      const record = this.session.statement(sql).get(scope.tenant, scope.owner, id) as
        | SqlTaskRecord
        | undefined;
      return record && toTaskRow(record, includeArtifacts);
    });
  }

  put(
    scope: Scope,
    task: EncodedTask,
    expected: ExpectedVersion,
    now: number,
  ): Promise<PutOutcome> {
    return this.session.write(() => this.putTransaction.immediate(scope, task, expected, now));
  }

  delete(scope: Scope, id: string): Promise<boolean> {
    return this.session.write(() => this.deleteTransaction.immediate(scope, id));
  }

  list(scope: Scope, query: BackendListQuery): Promise<BackendListResult> {
    return this.session.run(() => this.listTransaction.deferred(scope, query));
  }

  /** Each batch is its own short write transaction, so a large purge never blocks writers long. */
  async purge(query: BackendPurgeQuery): Promise<number> {
    let deleted = 0;
    for (;;) {
      const batch = await this.session.write(() => this.purgeBatchTransaction.immediate(query));
      deleted += batch;
      query.onBatch?.(batch);
      if (batch < query.batchSize) return deleted;
      await yieldToEventLoop();
    }
  }

  private putNow(
    scope: Scope,
    task: EncodedTask,
    expected: ExpectedVersion,
    now: number,
  ): PutOutcome {
    const stored = this.session
      .statement(this.sql.getGuard)
      .get(scope.tenant, scope.owner, task.id) as StoredGuard | undefined;
    if (expected === null && stored) return { status: 'conflict' };
    if (typeof expected === 'number' && stored?.version !== expected) return { status: 'conflict' };
    if (stored && isStaleTransition(stored.state, task.state)) {
      return { status: 'stale', storedState: stored.state };
    }
    const version = (stored?.version ?? 0) + 1;
    this.session.statement(this.sql.upsert).run(...taskWriteValues(scope, task, now), version);
    // A write that keeps its state and context moves no counter: the changes come back empty.
    this.counters.writeTask(scope, taskCounterChanges(stored, task));
    return { status: 'written', version };
  }

  private deleteNow(scope: Scope, id: string): boolean {
    const key = [scope.tenant, scope.owner, id] as const;
    this.session.statement(this.sql.deleteConfigsOfTask).run(...key);
    const stored = this.session.statement(this.sql.getGuard).get(...key) as StoredGuard | undefined;
    if (!stored) return false;
    this.session.statement(this.sql.delete).run(...key);
    this.counters.writeTask(scope, taskCounterChanges(stored, undefined));
    return true;
  }

  private listNow(scope: Scope, query: BackendListQuery): BackendListResult {
    const page = listRowsQuery(this.session.names, scope.tenant, scope.owner, query);
    const count = listTotalQuery(this.session.names, scope.tenant, scope.owner, query);
    const records = this.session.statement(page.sql).all(...page.values) as SqlTaskRecord[];
    const { total } = this.session.statement(count.sql).get(...count.values) as { total: number };
    return { rows: records.map((r) => toTaskRow(r, query.includeArtifacts)), total };
  }

  private purgeBatchNow(query: BackendPurgeQuery): number {
    const scoped = query.scope !== undefined;
    const keys = this.session.statement(purgeSelectSql(this.session.names, scoped)).all({
      states: JSON.stringify(query.states),
      olderThan: query.olderThan,
      batchSize: query.batchSize,
      tenant: query.scope?.tenant ?? null,
      owner: query.scope?.owner ?? null,
    }) as PurgeKey[];
    const deleteConfigs = this.session.statement(this.sql.deleteConfigsOfTask);
    const deleteTask = this.session.statement(this.sql.delete);
    const deltas = new CounterDeltas();
    for (const key of keys) {
      deleteConfigs.run(key.tenant, key.owner, key.id);
      deleteTask.run(key.tenant, key.owner, key.id);
      deltas.remove(key, key);
    }
    deltas.apply(this.counters);
    return keys.length;
  }
}
