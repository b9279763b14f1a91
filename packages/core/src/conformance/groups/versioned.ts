import { TaskState } from '@a2a-js/sdk';
import { VersionConflictError } from '@a2a-stores/core';
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
import { isoAt, makeTask } from '../helpers/tasks.js';

const WRITERS = 32;
const ROUNDS = 4;

/**
 * Versioned compare-and-set: `loadVersioned`, `saveIfVersion` (null = create only), conflicts on
 * stale versions, and exactly one winner among concurrent writers of the same version.
 */
export function runVersionedGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('versioned compare-and-set', () => {
    const env = useHarness(harness, options);
    const needs = ['extendedTaskStore'] as const;

    async function open() {
      return {
        store: scopedTaskStore((await env.open()).taskStore),
        ctx: callContext(randomScope()),
      };
    }

    conformanceTest(
      harness,
      needs,
      'loadVersioned returns the task and a positive version',
      async () => {
        const { store, ctx } = await open();
        const task = makeTask({ artifactCount: 1 });
        await store.save(task, ctx);
        const loaded = await store.loadVersioned(task.id, ctx);
        expectSameTask(loaded?.task, task);
        expect(Number.isSafeInteger(loaded!.version) && loaded!.version > 0).toBe(true);
        await expect(store.loadVersioned('task-never-saved', ctx)).resolves.toBeUndefined();
      },
    );

    conformanceTest(harness, needs, 'a plain save increments the version too', async () => {
      const { store, ctx } = await open();
      const task = makeTask();
      await store.save(task, ctx);
      const v1 = (await store.loadVersioned(task.id, ctx))!.version;
      await store.save({ ...task, metadata: { second: true } }, ctx);
      const v2 = (await store.loadVersioned(task.id, ctx))!.version;
      await store.save(task, ctx);
      const v3 = (await store.loadVersioned(task.id, ctx))!.version;
      expect([v2, v3]).toEqual([v1 + 1, v1 + 2]);
    });

    conformanceTest(
      harness,
      needs,
      'saveIfVersion(null) creates and returns the version loadVersioned sees',
      async () => {
        const { store, ctx } = await open();
        const task = makeTask();
        const version = await store.saveIfVersion(task, ctx, null);
        const loaded = await store.loadVersioned(task.id, ctx);
        expect(loaded?.version).toBe(version);
        expectSameTask(loaded?.task, task);
      },
    );

    conformanceTest(
      harness,
      needs,
      'saveIfVersion(null) on an existing task throws VersionConflictError',
      async () => {
        const { store, ctx } = await open();
        const task = makeTask({ metadata: { original: true } });
        const version = await store.saveIfVersion(task, ctx, null);
        const error = await rejectionOf(
          store.saveIfVersion({ ...task, metadata: { clobbered: true } }, ctx, null),
        );
        expect(error).toBeInstanceOf(VersionConflictError);
        const loaded = await store.loadVersioned(task.id, ctx);
        expect(loaded?.version).toBe(version);
        expectSameTask(loaded?.task, task);
      },
    );

    conformanceTest(
      harness,
      needs,
      'saveIfVersion with the current version writes and increments',
      async () => {
        const { store, ctx } = await open();
        const task = makeTask();
        const v1 = await store.saveIfVersion(task, ctx, null);
        const updated = {
          ...task,
          status: { ...task.status!, state: TaskState.TASK_STATE_COMPLETED, timestamp: isoAt(9) },
        };
        const v2 = await store.saveIfVersion(updated, ctx, v1);
        expect(v2).toBe(v1 + 1);
        expectSameTask((await store.loadVersioned(task.id, ctx))?.task, updated);
      },
    );

    conformanceTest(
      harness,
      needs,
      'a stale or unknown version throws VersionConflictError and writes nothing',
      async () => {
        const { store, ctx } = await open();
        const task = makeTask();
        const v1 = await store.saveIfVersion(task, ctx, null);
        const v2 = await store.saveIfVersion({ ...task, metadata: { step: 2 } }, ctx, v1);
        for (const expected of [v1, v2 + 1, v2 + 1000]) {
          const error = await rejectionOf(
            store.saveIfVersion({ ...task, metadata: { step: 'stale' } }, ctx, expected),
          );
          expect(error, `expected version ${expected}`).toBeInstanceOf(VersionConflictError);
        }
        const loaded = await store.loadVersioned(task.id, ctx);
        expect(loaded?.version).toBe(v2);
        expect(loaded?.task.metadata).toEqual({ step: 2 });
      },
    );

    conformanceTest(
      harness,
      needs,
      'saveIfVersion with a number on a missing task throws VersionConflictError',
      async () => {
        const { store, ctx } = await open();
        const task = makeTask();
        expect(await rejectionOf(store.saveIfVersion(task, ctx, 1))).toBeInstanceOf(
          VersionConflictError,
        );
        await expect(store.load(task.id, ctx)).resolves.toBeUndefined();
      },
    );

    conformanceTest(
      harness,
      needs,
      `${WRITERS} concurrent writers of one version: exactly one wins, ${ROUNDS} rounds`,
      async () => {
        const { store, ctx } = await open();
        const task = makeTask();
        let version = await store.saveIfVersion(task, ctx, null);
        for (let round = 0; round < ROUNDS; round++) {
          const attempts = Array.from({ length: WRITERS }, (_, writer) =>
            store.saveIfVersion({ ...task, metadata: { round, writer } }, ctx, version),
          );
          const results = await Promise.allSettled(attempts);
          const winners = results.flatMap((r, writer) =>
            r.status === 'fulfilled' ? [{ writer, version: r.value }] : [],
          );
          const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          expect(winners, `round ${round}`).toHaveLength(1);
          for (const loser of losers) expect(loser.reason).toBeInstanceOf(VersionConflictError);
          const [winner] = winners;
          expect(winner!.version).toBe(version + 1);
          const loaded = await store.loadVersioned(task.id, ctx);
          expect(loaded?.version).toBe(version + 1);
          expect(loaded?.task.metadata).toEqual({ round, writer: winner!.writer });
          version = winner!.version;
        }
      },
      120_000,
    );

    conformanceTest(
      harness,
      needs,
      'concurrent creators (expected null): exactly one creates',
      async () => {
        const { store, ctx } = await open();
        const task = makeTask();
        const results = await Promise.allSettled(
          Array.from({ length: WRITERS }, (_, writer) =>
            store.saveIfVersion({ ...task, metadata: { writer } }, ctx, null),
          ),
        );
        const fulfilled = results.filter((r) => r.status === 'fulfilled');
        expect(fulfilled).toHaveLength(1);
        for (const r of results)
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(VersionConflictError);
        expect((await store.loadVersioned(task.id, ctx))?.version).toBe(
          (fulfilled[0] as PromiseFulfilledResult<number>).value,
        );
      },
    );
  });
}
