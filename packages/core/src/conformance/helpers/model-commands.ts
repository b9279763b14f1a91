import type { Task } from '@a2a-js/sdk';
import {
  canonicalTask,
  isStaleTransition,
  StaleWriteError,
  VersionConflictError,
} from '@a2a-stores/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { buildTask, type TaskContent, taskContentArb } from './arbitraries.js';
import { expectSameTask, rejectionOf } from './assertions.js';
import {
  expectTaskMatches,
  type ModelListQuery,
  type ModelReal,
  recordWrite,
  type TaskModel,
} from './task-model.js';
import { isoAt, listRequest, makePushConfig } from './tasks.js';

type ModelCommand = fc.AsyncCommand<TaskModel, ModelReal>;

/** Few distinct instants, so equal timestamps (ties broken by id) are common. */
const TIMESTAMPS = [undefined, isoAt(0), isoAt(1), isoAt(-60_000), isoAt(3_600_000), 'not a date'];

/** A task to write, before the run's pools give it an id and a context. */
interface TaskDraft {
  readonly state: number;
  readonly timestamp: string | undefined;
  readonly hasStatus: boolean;
  readonly contextIndex: number;
  readonly content: TaskContent;
}

const draftArb: fc.Arbitrary<TaskDraft> = fc.record({
  // Terminal states (3, 4, 5, 7) often enough that the stale-write guard is exercised.
  state: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(3, 4, 5, 7)),
  timestamp: fc.constantFrom(...TIMESTAMPS),
  hasStatus: fc.oneof(
    { weight: 8, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  contextIndex: fc.nat(),
  // Content only has to survive; shrinking it would multiply replays without clarifying a failure.
  content: fc.noShrink(taskContentArb({ history: 2, artifacts: 2 })),
});

function draftTask(model: TaskModel, idIndex: number, draft: TaskDraft): Task {
  const status = draft.hasStatus
    ? { state: draft.state, timestamp: draft.timestamp, message: draft.content.status?.message }
    : undefined;
  return buildTask(model.id(idIndex), model.context(draft.contextIndex), {
    ...draft.content,
    status,
  });
}

function describeDraft(draft: TaskDraft): string {
  return draft.hasStatus ? `state ${draft.state} at ${String(draft.timestamp)}` : 'no status';
}

/** `save`: writes, or (terminal task, other state) is dropped and reported as stale. */
class SaveCommand implements ModelCommand {
  constructor(
    readonly idIndex: number,
    readonly draft: TaskDraft,
  ) {}
  check = () => true;
  async run(model: TaskModel, real: ModelReal): Promise<void> {
    const task = draftTask(model, this.idIndex, this.draft);
    const stored = model.stateOf(task.id);
    await real.tasks.save(task, real.context);
    if (stored !== undefined && isStaleTransition(stored, task.status?.state ?? 0)) {
      model.staleWrites++;
    } else {
      await recordWrite(model, real, task, canonicalTask(task));
    }
    await expectTaskMatches(model, real, task.id);
  }
  toString(): string {
    return `save(#${this.idIndex}, ${describeDraft(this.draft)})`;
  }
}

/** Which version a `saveIfVersion` quotes. */
type VersionChoice = 'current' | 'absent' | 'older' | 'newer';

/** `saveIfVersion`: writes only at the right version; conflicts and stale writes change nothing. */
class SaveIfVersionCommand implements ModelCommand {
  constructor(
    readonly idIndex: number,
    readonly draft: TaskDraft,
    readonly choice: VersionChoice,
    readonly distance: number,
  ) {}
  check = () => true;
  async run(model: TaskModel, real: ModelReal): Promise<void> {
    const task = draftTask(model, this.idIndex, this.draft);
    const entry = model.tasks.get(task.id);
    const current = entry?.version ?? null;
    const expected =
      this.choice === 'current'
        ? current
        : this.choice === 'absent'
          ? null
          : this.choice === 'newer'
            ? (current ?? 0) + this.distance
            : Math.max(1, (current ?? 1) - this.distance);
    const call = real.tasks.saveIfVersion(task, real.context, expected);
    if (expected !== current) {
      const error = await rejectionOf(call);
      expect(error, `saveIfVersion at ${expected} over ${current}`).toBeInstanceOf(
        VersionConflictError,
      );
    } else if (entry && isStaleTransition(entry.task.status?.state ?? 0, task.status?.state ?? 0)) {
      expect(await rejectionOf(call)).toBeInstanceOf(StaleWriteError);
    } else {
      await recordWrite(model, real, task, canonicalTask(task), await call);
    }
    await expectTaskMatches(model, real, task.id);
  }
  toString(): string {
    return `saveIfVersion(#${this.idIndex}, ${describeDraft(this.draft)}, ${this.choice} ${this.distance})`;
  }
}

/** `delete`: true only when the task existed; its push configs go with it. */
class DeleteCommand implements ModelCommand {
  constructor(readonly idIndex: number) {}
  check = () => true;
  async run(model: TaskModel, real: ModelReal): Promise<void> {
    const id = model.id(this.idIndex);
    expect(await real.tasks.delete(id, real.context)).toBe(model.tasks.has(id));
    model.tasks.delete(id);
    model.configs.delete(id);
    await expectTaskMatches(model, real, id);
  }
  toString(): string {
    return `delete(#${this.idIndex})`;
  }
}

/** `load` / `loadVersioned` / push `load` of one id. */
class LoadCommand implements ModelCommand {
  constructor(readonly idIndex: number) {}
  check = () => true;
  async run(model: TaskModel, real: ModelReal): Promise<void> {
    const id = model.id(this.idIndex);
    const task = await real.tasks.load(id, real.context);
    const entry = model.tasks.get(id);
    if (entry) expectSameTask(task, entry.task);
    else expect(task).toBeUndefined();
    await expectTaskMatches(model, real, id);
  }
  toString(): string {
    return `load(#${this.idIndex})`;
  }
}

/** `list` with filters, walking every page: order, shape, totalSize and paging all match. */
class ListCommand implements ModelCommand {
  constructor(
    readonly contextIndex: number | undefined,
    readonly query: Omit<ModelListQuery, 'contextId'>,
  ) {}
  check = () => true;
  async run(model: TaskModel, real: ModelReal): Promise<void> {
    const query: ModelListQuery = {
      ...this.query,
      contextId: this.contextIndex === undefined ? '' : model.context(this.contextIndex),
    };
    const expected = model.expectedList(query);
    let pageToken = '';
    let offset = 0;
    do {
      const page = await real.tasks.list(
        listRequest({
          contextId: query.contextId,
          status: query.state,
          statusTimestampAfter: query.after,
          pageSize: query.pageSize,
          includeArtifacts: query.includeArtifacts,
          historyLength: query.historyLength,
          pageToken,
        }),
        real.context,
      );
      expect(page.totalSize, 'totalSize').toBe(expected.length);
      const slice = expected.slice(offset, offset + query.pageSize);
      expect(
        page.tasks.map((t) => t.id),
        `page at ${offset}`,
      ).toEqual(slice.map((t) => t.id));
      for (const [i, task] of page.tasks.entries()) expectSameTask(task, slice[i]!);
      offset += page.tasks.length;
      pageToken = page.nextPageToken;
      expect(pageToken !== '', `next page token after ${offset} of ${expected.length}`).toBe(
        offset < expected.length,
      );
    } while (pageToken);
  }
  toString(): string {
    return `list(${JSON.stringify({ context: this.contextIndex, ...this.query })})`;
  }
}

/** Push config ids a sequence uses: assigned by the store, two fixed ones, or the task id. */
type ConfigChoice = 'assign' | 'a' | 'b' | 'task-id';

function configId(choice: ConfigChoice, taskId: string): string {
  return choice === 'assign' ? '' : choice === 'task-id' ? taskId : choice;
}

/** Push `save` for a stored task: the same id replaces and moves to the end. */
class PushSaveCommand implements ModelCommand {
  constructor(
    readonly idIndex: number,
    readonly choice: ConfigChoice,
  ) {}
  check = (model: Readonly<TaskModel>) => model.tasks.has(model.id(this.idIndex));
  async run(model: TaskModel, real: ModelReal): Promise<void> {
    const taskId = model.id(this.idIndex);
    const config = makePushConfig(taskId, { id: configId(this.choice, taskId) });
    await real.push.save(taskId, real.context, config);
    expect(config.id, 'the id is assigned in place').not.toBe('');
    const configs = (model.configs.get(taskId) ?? []).filter((c) => c.id !== config.id);
    model.configs.set(taskId, [...configs, { ...config }]);
    await expectTaskMatches(model, real, taskId);
  }
  toString(): string {
    return `push.save(#${this.idIndex}, ${this.choice})`;
  }
}

/** Push `delete` of one config; without a config id the SDK's rule (id = task id) applies. */
class PushDeleteCommand implements ModelCommand {
  constructor(
    readonly idIndex: number,
    readonly choice: Exclude<ConfigChoice, 'assign'> | 'default',
  ) {}
  check = () => true;
  async run(model: TaskModel, real: ModelReal): Promise<void> {
    const taskId = model.id(this.idIndex);
    const id = this.choice === 'default' ? taskId : configId(this.choice, taskId);
    if (this.choice === 'default') await real.push.delete(taskId, real.context);
    else await real.push.delete(taskId, real.context, id);
    const remaining = (model.configs.get(taskId) ?? []).filter((c) => c.id !== id);
    if (remaining.length > 0) model.configs.set(taskId, remaining);
    else model.configs.delete(taskId);
    await expectTaskMatches(model, real, taskId);
  }
  toString(): string {
    return `push.delete(#${this.idIndex}, ${this.choice})`;
  }
}

/** Mostly "no filter", so listings usually hold several tasks (ties included). */
function sometimes<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

const VALID_TIMESTAMPS = TIMESTAMPS.filter(
  (t): t is string => t !== undefined && !Number.isNaN(Date.parse(t)),
);

/**
 * Every command a sequence draws from, writes weighted up so listings have something to order.
 * Ids and contexts are indexes into the run's pools.
 */
export function modelCommandArbs(): fc.Arbitrary<ModelCommand>[] {
  const idIndex = fc.nat({ max: 15 });
  const save = fc.tuple(idIndex, draftArb).map(([i, d]) => new SaveCommand(i, d));
  const saveIfVersion = fc
    .tuple(
      idIndex,
      draftArb,
      fc.constantFrom<VersionChoice>('current', 'current', 'absent', 'older', 'newer'),
      fc.integer({ min: 1, max: 3 }),
    )
    .map(([i, d, c, n]) => new SaveIfVersionCommand(i, d, c, n));
  const list = fc
    .record({
      contextIndex: sometimes(fc.nat({ max: 7 })),
      state: sometimes(fc.integer({ min: 1, max: 8 })).map((s) => s ?? 0),
      after: sometimes(fc.constantFrom(...VALID_TIMESTAMPS)),
      pageSize: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(100)),
      includeArtifacts: fc.boolean(),
      historyLength: sometimes(fc.integer({ min: 0, max: 3 })),
    })
    .map(({ contextIndex, ...query }) => new ListCommand(contextIndex, query));
  return [
    save,
    save,
    save,
    saveIfVersion,
    saveIfVersion,
    idIndex.map((i) => new DeleteCommand(i)),
    idIndex.map((i) => new LoadCommand(i)),
    list,
    list,
    fc
      .tuple(idIndex, fc.constantFrom<ConfigChoice>('assign', 'a', 'b', 'task-id'))
      .map(([i, c]) => new PushSaveCommand(i, c)),
    fc
      .tuple(
        idIndex,
        fc.constantFrom('a' as const, 'b' as const, 'task-id' as const, 'default' as const),
      )
      .map(([i, c]) => new PushDeleteCommand(i, c)),
  ];
}
