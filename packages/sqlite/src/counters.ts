import { type Scope, taskCounterKeys } from '@a2a-stores/core';
import type { SqliteSession } from './session.js';
import type { counterStatements } from './sql.js';

/** What decides which counters a stored task is counted in. */
export interface CountedTask {
  readonly state: number;
  readonly contextId: string;
}

interface CounterDelta {
  readonly tenant: string;
  readonly owner: string;
  readonly contextId: string;
  readonly state: number;
  delta: number;
}

/**
 * The net change of each counter over one write transaction. Collecting first means a task that
 * moves keeps its unchanged keys untouched (they cancel out), and a purge batch writes each
 * counter once instead of once per task.
 */
export class CounterDeltas {
  private readonly byKey = new Map<string, CounterDelta>();

  /** Counts `task` in (`sign` 1) or out of (`sign` -1) every counter core assigns it. */
  count(scope: Scope, task: CountedTask, sign: 1 | -1): this {
    for (const key of taskCounterKeys(task.state, task.contextId)) {
      const id = JSON.stringify([scope.tenant, scope.owner, key.contextId, key.state]);
      const found = this.byKey.get(id);
      if (found) found.delta += sign;
      else this.byKey.set(id, { tenant: scope.tenant, owner: scope.owner, ...key, delta: sign });
    }
    return this;
  }

  /**
   * Writes the deltas; call inside the transaction of the task write. A counter that reaches
   * zero is deleted, so contexts whose tasks are all gone (one context per task is common)
   * leave no rows behind; a missing row reads as 0. SQLite has one writer at a time, so the
   * delete cannot race a concurrent increment.
   */
  apply(session: SqliteSession, sql: ReturnType<typeof counterStatements>): void {
    const add = session.statement(sql.add);
    const dropIfZero = session.statement(sql.dropIfZero);
    for (const change of this.byKey.values()) {
      if (change.delta === 0) continue;
      add.run(change);
      if (change.delta < 0) dropIfZero.run(change);
    }
  }
}
