import type {
  BackendListQuery,
  BackendListResult,
  BackendPurgeQuery,
  EncodedTaskAppend,
  ExpectedVersion,
  KnownTaskVersion,
  PushConfigBackend,
  PushPutOutcome,
  PutOutcome,
  TaskBackend,
  TaskRow,
} from '../backend.js';
import { isKnownVersion, unchangedTaskRow } from '../known-version.js';
import { compareIds, isAfterCursor } from '../list-query.js';
import type { EncodedPushConfig } from '../push-config-codec.js';
import type { Scope } from '../scope.js';
import type { EncodedTask } from '../task-codec.js';
import { isStaleTransition } from '../task-states.js';

interface MemoryTask extends EncodedTask {
  readonly version: number;
  readonly updatedAt: number;
  /** Appended since the last full write (see TaskBackend.append); shared, never mutated. */
  readonly segments: readonly { readonly body: string; readonly artifacts: string }[];
}

/** Records keyed by scope; the key is unambiguous for any tenant/owner strings. */
function scopeKey(scope: Scope): string {
  return JSON.stringify([scope.tenant, scope.owner]);
}

/**
 * The in-memory storage shared by the memory task and push backends, so deleting a task can
 * remove its push configs as the database adapters do. Stores encoded records (strings), so
 * nothing the caller holds aliases what is stored.
 */
export class MemoryState {
  readonly tasks = new Map<string, Map<string, MemoryTask>>();
  readonly configs = new Map<string, Map<string, EncodedPushConfig[]>>();

  tasksOf(scope: Scope, create: boolean): Map<string, MemoryTask> | undefined {
    const key = scopeKey(scope);
    let bucket = this.tasks.get(key);
    if (!bucket && create) {
      bucket = new Map();
      this.tasks.set(key, bucket);
    }
    return bucket;
  }

  configsOf(scope: Scope, create: boolean): Map<string, EncodedPushConfig[]> | undefined {
    const key = scopeKey(scope);
    let bucket = this.configs.get(key);
    if (!bucket && create) {
      bucket = new Map();
      this.configs.set(key, bucket);
    }
    return bucket;
  }

  clear(): void {
    this.tasks.clear();
    this.configs.clear();
  }
}

/** The row a list returns: its recent form instead of the body when that reaches `historyLength`. */
function toListedRow(task: MemoryTask, query: BackendListQuery): TaskRow {
  const recent = task.recent;
  if (query.historyLength === undefined || !recent || recent.reach < query.historyLength) {
    return toRow(task, query.includeArtifacts);
  }
  return {
    id: task.id,
    body: undefined,
    version: task.version,
    sortKey: task.sortKey,
    artifacts: query.includeArtifacts ? task.artifacts : undefined,
    bytes: task.bytes,
    lineage: task.lineage,
    recent: recent.text,
    segments: query.includeArtifacts
      ? task.segments.map((segment) => ({ body: undefined, artifacts: segment.artifacts }))
      : undefined,
  };
}

function toRow(task: MemoryTask, includeArtifacts: boolean): TaskRow {
  // One shape for every row (see toListedRow): no conditional spreads.
  return {
    id: task.id,
    body: task.body,
    version: task.version,
    sortKey: task.sortKey,
    artifacts: includeArtifacts ? task.artifacts : undefined,
    bytes: task.bytes,
    lineage: task.lineage,
    recent: undefined,
    segments: task.segments.length
      ? task.segments.map((segment) => (includeArtifacts ? { ...segment } : { body: segment.body }))
      : undefined,
  };
}

export class MemoryTaskBackend implements TaskBackend {
  constructor(private readonly state: MemoryState) {}

  async get(
    scope: Scope,
    id: string,
    includeArtifacts: boolean,
    known?: KnownTaskVersion,
  ): Promise<TaskRow | undefined> {
    const task = this.state.tasksOf(scope, false)?.get(id);
    if (task && known && isKnownVersion(task.version, task.lineage, known)) {
      return unchangedTaskRow(id, known, task.sortKey, task.bytes);
    }
    return task && toRow(task, includeArtifacts);
  }

  async put(
    scope: Scope,
    task: EncodedTask,
    expected: ExpectedVersion,
    now: number,
  ): Promise<PutOutcome> {
    const bucket = this.state.tasksOf(scope, true)!;
    const stored = bucket.get(task.id);
    if (expected === null && stored) return { status: 'conflict' };
    if (typeof expected === 'number' && stored?.version !== expected) return { status: 'conflict' };
    if (stored && isStaleTransition(stored.state, task.state)) {
      return { status: 'stale', storedState: stored.state };
    }
    const version = (stored?.version ?? 0) + 1;
    bucket.set(task.id, { ...task, version, updatedAt: now, segments: [] });
    return { status: 'written', version };
  }

  async append(
    scope: Scope,
    task: EncodedTaskAppend,
    expected: number,
    now: number,
  ): Promise<PutOutcome> {
    const bucket = this.state.tasksOf(scope, false);
    const stored = bucket?.get(task.id);
    if (!bucket || !stored || stored.version !== expected || stored.lineage !== task.lineage) {
      return { status: 'conflict' };
    }
    if (isStaleTransition(stored.state, task.state)) {
      return { status: 'stale', storedState: stored.state };
    }
    const version = expected + 1;
    bucket.set(task.id, {
      ...stored,
      contextId: task.contextId,
      state: task.state,
      sortKey: task.sortKey,
      bytes: task.bytes,
      version,
      updatedAt: now,
      segments: [...stored.segments, task.segment],
      recent: task.recent === undefined ? stored.recent : (task.recent ?? undefined),
    });
    return { status: 'written', version };
  }

  async delete(scope: Scope, id: string): Promise<boolean> {
    this.state.configsOf(scope, false)?.delete(id);
    return this.state.tasksOf(scope, false)?.delete(id) ?? false;
  }

  async list(scope: Scope, query: BackendListQuery): Promise<BackendListResult> {
    const bucket = this.state.tasksOf(scope, false);
    const matching: MemoryTask[] = [];
    for (const task of bucket?.values() ?? []) {
      if (query.contextId && task.contextId !== query.contextId) continue;
      if (query.state && task.state !== query.state) continue;
      if (query.after !== null && !(task.sortKey > query.after)) continue;
      matching.push(task);
    }
    matching.sort((a, b) => b.sortKey - a.sortKey || compareIds(b.id, a.id));
    const cursor = query.cursor;
    const start = cursor
      ? matching.filter((t) => isAfterCursor(t.sortKey, t.id, cursor))
      : matching;
    return {
      rows: start.slice(0, query.limit).map((t) => toListedRow(t, query)),
      total: matching.length,
    };
  }

  async purge(query: BackendPurgeQuery): Promise<number> {
    const states = new Set(query.states);
    const onlyKey = query.scope && scopeKey(query.scope);
    let deleted = 0;
    for (const [key, bucket] of this.state.tasks) {
      if (onlyKey !== undefined && key !== onlyKey) continue;
      for (const [id, task] of bucket) {
        if (task.updatedAt < query.olderThan && states.has(task.state)) {
          bucket.delete(id);
          this.state.configs.get(key)?.delete(id);
          deleted++;
        }
      }
    }
    // One pass, so one "batch".
    query.onBatch?.(deleted);
    return deleted;
  }
}

export class MemoryPushConfigBackend implements PushConfigBackend {
  constructor(private readonly state: MemoryState) {}

  async put(
    scope: Scope,
    taskId: string,
    config: EncodedPushConfig,
    maxPerTask: number,
  ): Promise<PushPutOutcome> {
    const bucket = this.state.configsOf(scope, true)!;
    const entries = bucket.get(taskId) ?? [];
    const existing = entries.findIndex((e) => e.id === config.id);
    if (existing === -1 && entries.length >= maxPerTask) return 'limit';
    if (existing !== -1) entries.splice(existing, 1);
    entries.push({ ...config });
    bucket.set(taskId, entries);
    return 'written';
  }

  async list(scope: Scope, taskId: string): Promise<readonly EncodedPushConfig[]> {
    return (this.state.configsOf(scope, false)?.get(taskId) ?? []).map((e) => ({ ...e }));
  }

  async delete(scope: Scope, taskId: string, configId: string): Promise<void> {
    const bucket = this.state.configsOf(scope, false);
    const entries = bucket?.get(taskId);
    if (!bucket || !entries) return;
    const index = entries.findIndex((e) => e.id === configId);
    if (index !== -1) entries.splice(index, 1);
    if (entries.length === 0) bucket.delete(taskId);
  }

  async deleteAll(scope: Scope, taskId: string): Promise<void> {
    this.state.configsOf(scope, false)?.delete(taskId);
  }
}
