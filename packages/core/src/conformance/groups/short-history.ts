import { type Message, type Task, TaskState } from '@a2a-js/sdk';
import type { TaskStore } from '@a2a-js/sdk/server';
import { canonicalTask } from '@a2a-stores/core';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { callContext, randomScope } from '../helpers/identity.js';
import { conformanceTest, type GroupOptions, useHarness } from '../helpers/lifecycle.js';
import { isoAt, listRequest, makeMessage, makeTask, textPart } from '../helpers/tasks.js';

type Context = ReturnType<typeof callContext>;

/** Exactly `size` characters, different for every `label` and `index`. */
function text(label: string, index: number, size: number): string {
  const head = `${label}#${index}:`;
  return (head + 'klmnopqrst'.repeat(Math.ceil(size / 10) + 1)).slice(0, size);
}

function said(task: Task, index: number, size: number): Message {
  return makeMessage(task.id, task.contextId, index, [textPart(text('said', index, size))]);
}

/** A task of tens of KB (a long conversation with a streamed artifact). */
function longTask(): Task {
  const task = makeTask({ historyLength: 0, artifactCount: 1 });
  for (let i = 0; i < 30; i++) task.history.push(said(task, i, 1_000));
  for (let i = 0; i < 8; i++) task.artifacts[0]!.parts.push(textPart(text('seed', i, 1_000)));
  return task;
}

// Short and long asks, around what a few messages of 1 KB fill, and none at all.
const HISTORY_LENGTHS = [0, 1, 2, 3, 4, 7, 40, -3] as const;

/**
 * Lists `task` with each history length, with and without artifacts, and checks every answer
 * is the task as loaded, trimmed as the SDK's handler trims it.
 */
async function expectShortListsMatch(store: TaskStore, ctx: Context, task: Task): Promise<void> {
  const loaded = canonicalTask((await store.load(task.id, ctx))!);
  expect(loaded).toEqual(canonicalTask(task));
  for (const historyLength of HISTORY_LENGTHS) {
    for (const includeArtifacts of [false, true]) {
      const page = await store.list(
        listRequest({ contextId: task.contextId, historyLength, includeArtifacts }),
        ctx,
      );
      expect(page.tasks, `historyLength ${historyLength}`).toHaveLength(1);
      const history = historyLength <= 0 ? [] : loaded.history.slice(-historyLength);
      expect(
        page.tasks[0],
        `historyLength ${historyLength}, artifacts ${includeArtifacts}`,
      ).toEqual({ ...loaded, history, artifacts: includeArtifacts ? loaded.artifacts : [] });
    }
  }
}

/**
 * `list` with a short `historyLength` of a large task. A backend may answer it from a small
 * stored form of the task's head and last messages instead of its whole history; these check
 * that whatever it reads, the answer is the task as loaded, trimmed, after every kind of save.
 */
export function runShortHistoryGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('list with a short history of a large task', () => {
    const env = useHarness(harness, options);

    async function open() {
      return { store: (await env.open()).taskStore, ctx: callContext(randomScope()) };
    }

    conformanceTest(
      harness,
      ['listHistoryLength'],
      'as the history grows by messages small, large and over a few KB, each short list matches the load',
      async () => {
        const { store, ctx } = await open();
        const task = longTask();
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
        const sizes = [40, 1_500, 9_000, 300, 2_500, 10, 10, 10, 10, 10];
        for (let i = 0; i < sizes.length; i++) {
          task.history.push(said(task, 100 + i, sizes[i]!));
          await store.save(task, ctx);
          await expectShortListsMatch(store, ctx, task);
        }
      },
      60_000,
    );

    conformanceTest(
      harness,
      ['listHistoryLength'],
      'saves that change only the artifacts, only the status or only the metadata keep short lists true',
      async () => {
        const { store, ctx } = await open();
        const task = longTask();
        await store.save(task, ctx);
        for (let i = 0; i < 3; i++) {
          task.artifacts[0]!.parts.push(textPart(text('chunk', i, 1_000)));
          await store.save(task, ctx);
          await expectShortListsMatch(store, ctx, task);
        }
        task.status = { ...task.status!, state: TaskState.TASK_STATE_INPUT_REQUIRED };
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
        task.metadata = { step: 2 };
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
        task.status = {
          state: TaskState.TASK_STATE_WORKING,
          message: said(task, 500, 200),
          timestamp: isoAt(5_000),
        };
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
      },
      60_000,
    );

    conformanceTest(
      harness,
      ['listHistoryLength'],
      'saves that rewrite the task (an edited message, a shortened history, a head of many KB) keep short lists true',
      async () => {
        const { store, ctx } = await open();
        const task = longTask();
        await store.save(task, ctx);
        task.history.push(said(task, 200, 800));
        await store.save(task, ctx);
        // An edit of the last message, then of one in the middle.
        task.history[task.history.length - 1]!.parts = [textPart('edited last')];
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
        task.history[10]!.parts = [textPart('edited middle')];
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
        // Metadata larger than a few KB, then small again, with messages added in between.
        task.metadata = { notes: text('notes', 0, 6_000) };
        task.history.push(said(task, 201, 100));
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
        task.history.push(said(task, 202, 100));
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
        task.metadata = { notes: 'short' };
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
        // The history cut to one message, then to none; the task stays large by its artifact.
        task.history = task.history.slice(-1);
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
        task.history = [];
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
        task.history.push(said(task, 300, 50));
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
      },
      60_000,
    );

    conformanceTest(
      harness,
      ['listHistoryLength'],
      'a task that shrinks below the size of a large one, and grows again, lists true',
      async () => {
        const { store, ctx } = await open();
        const task = longTask();
        await store.save(task, ctx);
        task.history = task.history.slice(-2);
        task.artifacts = [];
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
        for (let i = 0; i < 12; i++) task.history.push(said(task, 400 + i, 1_000));
        await store.save(task, ctx);
        await expectShortListsMatch(store, ctx, task);
      },
      60_000,
    );

    conformanceTest(
      harness,
      ['listHistoryLength', 'sharedStorage'],
      'another store over the same data adding messages between short lists: each list matches',
      async () => {
        const ctx = callContext(randomScope());
        const a = (await env.open()).taskStore;
        const b = (await env.open()).taskStore;
        const task = longTask();
        await a.save(task, ctx);
        const fromB = (await b.load(task.id, ctx))!;
        fromB.history.push(said(fromB, 600, 700));
        await b.save(fromB, ctx);
        await expectShortListsMatch(a, ctx, fromB);
        fromB.artifacts[0]!.parts.push(textPart(text('b', 1, 1_000)));
        await b.save(fromB, ctx);
        await expectShortListsMatch(a, ctx, fromB);
        // `a` saves over b's writes from what it last wrote itself.
        task.history.push(said(task, 601, 50), said(task, 602, 50));
        await a.save(task, ctx);
        await expectShortListsMatch(b, ctx, task);
      },
      60_000,
    );
  });
}
