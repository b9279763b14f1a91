import {
  type BackendListQuery,
  type BackendListResult,
  type BackendPurgeQuery,
  compareIds,
  type EncodedTask,
  type ExpectedVersion,
  isAfterCursor,
  isStaleTransition,
  type PutOutcome,
  type Scope,
  type TaskBackend,
  type TaskRow,
} from '@a2a-stores/core';
import type { JournalFile } from './journal-file.js';
import { type JournalRecord, type StoredTask, scopeKey } from './journal-state.js';

function toRow(task: StoredTask, includeArtifacts: boolean): TaskRow {
  return {
    id: task.id,
    body: task.body,
    version: task.version,
    sortKey: task.sortKey,
    ...(includeArtifacts ? { artifacts: task.artifacts } : {}),
  };
}

/** Tasks in the journal; core's `BackedTaskStore` does everything else. */
export class JournalTaskBackend implements TaskBackend {
  constructor(private readonly file: JournalFile) {}

  async get(scope: Scope, id: string, includeArtifacts: boolean): Promise<TaskRow | undefined> {
    const task = this.file.state.task(scope, id);
    return task && toRow(task, includeArtifacts);
  }

  put(
    scope: Scope,
    task: EncodedTask,
    expected: ExpectedVersion,
    now: number,
  ): Promise<PutOutcome> {
    return this.file.exclusive<PutOutcome>((state) => {
      const stored = state.task(scope, task.id);
      const conflict =
        (expected === null && stored !== undefined) ||
        (typeof expected === 'number' && stored?.version !== expected);
      if (conflict) return { records: [], result: { status: 'conflict' } };
      if (stored && isStaleTransition(stored.state, task.state)) {
        return { records: [], result: { status: 'stale', storedState: stored.state } };
      }
      const version = (stored?.version ?? 0) + 1;
      // Only the fields of EncodedTask: anything else the caller's object carries is not stored.
      const { id, contextId, state: taskState, sortKey, body, artifacts, bytes } = task;
      const next: StoredTask = {
        id,
        contextId,
        state: taskState,
        sortKey,
        body,
        artifacts,
        bytes,
        version,
        updatedAt: now,
      };
      return {
        records: [{ op: 'putTask', scope, task: next }],
        result: { status: 'written', version },
      };
    });
  }

  delete(scope: Scope, id: string): Promise<boolean> {
    return this.file.exclusive((state) => {
      const exists = state.task(scope, id) !== undefined;
      const hasConfigs = state.configsOf(scope, id).length > 0;
      return {
        records: exists || hasConfigs ? [{ op: 'deleteTask', scope, id }] : [],
        result: exists,
      };
    });
  }

  async list(scope: Scope, query: BackendListQuery): Promise<BackendListResult> {
    const matching: StoredTask[] = [];
    for (const task of this.file.state.tasksIn(scope)) {
      if (query.contextId && task.contextId !== query.contextId) continue;
      if (query.state && task.state !== query.state) continue;
      if (query.after !== null && !(task.sortKey > query.after)) continue;
      matching.push(task);
    }
    matching.sort((a, b) => b.sortKey - a.sortKey || compareIds(b.id, a.id));
    const cursor = query.cursor;
    const page = cursor ? matching.filter((t) => isAfterCursor(t.sortKey, t.id, cursor)) : matching;
    return {
      rows: page.slice(0, query.limit).map((t) => toRow(t, query.includeArtifacts)),
      total: matching.length,
    };
  }

  async purge(query: BackendPurgeQuery): Promise<number> {
    const states = new Set(query.states);
    const onlyKey = query.scope && scopeKey(query.scope);
    let deleted = 0;
    for (;;) {
      // One batch per journal append, so a huge purge never holds the queue for long.
      const batch = await this.file.exclusive((state) => {
        const records: JournalRecord[] = [];
        for (const [key, tasks] of state.tasks) {
          if (onlyKey !== undefined && key !== onlyKey) continue;
          const [tenant, owner] = JSON.parse(key) as [string, string];
          for (const task of tasks.values()) {
            if (records.length >= query.batchSize) break;
            if (task.updatedAt < query.olderThan && states.has(task.state)) {
              records.push({ op: 'deleteTask', scope: { tenant, owner }, id: task.id });
            }
          }
        }
        return { records, result: records.length };
      });
      deleted += batch;
      query.onBatch?.(batch);
      if (batch < query.batchSize) return deleted;
    }
  }
}
