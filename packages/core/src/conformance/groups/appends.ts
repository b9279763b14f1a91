import { type Artifact, type Message, type Task, TaskState } from '@a2a-js/sdk';
import { PayloadTooLargeError, StaleWriteError, VersionConflictError } from '@a2a-stores/core';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { expectSameTask, rejectionOf } from '../helpers/assertions.js';
import { callContext, randomScope } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  scopedTaskStore,
  useHarness,
} from '../helpers/lifecycle.js';
import {
  dataPart,
  isoAt,
  listRequest,
  makeArtifact,
  makeMessage,
  makeTask,
  rawPart,
  textPart,
} from '../helpers/tasks.js';

/** A 1,000-character chunk that differs from every other chunk of the test. */
function chunk(label: string, index: number): string {
  const head = `${label}#${index}:`;
  return head + 'abcdefghij'.repeat(100).slice(head.length);
}

/** A task already large (tens of KB), as a long stream or conversation makes it. */
function largeTask(): Task {
  const task = makeTask({ historyLength: 4, artifactCount: 2 });
  for (let i = 0; i < 24; i++) task.artifacts[0]!.parts.push(textPart(chunk('seed', i)));
  return task;
}

function agentMessage(task: Task, index: number, text: string): Message {
  return makeMessage(task.id, task.contextId, index, [textPart(text)]);
}

/**
 * Saves that only add to a task (streamed artifact chunks, history growing one message per
 * save) read back exactly like full writes, and so do the saves mixed in between that edit,
 * reorder or remove what was stored, from one store or several over the same data.
 */
export function runAppendsGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('saves that append', () => {
    const env = useHarness(harness, options);

    /** The SDK's TaskStore interface only (load, save, list): any store can run these. */
    async function open() {
      return { store: (await env.open()).taskStore, ctx: callContext(randomScope()) };
    }

    async function openExtended() {
      const { store, ctx } = await open();
      return { store: scopedTaskStore(store), ctx };
    }

    conformanceTest(
      harness,
      [],
      'a streamed artifact (load, append a chunk, save) reads back exactly after every save',
      async () => {
        const { store, ctx } = await open();
        const task = largeTask();
        await store.save(task, ctx);
        for (let i = 0; i < 120; i++) {
          const loaded = (await store.load(task.id, ctx))!;
          loaded.artifacts[1]!.parts.push(textPart(chunk('stream', i)));
          loaded.status = { ...loaded.status!, timestamp: isoAt(i + 1) };
          await store.save(loaded, ctx);
          if (i % 7 === 0 || i === 119) expectSameTask(await store.load(task.id, ctx), loaded);
        }
        const final = (await store.load(task.id, ctx))!;
        expect(final.artifacts[1]!.parts).toHaveLength(121);
        const page = await store.list(
          listRequest({ contextId: task.contextId, includeArtifacts: true }),
          ctx,
        );
        expectSameTask(page.tasks[0], final);
        const bare = await store.list(
          listRequest({ contextId: task.contextId, includeArtifacts: false }),
          ctx,
        );
        expect(bare.tasks[0]!.artifacts).toEqual([]);
        expect(bare.tasks[0]!.history).toEqual(final.history);
      },
      60_000,
    );

    conformanceTest(
      harness,
      [],
      'history growing one message per save, with status and metadata changes, reads back exactly',
      async () => {
        const { store, ctx } = await open();
        const task = largeTask();
        await store.save(task, ctx);
        for (let i = 0; i < 60; i++) {
          const loaded = (await store.load(task.id, ctx))!;
          const message = agentMessage(loaded, 100 + i, chunk('turn', i));
          loaded.history.push(message);
          loaded.status = {
            state: i % 2 ? TaskState.TASK_STATE_WORKING : TaskState.TASK_STATE_INPUT_REQUIRED,
            message,
            timestamp: isoAt(i + 1),
          };
          loaded.metadata = { turn: i, ...(i % 3 === 0 ? { note: chunk('meta', i) } : {}) };
          await store.save(loaded, ctx);
          if (i % 9 === 0 || i === 59) expectSameTask(await store.load(task.id, ctx), loaded);
        }
      },
      60_000,
    );

    conformanceTest(
      harness,
      ['listHistoryLength'],
      'list with historyLength 2 returns the last two messages of a history grown by appends',
      async () => {
        const { store, ctx } = await open();
        const task = largeTask();
        await store.save(task, ctx);
        for (let i = 0; i < 12; i++) {
          task.history.push(agentMessage(task, 200 + i, chunk('h', i)));
          await store.save(task, ctx);
        }
        const page = await store.list(
          listRequest({ contextId: task.contextId, historyLength: 2 }),
          ctx,
        );
        expect(page.tasks[0]!.history).toEqual((await store.load(task.id, ctx))!.history.slice(-2));
        expect(page.tasks[0]!.history.map((m) => m.messageId)).toEqual(
          task.history.slice(-2).map((m) => m.messageId),
        );
      },
    );

    conformanceTest(
      harness,
      [],
      'an edit in place of a stored message or part, after appends, is saved',
      async () => {
        const { store, ctx } = await open();
        const task = largeTask();
        await store.save(task, ctx);
        for (let i = 0; i < 5; i++) {
          task.artifacts[0]!.parts.push(textPart(chunk('more', i)));
          task.history.push(agentMessage(task, 10 + i, chunk('said', i)));
          await store.save(task, ctx);
        }
        // The very objects saved before, edited in place: a store must not assume them unchanged.
        const part = task.artifacts[0]!.parts[3]!;
        part.content = { $case: 'text', value: 'edited in the middle' };
        await store.save(task, ctx);
        expectSameTask(await store.load(task.id, ctx), task);
        task.history[1]!.parts[0]!.metadata = { edited: true };
        task.artifacts[0]!.parts.push(textPart(chunk('after-edit', 0)));
        await store.save(task, ctx);
        expectSameTask(await store.load(task.id, ctx), task);
        const loaded = (await store.load(task.id, ctx))!;
        (loaded.artifacts[0]!.parts[0]!.metadata as Record<string, unknown> | undefined) ??= {};
        loaded.artifacts[0]!.parts[0]!.metadata!.deep = { nested: [1, 2, 3] };
        await store.save(loaded, ctx);
        expectSameTask(await store.load(task.id, ctx), loaded);
        loaded.artifacts[0]!.parts[0]!.metadata!.deep.nested.push(4);
        await store.save(loaded, ctx);
        expectSameTask(await store.load(task.id, ctx), loaded);
      },
    );

    conformanceTest(
      harness,
      [],
      'reordered, removed, replaced and new artifacts mixed with appends read back exactly',
      async () => {
        const { store, ctx } = await open();
        const task = largeTask();
        await store.save(task, ctx);
        const steps: ((t: Task) => void)[] = [
          (t) => t.artifacts[0]!.parts.push(textPart(chunk('a', 0))),
          (t) => t.artifacts.push(makeArtifact(7, [textPart(chunk('new', 7))])),
          (t) => {
            t.artifacts[1] = makeArtifact(1, [textPart('replaced whole')]);
            t.artifacts[0]!.parts.push(rawPart(new Uint8Array([0, 255, 7])));
          },
          (t) => t.artifacts.reverse(),
          (t) => {
            t.artifacts[2]!.name = 'renamed';
            t.artifacts[2]!.parts.push(textPart(chunk('renamed', 1)));
          },
          (t) => t.artifacts.splice(1, 1),
          (t) => {
            (t.artifacts[0] as Artifact).parts = [];
          },
          (t) => t.artifacts[0]!.parts.push(textPart('first part again')),
          (t) => t.history.splice(1, 1),
          (t) => t.history.push(agentMessage(t, 50, chunk('late', 0))),
        ];
        for (const step of steps) {
          const loaded = (await store.load(task.id, ctx))!;
          step(loaded);
          await store.save(loaded, ctx);
          expectSameTask(await store.load(task.id, ctx), loaded);
        }
      },
    );

    conformanceTest(
      harness,
      ['extendedTaskStore'],
      'versions, conflicts and the terminal guard hold for saves that append',
      async () => {
        const { store, ctx } = await openExtended();
        const task = largeTask();
        let version = await store.saveIfVersion(task, ctx, null);
        for (let i = 0; i < 3; i++) {
          task.artifacts[0]!.parts.push(textPart(chunk('v', i)));
          const next = await store.saveIfVersion(task, ctx, version);
          expect(next).toBe(version + 1);
          version = next;
        }
        const before = (await store.loadVersioned(task.id, ctx))!;
        const stale = structuredClone(before.task);
        stale.artifacts[0]!.parts.push(textPart('lost update'));
        expect(await rejectionOf(store.saveIfVersion(stale, ctx, version - 1))).toBeInstanceOf(
          VersionConflictError,
        );
        expect(await store.loadVersioned(task.id, ctx)).toEqual(before);

        const done = structuredClone(before.task);
        done.artifacts[0]!.parts.push(textPart('final chunk'));
        done.status = {
          state: TaskState.TASK_STATE_COMPLETED,
          message: undefined,
          timestamp: isoAt(9),
        };
        await store.save(done, ctx);
        const late = structuredClone(done);
        late.artifacts[0]!.parts.push(textPart('after the end'));
        late.status = { ...late.status!, state: TaskState.TASK_STATE_WORKING };
        const refused = await rejectionOf(store.saveIfVersion(late, ctx, version + 1));
        expect(refused).toBeInstanceOf(StaleWriteError);
        expectSameTask(await store.load(task.id, ctx), done);
      },
    );

    conformanceTest(
      harness,
      ['extendedTaskStore'],
      'totals by state and context stay exact when saves that append move a task',
      async () => {
        const { store, ctx } = await openExtended();
        const task = largeTask();
        await store.save(task, ctx);
        const states = [
          TaskState.TASK_STATE_INPUT_REQUIRED,
          TaskState.TASK_STATE_WORKING,
          TaskState.TASK_STATE_COMPLETED,
        ];
        for (const [i, state] of states.entries()) {
          task.artifacts[0]!.parts.push(textPart(chunk('s', i)));
          task.status = { state, message: undefined, timestamp: isoAt(i + 1) };
          await store.save(task, ctx);
          for (const other of states) {
            const page = await store.list(listRequest({ status: other }), ctx);
            expect(page.totalSize).toBe(other === state ? 1 : 0);
          }
          expect(
            (await store.list(listRequest({ contextId: task.contextId }), ctx)).totalSize,
          ).toBe(1);
        }
        expect(await store.delete(task.id, ctx)).toBe(true);
        expect(await store.load(task.id, ctx)).toBeUndefined();
        expect((await store.list(listRequest({}), ctx)).totalSize).toBe(0);
        const small = makeTask({ id: task.id, contextId: task.contextId });
        await store.save(small, ctx);
        expectSameTask(await store.load(task.id, ctx), small);
      },
    );

    conformanceTest(
      harness,
      ['storeOptions', 'inputLimits'],
      'the size limit holds for saves that append: the save over it is refused and changes nothing',
      async () => {
        const { taskStore } = await env.open({ limits: { maxTaskBytes: 60_000 } });
        const store = scopedTaskStore(taskStore);
        const ctx = callContext(randomScope());
        const task = largeTask();
        await store.save(task, ctx);
        let accepted = structuredClone(task);
        let refused: unknown;
        for (let i = 0; i < 60 && refused === undefined; i++) {
          const next = (await store.load(task.id, ctx))!;
          next.artifacts[0]!.parts.push(textPart(chunk('fill', i)));
          refused = await store.save(next, ctx).then(
            () => {
              accepted = next;
              return undefined;
            },
            (error: unknown) => error,
          );
        }
        expect(refused).toBeInstanceOf(PayloadTooLargeError);
        expectSameTask(await store.load(task.id, ctx), accepted);
        const encoded = Buffer.byteLength(JSON.stringify(accepted));
        expect(encoded).toBeLessThan(70_000);
      },
    );

    conformanceTest(
      harness,
      ['sharedStorage'],
      'two stores over the same data interleaving saves of one task: the last save wins whole',
      async () => {
        const scope = randomScope();
        const ctx = callContext(scope);
        const a = scopedTaskStore((await env.open()).taskStore);
        const b = scopedTaskStore((await env.open()).taskStore);
        const task = largeTask();
        await a.save(task, ctx);
        const fromA = (await a.load(task.id, ctx))!;
        const fromB = (await b.load(task.id, ctx))!;
        fromA.artifacts[0]!.parts.push(textPart(chunk('a', 1)));
        await a.save(fromA, ctx);
        fromB.artifacts[0]!.parts.push(textPart(chunk('b', 1)));
        fromB.history.push(agentMessage(fromB, 40, 'from b'));
        await b.save(fromB, ctx);
        expectSameTask(await a.load(task.id, ctx), fromB);
        // `a` still remembers its own last write; its next save must not append to b's.
        fromA.artifacts[0]!.parts.push(textPart(chunk('a', 2)));
        await a.save(fromA, ctx);
        expectSameTask(await b.load(task.id, ctx), fromA);
        // A restarted process (a third store) continues from what is stored.
        const c = scopedTaskStore((await env.open()).taskStore);
        const fromC = (await c.load(task.id, ctx))!;
        fromC.artifacts[1]!.parts.push(textPart(chunk('c', 1)));
        await c.save(fromC, ctx);
        expectSameTask(await a.load(task.id, ctx), fromC);
        fromC.artifacts[1]!.parts.push(textPart(chunk('c', 2)));
        await c.save(fromC, ctx);
        expectSameTask(await b.load(task.id, ctx), fromC);
      },
    );

    /**
     * Store `a` saves a large task twice (a full write, then an append) and loads it; store `b`
     * deletes it and creates another task under its id, saved twice as well, so the row is back
     * at the version `a` holds, with another lineage.
     */
    async function rebornBehind() {
      const ctx = callContext(randomScope());
      const a = scopedTaskStore((await env.open()).taskStore);
      const b = scopedTaskStore((await env.open()).taskStore);
      const task = largeTask();
      await a.save(task, ctx);
      task.artifacts[0]!.parts.push(textPart(chunk('a', 0)));
      await a.save(task, ctx);
      const held = (await a.loadVersioned(task.id, ctx))!;
      expectSameTask(held.task, task);
      expect(await b.delete(task.id, ctx)).toBe(true);
      const reborn: Task = { ...largeTask(), id: task.id, contextId: task.contextId };
      await b.save(reborn, ctx);
      reborn.artifacts[1]!.parts.push(textPart(chunk('b', 0)));
      await b.save(reborn, ctx);
      expect((await b.loadVersioned(task.id, ctx))!.version).toBe(held.version);
      return { ctx, a, b, task, held, reborn };
    }

    conformanceTest(
      harness,
      ['sharedStorage', 'extendedTaskStore'],
      'a task deleted and created again elsewhere, at the same version, is never appended to',
      async () => {
        const { ctx, a, b, task } = await rebornBehind();
        task.artifacts[0]!.parts.push(textPart(chunk('a', 1)));
        await a.save(task, ctx);
        expectSameTask(await b.load(task.id, ctx), task);
      },
    );
    conformanceTest(
      harness,
      [],
      "a loaded large task is the caller's own: editing it changes nothing until it is saved",
      async () => {
        const { store, ctx } = await open();
        const task = largeTask();
        task.metadata = { nested: { depth: { value: 1 } }, list: [1, 2] };
        task.artifacts[1]!.parts.push(dataPart({ rows: [{ n: 1 }] }));
        task.artifacts[1]!.metadata = { kind: { of: 'chunk' } };
        await store.save(task, ctx);
        for (let round = 0; round < 3; round++) {
          const saved = structuredClone((await store.load(task.id, ctx))!);
          const edited = (await store.load(task.id, ctx))!;
          (edited.metadata!.nested as { depth: { value: number } }).depth.value = 99;
          (edited.metadata!.list as number[]).push(3);
          const data = edited.artifacts[1]!.parts.find((p) => p.content?.$case === 'data');
          (data!.content as { value: { rows: { n: number }[] } }).value.rows[0]!.n = 99;
          (edited.artifacts[1]!.metadata!.kind as { of: string }).of = 'edited';
          edited.artifacts[0]!.parts.push(textPart(chunk('unsaved', round)));
          edited.artifacts[0]!.parts[0] = textPart('replaced, never saved');
          edited.history.length = 1;
          expectSameTask(await store.load(task.id, ctx), saved);
          // Then a save that appends, after which the same holds for the new version.
          const next = (await store.load(task.id, ctx))!;
          next.artifacts[0]!.parts.push(textPart(chunk('saved', round)));
          await store.save(next, ctx);
          expectSameTask(await store.load(task.id, ctx), next);
        }
      },
    );

    conformanceTest(
      harness,
      ['sharedStorage', 'extendedTaskStore'],
      'a load sees a task deleted and created again elsewhere at the version it last read',
      async () => {
        const { ctx, a, b, task, held, reborn } = await rebornBehind();
        const seen = (await a.loadVersioned(task.id, ctx))!;
        expect(seen.version).toBe(held.version);
        expectSameTask(seen.task, reborn);
        expectSameTask(await a.load(task.id, ctx), reborn);
        // And a write from elsewhere that only appends is seen too.
        reborn.artifacts[1]!.parts.push(textPart(chunk('b', 1)));
        reborn.history.push(agentMessage(reborn, 41, 'from b, appended'));
        await b.save(reborn, ctx);
        expectSameTask(await a.load(task.id, ctx), reborn);
      },
    );
  });
}
