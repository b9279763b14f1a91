import type { Task, TaskPushNotificationConfig } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import {
  compareIds,
  type Scope,
  type ScopedPushNotificationStore,
  type ScopedTaskStore,
  timestampSortKey,
  trimHistory,
} from '@a2a-stores/core';
import { expect } from 'vitest';
import { expectSameTask } from './assertions.js';

/** A task the model holds: its canonical form and the version the store reported for it. */
export interface ModelEntry {
  readonly task: Task;
  readonly version: number;
}

/** A `list` call of a command sequence, already resolved against the run's pools. */
export interface ModelListQuery {
  /** `''`: no filter. */
  readonly contextId: string;
  /** 0: no filter. */
  readonly state: number;
  readonly after: string | undefined;
  readonly pageSize: number;
  readonly includeArtifacts: boolean;
  readonly historyLength: number | undefined;
}

/**
 * What one scope of a store must hold after a sequence of commands, written from the contract
 * alone (no store code): tasks by id, push configs per task in registration order, and the stale
 * writes that were dropped.
 */
export class TaskModel {
  readonly tasks: Map<string, ModelEntry> = new Map();
  readonly configs: Map<string, TaskPushNotificationConfig[]> = new Map();
  staleWrites = 0;

  /** `ids` and `contexts` are the run's pools; commands pick from them by index. */
  constructor(
    readonly ids: readonly string[],
    readonly contexts: readonly string[],
  ) {}

  id(index: number): string {
    return this.ids[index % this.ids.length]!;
  }

  context(index: number): string {
    return this.contexts[index % this.contexts.length]!;
  }

  stateOf(taskId: string): number | undefined {
    const entry = this.tasks.get(taskId);
    return entry && (entry.task.status?.state ?? 0);
  }

  /** The tasks `list` must return for `query`, in order and shaped as `list` returns them. */
  expectedList(query: ModelListQuery): Task[] {
    const after = query.after === undefined ? null : Date.parse(query.after);
    const matching = [...this.tasks.values()]
      .map((entry) => entry.task)
      .filter(
        (task) =>
          (query.contextId === '' || task.contextId === query.contextId) &&
          (query.state === 0 || (task.status?.state ?? 0) === query.state) &&
          (after === null || timestampSortKey(task.status?.timestamp) > after),
      );
    matching.sort(
      (a, b) =>
        timestampSortKey(b.status?.timestamp) - timestampSortKey(a.status?.timestamp) ||
        compareIds(b.id, a.id),
    );
    return matching.map((task) =>
      trimHistory(
        {
          ...task,
          artifacts: query.includeArtifacts ? task.artifacts : [],
          history: [...task.history],
        },
        query.historyLength,
      ),
    );
  }
}

/** The store side of a command sequence: one scope of the harness's stores. */
export interface ModelReal {
  readonly tasks: ScopedTaskStore;
  readonly push: ScopedPushNotificationStore;
  readonly context: ServerCallContext;
  readonly scope: Scope;
  /** Stale writes the store reported (hook events) for this scope so far. */
  staleWrites(): number;
}

/**
 * Checks one task id against the model: the task (canonical form), its version, and its push
 * configs in registration order.
 */
export async function expectTaskMatches(
  model: TaskModel,
  real: ModelReal,
  taskId: string,
): Promise<void> {
  const loaded = await real.tasks.loadVersioned(taskId, real.context);
  const entry = model.tasks.get(taskId);
  if (!entry) {
    expect(loaded, `task ${JSON.stringify(taskId)} should be absent`).toBeUndefined();
  } else {
    expectSameTask(loaded?.task, entry.task);
    expect(loaded!.version, `version of ${JSON.stringify(taskId)}`).toBe(entry.version);
  }
  expect(await real.push.load(taskId, real.context)).toEqual(model.configs.get(taskId) ?? []);
  expect(real.staleWrites(), 'stale writes reported').toBe(model.staleWrites);
}

/**
 * After a write the model expects to land: the stored version must be newer than the one before
 * (any positive integer for a new task), and it becomes the model's. `reported` is what
 * `saveIfVersion` resolved, which must be that version.
 */
export async function recordWrite(
  model: TaskModel,
  real: ModelReal,
  task: Task,
  canonical: Task,
  reported?: number,
): Promise<void> {
  const before = model.tasks.get(task.id)?.version ?? 0;
  const loaded = await real.tasks.loadVersioned(task.id, real.context);
  expect(loaded, `task ${JSON.stringify(task.id)} should exist after the write`).toBeDefined();
  expect(Number.isSafeInteger(loaded!.version) && loaded!.version > before).toBe(true);
  if (reported !== undefined) expect(reported).toBe(loaded!.version);
  model.tasks.set(task.id, { task: canonical, version: loaded!.version });
}
