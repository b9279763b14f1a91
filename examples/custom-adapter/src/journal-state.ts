import type { EncodedPushConfig, EncodedTask, Scope } from '@a2a-stores/core';

/** A task as the journal keeps it: the encoded record plus its version and last write time. */
// `lineage` only matters to a backend that implements the optional `append`; this one does not.
export interface StoredTask extends Omit<EncodedTask, 'lineage'> {
  readonly version: number;
  readonly updatedAt: number;
}

/** One line of the journal: a change, replayed in order when the file is opened. */
export type JournalRecord =
  | { readonly op: 'putTask'; readonly scope: Scope; readonly task: StoredTask }
  | { readonly op: 'deleteTask'; readonly scope: Scope; readonly id: string }
  | {
      readonly op: 'putPush';
      readonly scope: Scope;
      readonly taskId: string;
      readonly config: EncodedPushConfig;
    }
  | {
      readonly op: 'deletePush';
      readonly scope: Scope;
      readonly taskId: string;
      readonly configId: string;
    }
  | { readonly op: 'deleteAllPush'; readonly scope: Scope; readonly taskId: string };

/** Unambiguous for any tenant and owner strings (JSON quotes separators). */
export function scopeKey(scope: Scope): string {
  return JSON.stringify([scope.tenant, scope.owner]);
}

/** The current picture the journal describes; `apply` is the only way it changes. */
export class JournalState {
  /** scope key → task id → task */
  readonly tasks = new Map<string, Map<string, StoredTask>>();
  /** scope key → task id → configs in registration order */
  readonly configs = new Map<string, Map<string, EncodedPushConfig[]>>();

  task(scope: Scope, id: string): StoredTask | undefined {
    return this.tasks.get(scopeKey(scope))?.get(id);
  }

  tasksIn(scope: Scope): Iterable<StoredTask> {
    return this.tasks.get(scopeKey(scope))?.values() ?? [];
  }

  configsOf(scope: Scope, taskId: string): readonly EncodedPushConfig[] {
    return this.configs.get(scopeKey(scope))?.get(taskId) ?? [];
  }

  apply(record: JournalRecord): void {
    const key = scopeKey(record.scope);
    switch (record.op) {
      case 'putTask':
        bucket(this.tasks, key).set(record.task.id, record.task);
        return;
      case 'deleteTask':
        this.tasks.get(key)?.delete(record.id);
        this.configs.get(key)?.delete(record.id);
        return;
      case 'putPush': {
        const byTask = bucket(this.configs, key);
        // A replaced config moves to the end, like the SDK's reference store.
        const kept = (byTask.get(record.taskId) ?? []).filter((c) => c.id !== record.config.id);
        byTask.set(record.taskId, [...kept, record.config]);
        return;
      }
      case 'deletePush': {
        const byTask = this.configs.get(key);
        const kept = (byTask?.get(record.taskId) ?? []).filter((c) => c.id !== record.configId);
        if (kept.length === 0) byTask?.delete(record.taskId);
        else byTask?.set(record.taskId, kept);
        return;
      }
      case 'deleteAllPush':
        this.configs.get(key)?.delete(record.taskId);
        return;
    }
  }
}

function bucket<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = map.get(key);
  if (!inner) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}
