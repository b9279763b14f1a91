import {
  type BackendListQuery,
  type BackendListResult,
  type BackendPurgeQuery,
  type CountedTask,
  type EncodedTask,
  type EncodedTaskAppend,
  type ExpectedVersion,
  isKnownVersion,
  isStaleTransition,
  type KnownTaskVersion,
  type PutOutcome,
  type Scope,
  type TaskBackend,
  type TaskRow,
  taskCounterChanges,
  unchangedTaskRow,
} from '@a2a-stores/core';
import { CounterDeltas, CounterWriter } from './counters.js';
import {
  fromRawListedRecord,
  type ListedTaskRecord,
  type RawListedRecord,
  toRecentTaskRow,
} from './recent-rows.js';
import {
  fromRawRecord,
  hasSegmentRows,
  INLINE_BASE_LIMIT,
  type RawTaskRecord,
  type SegmentedTaskRecord,
  type SegmentRecord,
  segmentStatements,
  toSegmentedTaskRow,
  wholeTaskRowOf,
} from './segments.js';
import type { SqliteSession } from './session.js';
import {
  counterStatements,
  listRowsQuery,
  listTotalQuery,
  purgeSelectSql,
  taskStatements,
} from './sql.js';

interface SegmentFlags {
  readonly segmentCount: number;
  readonly baseInSegments: number;
}

interface StoredGuard extends CountedTask, SegmentFlags {
  readonly version: number;
  readonly lineage: string;
}

interface PurgeKey extends CountedTask, SegmentFlags {
  readonly tenant: string;
  readonly owner: string;
  readonly id: string;
}

/** Whether the task has rows in the segments table, from the flags its guard read returned. */
const storesSegments = (flags: SegmentFlags) =>
  hasSegmentRows({ segment_count: flags.segmentCount, base_in_segments: flags.baseInSegments });

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
  private readonly segmentSql: ReturnType<typeof segmentStatements>;
  private readonly counters: CounterWriter;
  private readonly putTransaction;
  private readonly appendTransaction;
  /** A deferred read transaction, so a row and its segments come from one snapshot. */
  private readonly getSegmentedTransaction;
  private readonly deleteTransaction;
  private readonly listTransaction;
  private readonly purgeBatchTransaction;

  constructor(session: SqliteSession) {
    this.session = session;
    this.sql = taskStatements(session.names);
    this.segmentSql = segmentStatements(session.names);
    this.counters = new CounterWriter(session, counterStatements(session.names));
    const db = session.db;
    this.putTransaction = db.transaction(this.putNow.bind(this));
    this.appendTransaction = db.transaction(this.appendNow.bind(this));
    this.getSegmentedTransaction = db.transaction(this.getNow.bind(this));
    this.deleteTransaction = db.transaction(this.deleteNow.bind(this));
    // A deferred read transaction, so the page and its total come from one snapshot.
    this.listTransaction = db.transaction(this.listNow.bind(this));
    this.purgeBatchTransaction = db.transaction(this.purgeBatchNow.bind(this));
  }

  // Not `async`: each returns the session's promise as is, without wrapping it in another.
  get(
    scope: Scope,
    id: string,
    includeArtifacts: boolean,
    known?: KnownTaskVersion,
  ): Promise<TaskRow | undefined> {
    return this.session.run(() => {
      // The common case (no segments) is this one statement, outside any transaction as before;
      // a row with segments is read again with them in one snapshot. A large task keeps its
      // base in the segments table, so its row is small and the look at its version is cheap.
      const raw = this.readRaw(scope, id, includeArtifacts);
      if (!raw) return undefined;
      if (known && isKnownVersion(Number(raw[1]), raw[6], known)) {
        return unchangedTaskRow(id, known, raw[2], raw[5]);
      }
      return (
        wholeTaskRowOf(raw, includeArtifacts) ??
        this.getSegmentedTransaction.deferred(scope, id, includeArtifacts)
      );
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

  append(
    scope: Scope,
    task: EncodedTaskAppend,
    expected: number,
    now: number,
  ): Promise<PutOutcome> {
    return this.session.write(() => this.appendTransaction.immediate(scope, task, expected, now));
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
    const key = [scope.tenant, scope.owner, task.id] as const;
    // The delete only when there is something to drop: a task saved whole stays one statement.
    if (stored && storesSegments(stored)) {
      this.session.statement(this.segmentSql.deleteOfTask).run(...key);
    }
    const inline = task.bytes < INLINE_BASE_LIMIT;
    this.session
      .statement(this.sql.upsert)
      .run(
        ...key,
        task.contextId,
        task.state,
        task.sortKey,
        now,
        inline ? task.body : '',
        inline ? task.artifacts : '',
        version,
        inline ? 0 : 1,
        task.bytes,
        task.lineage,
        task.recent?.text ?? null,
        task.recent?.reach ?? null,
      );
    if (!inline) {
      this.session.statement(this.segmentSql.insert).run(...key, 0, task.body, task.artifacts);
    }
    // A write that keeps its state and context moves no counter: the changes come back empty.
    this.counters.writeTask(scope, taskCounterChanges(stored, task));
    return { status: 'written', version };
  }

  /**
   * Never reads the stored body or artifacts, never rewrites them: the row it updates holds
   * only small columns (or a base under {@link INLINE_BASE_LIMIT}), so the cost is the segment.
   */
  private appendNow(
    scope: Scope,
    task: EncodedTaskAppend,
    expected: number,
    now: number,
  ): PutOutcome {
    const key = [scope.tenant, scope.owner, task.id] as const;
    const stored = this.session.statement(this.sql.getGuard).get(...key) as StoredGuard | undefined;
    // The lineage proves the row is the full write core diffed against: versions restart at 1
    // when a task is deleted and created again.
    if (stored?.version !== expected || stored.lineage !== task.lineage) {
      return { status: 'conflict' };
    }
    if (isStaleTransition(stored.state, task.state)) {
      return { status: 'stale', storedState: stored.state };
    }
    const seq = stored.segmentCount + 1;
    const version = expected + 1;
    const { body, artifacts } = task.segment;
    this.session.statement(this.segmentSql.insert).run(...key, seq, body, artifacts);
    const row = [task.contextId, task.state, task.sortKey, now, task.bytes, version, seq] as const;
    // Undefined keeps the stored recent form (the statement it always ran); null drops it.
    if (task.recent === undefined) this.session.statement(this.sql.appendRow).run(...row, ...key);
    else {
      const { recent } = task;
      this.session
        .statement(this.sql.appendRowWithRecent)
        .run(...row, recent?.text ?? null, recent?.reach ?? null, ...key);
    }
    this.counters.writeTask(scope, taskCounterChanges(stored, task));
    return { status: 'written', version };
  }

  private readRaw(scope: Scope, id: string, includeArtifacts: boolean): RawTaskRecord | undefined {
    const sql = includeArtifacts ? this.sql.getWithArtifacts : this.sql.get;
    // Raw mode (see RawTaskRecord); only `get` uses these statement texts, so setting the mode
    // on the cached statement affects no other caller.
    return this.session.statement(sql).raw(true).get(scope.tenant, scope.owner, id) as
      | RawTaskRecord
      | undefined;
  }

  private getNow(scope: Scope, id: string, includeArtifacts: boolean): TaskRow | undefined {
    const raw = this.readRaw(scope, id, includeArtifacts);
    if (!raw) return undefined;
    const record = fromRawRecord(raw);
    if (!hasSegmentRows(record)) return toSegmentedTaskRow(record, [], includeArtifacts);
    const sql = includeArtifacts ? this.segmentSql.ofTaskWithArtifacts : this.segmentSql.ofTask;
    const segments = this.session
      .statement(sql)
      .all(scope.tenant, scope.owner, id) as SegmentRecord[];
    return toSegmentedTaskRow(record, segments, includeArtifacts);
  }

  private deleteNow(scope: Scope, id: string): boolean {
    const key = [scope.tenant, scope.owner, id] as const;
    this.session.statement(this.sql.deleteConfigsOfTask).run(...key);
    const stored = this.session.statement(this.sql.getGuard).get(...key) as StoredGuard | undefined;
    if (!stored) return false;
    if (storesSegments(stored)) this.session.statement(this.segmentSql.deleteOfTask).run(...key);
    this.session.statement(this.sql.delete).run(...key);
    this.counters.writeTask(scope, taskCounterChanges(stored, undefined));
    return true;
  }

  private listNow(scope: Scope, query: BackendListQuery): BackendListResult {
    const page = listRowsQuery(this.session.names, scope.tenant, scope.owner, query);
    const count = listTotalQuery(this.session.names, scope.tenant, scope.owner, query);
    const { historyLength, includeArtifacts } = query;
    // Raw mode as in `get`: the page statement's text is only ever used here.
    const raws = this.session
      .statement(page.sql)
      .raw(true)
      .all(...page.values) as unknown[];
    const { total } = this.session.statement(count.sql).get(...count.values) as { total: number };
    if (historyLength === undefined) {
      // A page of tasks without segments rows (small ones, most pages) maps each tuple once.
      const whole = (raws as RawTaskRecord[]).map((raw) => wholeTaskRowOf(raw, includeArtifacts));
      if (!whole.includes(undefined)) return { rows: whole as TaskRow[], total };
    }
    const records: ListedTaskRecord[] =
      historyLength === undefined
        ? (raws as RawTaskRecord[]).map(fromRawRecord)
        : (raws as RawListedRecord[]).map((raw) => fromRawListedRecord(raw, historyLength));
    // Rows in their recent form need only their segments' artifacts, and none without them.
    const whole = records.filter((r) => r.recent === undefined && hasSegmentRows(r));
    const recent = includeArtifacts
      ? records.filter((r) => r.recent !== undefined && hasSegmentRows(r))
      : [];
    const segments = new Map<string, SegmentRecord[]>();
    const wholeSql = includeArtifacts
      ? this.segmentSql.ofTasksWithArtifacts
      : this.segmentSql.ofTasks;
    this.pageSegments(scope, whole, wholeSql, segments);
    this.pageSegments(scope, recent, this.segmentSql.artifactsOfTasks, segments);
    const rows = records.map((r) =>
      r.recent === undefined
        ? toSegmentedTaskRow(r, segments.get(r.id) ?? [], includeArtifacts)
        : toRecentTaskRow(r, segments.get(r.id) ?? [], includeArtifacts),
    );
    return { rows, total };
  }

  /** Adds the segments of `records` to `byTask`, by task id, in one query (none for no record). */
  private pageSegments(
    scope: Scope,
    records: readonly SegmentedTaskRecord[],
    sql: string,
    byTask: Map<string, SegmentRecord[]>,
  ): void {
    if (records.length === 0) return;
    const ids = JSON.stringify(records.map((r) => r.id));
    const found = this.session
      .statement(sql)
      .all(scope.tenant, scope.owner, ids) as SegmentRecord[];
    for (const segment of found) {
      const id = segment.task_id as string;
      const list = byTask.get(id);
      if (list) list.push(segment);
      else byTask.set(id, [segment]);
    }
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
    const deleteSegments = this.session.statement(this.segmentSql.deleteOfTask);
    const deltas = new CounterDeltas();
    for (const key of keys) {
      deleteConfigs.run(key.tenant, key.owner, key.id);
      if (storesSegments(key)) deleteSegments.run(key.tenant, key.owner, key.id);
      deleteTask.run(key.tenant, key.owner, key.id);
      deltas.remove(key, key);
    }
    deltas.apply(this.counters);
    return keys.length;
  }
}
