import {
  type EncodedTask,
  type EncodedTaskAppend,
  type ExpectedVersion,
  isStaleTransition,
  type PutOutcome,
  type RecentHistory,
  type Scope,
  StoreUnavailableError,
  taskKeyValues,
  taskListedValues,
  taskRewriteValues,
  taskRowValues,
  toSafeInteger,
} from '@a2a-stores/core';
import type { Executor, SqlValue } from './executor.js';
import { isDuplicateKey } from './mysql-errors.js';
import type { SegmentStatements } from './segment-statements.js';
import type { SqlRunner } from './sql-runner.js';
import type { TaskStatements } from './task-statements.js';

/** A conflict or a stale write found on the failure path may race a delete; retry that far. */
const MAX_PUT_ATTEMPTS = 3;

interface StoredState {
  readonly version: number;
  readonly state: number;
  readonly segments: number;
  readonly lineage: string;
}

/** What the one-statement write could not decide: a race to retry, or segments to drop. */
type Undecided = 'retry' | 'segments';

/**
 * The `recent` and `recent_reach` a write stores: the task's recent form, or NULL for both
 * (a full write without one never keeps an older one: it would list a stale history).
 */
function recentValues(recent: RecentHistory | null | undefined): [string | null, number | null] {
  return recent ? [recent.text, recent.reach] : [null, null];
}

function racedWrites(): StoreUnavailableError {
  return new StoreUnavailableError('MySQL save kept racing concurrent writes to the same task');
}

/**
 * The writes of tasks. A full write of a task without segments is one statement (the hot path:
 * one round trip, no transaction); its guard also refuses a row with segments, and only then
 * does the write run again as a transaction that drops them. An append is a transaction of
 * two small statements that never touch the task's body or artifacts.
 */
export class TaskWriter {
  constructor(
    private readonly runner: SqlRunner,
    private readonly sql: TaskStatements,
    private readonly segments: SegmentStatements,
  ) {}

  put(
    scope: Scope,
    task: EncodedTask,
    expected: ExpectedVersion,
    now: number,
  ): Promise<PutOutcome> {
    return this.runner
      .run('save', async (db) => {
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
            if (expected !== undefined) return { status: 'conflict' } as const;
            throw racedWrites();
          }
        }
      })
      .then((outcome) =>
        outcome === 'segments' ? this.replaceSegmented(scope, task, expected, now) : outcome,
      );
  }

  private values(scope: Scope, task: EncodedTask, now: number): SqlValue[] {
    return [...taskRowValues(scope, task, now), ...recentValues(task.recent)];
  }

  private async upsert(
    db: Executor,
    scope: Scope,
    task: EncodedTask,
    now: number,
  ): Promise<PutOutcome | Undecided> {
    const result = await db.write(this.sql.upsert, this.values(scope, task, now));
    if (result.affectedRows === 2) return { status: 'written', version: result.insertId };
    if (result.affectedRows === 1 && result.insertId === 0)
      return { status: 'written', version: 1 };
    // Refused by the guard: read what refused it (failure path only).
    const stored = await this.readState(db, scope, task.id);
    if (stored && isStaleTransition(stored.state, task.state)) {
      return { status: 'stale', storedState: stored.state };
    }
    if (stored && stored.segments > 0) return 'segments';
    return 'retry';
  }

  private async insertOnly(
    db: Executor,
    scope: Scope,
    task: EncodedTask,
    now: number,
  ): Promise<PutOutcome> {
    try {
      await db.write(this.sql.insert, this.values(scope, task, now));
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
  ): Promise<PutOutcome | Undecided> {
    const result = await db.write(this.sql.updateIfVersion, [
      ...taskRewriteValues(task, now),
      ...recentValues(task.recent),
      ...taskKeyValues(scope, task.id),
      expected,
      task.state,
    ]);
    // `version` always changes, so affectedRows counts matched rows with or without FOUND_ROWS.
    if (result.affectedRows === 1) return { status: 'written', version: expected + 1 };
    const stored = await this.readState(db, scope, task.id);
    if (!stored || stored.version !== expected) return { status: 'conflict' };
    if (isStaleTransition(stored.state, task.state))
      return { status: 'stale', storedState: stored.state };
    if (stored.segments > 0) return 'segments';
    return 'retry';
  }

  private async readState(
    db: Executor,
    scope: Scope,
    id: string,
    sql: string = this.sql.readState,
  ): Promise<StoredState | undefined> {
    const [row] = await db.select<{
      version: number | string;
      state: number;
      segment_count: number | string;
      lineage: string;
    }>(sql, [scope.tenant, scope.owner, id]);
    return (
      row && {
        version: toSafeInteger(row.version, id, 'version'),
        state: Number(row.state),
        segments: Number(row.segment_count),
        lineage: String(row.lineage),
      }
    );
  }

  /**
   * A full write over a row with segments (core compacting, or a change that is no append):
   * the row is rewritten and its segments dropped in one transaction, with the version check
   * and the terminal guard decided on the locked row.
   */
  private replaceSegmented(
    scope: Scope,
    task: EncodedTask,
    expected: ExpectedVersion,
    now: number,
  ): Promise<PutOutcome> {
    const key = taskKeyValues(scope, task.id);
    return this.runner.transaction('save', async (db) => {
      const stored = await this.readState(db, scope, task.id, this.segments.lockState);
      if (!stored) {
        // Deleted since the refused write: a compare-and-set conflicts, a plain save inserts.
        if (expected !== undefined) return { status: 'conflict' };
        const inserted = await this.insertOnly(db, scope, task, now);
        if (inserted.status === 'conflict') throw racedWrites();
        return inserted;
      }
      if (typeof expected === 'number' && stored.version !== expected) {
        return { status: 'conflict' };
      }
      if (isStaleTransition(stored.state, task.state)) {
        return { status: 'stale', storedState: stored.state };
      }
      await db.write(this.segments.compactRow, [
        ...taskRewriteValues(task, now),
        ...recentValues(task.recent),
        ...key,
      ]);
      // Only when there are some: a concurrent full write may have dropped them already.
      if (stored.segments > 0) await db.write(this.segments.deleteForTask, [...key]);
      return { status: 'written', version: stored.version + 1 };
    });
  }

  /**
   * One more segment after the task's others (see `TaskBackend.append`). The row update comes
   * first, so the row lock orders this append with every other write of the task (and with
   * delete, which takes the row before the segments); the segment's seq is the version it
   * produces. The recent form changes in the same row update, or (`task.recent` undefined) is
   * not named at all.
   */
  append(
    scope: Scope,
    task: EncodedTaskAppend,
    expected: number,
    now: number,
  ): Promise<PutOutcome> {
    const key = taskKeyValues(scope, task.id);
    const recent = task.recent === undefined ? [] : recentValues(task.recent);
    return this.runner.transaction('save', async (db) => {
      const result = await db.write(
        task.recent === undefined ? this.segments.appendRow : this.segments.appendRowWithRecent,
        [
          ...taskListedValues(task, now),
          task.bytes,
          ...recent,
          ...key,
          expected,
          task.lineage,
          task.state,
        ],
      );
      if (result.affectedRows === 1) {
        const version = expected + 1;
        await db.write(this.segments.insert, [
          ...key,
          version,
          task.segment.body,
          task.segment.artifacts,
        ]);
        return { status: 'written', version };
      }
      const stored = await this.readState(db, scope, task.id);
      if (
        stored &&
        stored.version === expected &&
        stored.lineage === task.lineage &&
        isStaleTransition(stored.state, task.state)
      ) {
        return { status: 'stale', storedState: stored.state };
      }
      // No such row, another version or lineage (the task was deleted and written anew), or
      // (a race) a row that changed after the refusal.
      return { status: 'conflict' };
    });
  }
}
