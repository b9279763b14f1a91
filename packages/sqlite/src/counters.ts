import {
  type CountedTask,
  type Scope,
  type TaskCounterChange,
  taskCounterKeys,
} from '@a2a-stores/core';
import type { SqliteSession } from './session.js';
import type { counterStatements } from './sql.js';

/**
 * Moves the exact counters behind `totalSize`; call inside the transaction of the task write.
 * A counter that reaches zero is deleted, so contexts whose tasks are all gone (one context per
 * task is common) leave no rows behind; a missing row reads as 0. SQLite has one writer at a
 * time, so the delete cannot race a concurrent increment.
 */
export class CounterWriter {
  private readonly session: SqliteSession;
  private readonly sql: ReturnType<typeof counterStatements>;

  constructor(session: SqliteSession, sql: ReturnType<typeof counterStatements>) {
    this.session = session;
    this.sql = sql;
  }

  /** The changes core's `taskCounterChanges` gives for one task write in `scope`. */
  writeTask(scope: Scope, changes: readonly TaskCounterChange[]): void {
    for (const change of changes) {
      this.write(scope.tenant, scope.owner, change.contextId, change.state, change.delta);
    }
  }

  write(tenant: string, owner: string, contextId: string, state: number, delta: number): void {
    if (delta > 0) {
      this.session.statement(this.sql.add).run(tenant, owner, contextId, state, delta);
      return;
    }
    if (delta === 0) return;
    const { n } = this.session
      .statement(this.sql.subtract)
      .get(tenant, owner, contextId, state, delta) as { n: number };
    if (n === 0) this.session.statement(this.sql.dropIfZero).run(tenant, owner, contextId, state);
  }
}

interface CounterDelta {
  readonly tenant: string;
  readonly owner: string;
  readonly contextId: string;
  readonly state: number;
  delta: number;
}

/**
 * The net change of each counter over a batch of deletes, so a purge batch writes each counter
 * once instead of once per task.
 */
export class CounterDeltas {
  private readonly byKey = new Map<string, CounterDelta>();

  /** Counts `task` out of every counter core assigns it, in `scope`. */
  remove(scope: Scope, task: CountedTask): this {
    for (const key of taskCounterKeys(task.state, task.contextId)) {
      const id = JSON.stringify([scope.tenant, scope.owner, key.contextId, key.state]);
      const found = this.byKey.get(id);
      if (found) found.delta -= 1;
      else this.byKey.set(id, { tenant: scope.tenant, owner: scope.owner, ...key, delta: -1 });
    }
    return this;
  }

  apply(writer: CounterWriter): void {
    for (const c of this.byKey.values()) {
      writer.write(c.tenant, c.owner, c.contextId, c.state, c.delta);
    }
  }
}
