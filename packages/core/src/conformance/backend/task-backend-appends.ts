import { TaskState } from '@a2a-js/sdk';
import type { BackendListQuery, Scope } from '@a2a-stores/core';
import { describe, expect, it } from 'vitest';
import { randomScope } from '../helpers/identity.js';
import {
  type AppendingTaskBackend,
  backendListQuery,
  encodedAppend,
  encodedTask,
  FIXTURE_LINEAGE,
  putWithAppends,
} from './append-fixtures.js';

const WORKING = TaskState.TASK_STATE_WORKING;
const COMPLETED = TaskState.TASK_STATE_COMPLETED;
const FAILED = TaskState.TASK_STATE_FAILED;
const INPUT = TaskState.TASK_STATE_INPUT_REQUIRED;

/**
 * One segment as it sits in storage, read past the backend. How an engine numbers segments is its
 * own (a seq from 1, the version that wrote it, a list index): its tests check that.
 */
export interface StoredSegment {
  readonly body: string;
  readonly artifacts: string;
}

/** What `runTaskBackendAppendChecks` needs of an adapter. */
export interface TaskBackendAppendTarget {
  /** The backend under test, on migrated storage; called in each test, after the file's hooks. */
  backend(): AppendingTaskBackend;
  /**
   * The task's stored segments in order, straight from storage (rows, list entries): the checks
   * use it to see that a write dropped or kept segments, which `get` alone cannot tell.
   */
  storedSegments(scope: Scope, id: string): Promise<readonly StoredSegment[]>;
  /**
   * The batches `onBatch` reports when 3 tasks are purged in batches of 2, where the engine fixes
   * their order; without it the check takes any batches of at most 2 that add up to 3.
   */
  readonly purgeBatches?: readonly number[];
}

/** The segments `encodedAppend(id, 1..count)` stores. */
function storedAppends(...ns: number[]): StoredSegment[] {
  return ns.map((n) => ({ body: `{"n":${n}}`, artifacts: `[${n}]` }));
}

/**
 * The engine-neutral checks of `TaskBackend.append` and of how put, delete, purge and list treat
 * the segments appends leave: what every adapter with appends must do the same way. Statement
 * counts, raw rows and other engine details stay in each adapter's own tests.
 */
export function runTaskBackendAppendChecks(name: string, target: TaskBackendAppendTarget): void {
  async function totals(scope: Scope): Promise<Record<string, number>> {
    const backend = target.backend();
    const of = async (q: Partial<BackendListQuery>) =>
      (await backend.list(scope, backendListQuery(q))).total;
    return {
      all: await of({}),
      working: await of({ state: WORKING }),
      completed: await of({ state: COMPLETED }),
      input: await of({ state: INPUT }),
      ctx1: await of({ contextId: 'ctx-1' }),
      ctx2: await of({ contextId: 'ctx-2' }),
      ctx2Completed: await of({ contextId: 'ctx-2', state: COMPLETED }),
      ctx1Input: await of({ contextId: 'ctx-1', state: INPUT }),
      ctx2Input: await of({ contextId: 'ctx-2', state: INPUT }),
    };
  }

  describe(`${name}: task backend appends`, () => {
    it('get returns the base and the segments in order, artifacts only when asked', async () => {
      const backend = target.backend();
      const scope = randomScope();
      await backend.put(scope, encodedTask('a'), null, 1);
      for (let n = 1; n <= 3; n++) {
        // An empty artifacts segment (a chunk that added none) is kept as written.
        const artifacts = n === 2 ? '' : `[${n}]`;
        expect(await backend.append(scope, encodedAppend('a', n, { artifacts }), n, 1 + n)).toEqual(
          { status: 'written', version: n + 1 },
        );
      }
      const segments = [
        { body: '{"n":1}', artifacts: '[1]' },
        { body: '{"n":2}', artifacts: '' },
        { body: '{"n":3}', artifacts: '[3]' },
      ];
      expect(await backend.get(scope, 'a', true)).toEqual({
        id: 'a',
        body: encodedTask('a').body,
        artifacts: '[]',
        version: 4,
        sortKey: 1003,
        bytes: 103,
        lineage: FIXTURE_LINEAGE,
        segments,
      });
      const lean = await backend.get(scope, 'a', false);
      expect(lean?.artifacts).toBeUndefined();
      expect(lean).toEqual({
        id: 'a',
        body: encodedTask('a').body,
        version: 4,
        sortKey: 1003,
        bytes: 103,
        lineage: FIXTURE_LINEAGE,
        segments: [{ body: '{"n":1}' }, { body: '{"n":2}' }, { body: '{"n":3}' }],
      });
      expect(await target.storedSegments(scope, 'a')).toEqual(segments);
    });

    it('a task without segments reads with its size and lineage, and no segments', async () => {
      const backend = target.backend();
      const scope = randomScope();
      const task = encodedTask('plain');
      await backend.put(scope, task, null, 1);
      const row = await backend.get(scope, 'plain', true);
      expect(row).toEqual({
        id: 'plain',
        body: task.body,
        artifacts: task.artifacts,
        version: 1,
        sortKey: 1000,
        bytes: task.bytes,
        lineage: FIXTURE_LINEAGE,
      });
      expect(row?.segments).toBeUndefined();
    });

    it('is a conflict, changing nothing, when the version differs or the task is missing', async () => {
      const backend = target.backend();
      const scope = randomScope();
      await putWithAppends(backend, scope, 'a', 1);
      const before = await backend.get(scope, 'a', true);
      const counts = await totals(scope);
      for (const expected of [1, 3]) {
        expect(
          await backend.append(scope, encodedAppend('a', 9, { state: COMPLETED }), expected, 50),
        ).toEqual({ status: 'conflict' });
      }
      expect(await backend.append(scope, encodedAppend('missing', 1), 1, 50)).toEqual({
        status: 'conflict',
      });
      expect(await backend.get(scope, 'a', true)).toEqual(before);
      expect(await backend.get(scope, 'missing', true)).toBeUndefined();
      expect(await target.storedSegments(scope, 'a')).toEqual(storedAppends(1));
      expect(await target.storedSegments(scope, 'missing')).toEqual([]);
      expect(await totals(scope)).toEqual(counts);
    });

    it('is a conflict, changing nothing, on a row of another lineage at the same version', async () => {
      const backend = target.backend();
      const scope = randomScope();
      await putWithAppends(backend, scope, 'a', 1);
      // Deleted and created again: versions restart, so only the lineage tells the rows apart.
      await backend.delete(scope, 'a');
      await backend.put(scope, encodedTask('a', { lineage: 'lineage-2' }), null, 5);
      await backend.append(scope, encodedAppend('a', 1, { lineage: 'lineage-2' }), 1, 6);
      const before = await backend.get(scope, 'a', true);
      expect(before?.lineage).toBe('lineage-2');
      const counts = await totals(scope);
      expect(
        await backend.append(scope, encodedAppend('a', 2, { contextId: 'ctx-2' }), 2, 7),
      ).toEqual({ status: 'conflict' });
      expect(await backend.get(scope, 'a', true)).toEqual(before);
      expect(await target.storedSegments(scope, 'a')).toEqual(storedAppends(1));
      expect(await totals(scope)).toEqual(counts);
      // Even when the state would be stale: the conflict comes first.
      const done = encodedTask('a', { lineage: 'lineage-2', state: COMPLETED });
      expect(await backend.put(scope, done, 2, 8)).toEqual({ status: 'written', version: 3 });
      expect(await backend.append(scope, encodedAppend('a', 2), 3, 9)).toEqual({
        status: 'conflict',
      });
      expect(
        await backend.append(scope, encodedAppend('a', 2, { lineage: 'lineage-2' }), 3, 9),
      ).toEqual({ status: 'stale', storedState: COMPLETED });
      expect(await target.storedSegments(scope, 'a')).toEqual([]);
      expect((await backend.get(scope, 'a', true))?.version).toBe(3);
    });

    it('is stale, changing nothing, on a terminal task moving to another state', async () => {
      const backend = target.backend();
      const scope = randomScope();
      await backend.put(scope, encodedTask('a', { state: COMPLETED }), null, 1);
      const before = await backend.get(scope, 'a', true);
      const counts = await totals(scope);
      for (const state of [WORKING, FAILED]) {
        expect(await backend.append(scope, encodedAppend('a', 1, { state }), 1, 2)).toEqual({
          status: 'stale',
          storedState: COMPLETED,
        });
      }
      expect(await backend.get(scope, 'a', true)).toEqual(before);
      expect(await target.storedSegments(scope, 'a')).toEqual([]);
      expect(await totals(scope)).toEqual(counts);
      // The same terminal state is no transition: the append is written.
      expect(
        await backend.append(scope, encodedAppend('a', 1, { state: COMPLETED }), 1, 2),
      ).toEqual({ status: 'written', version: 2 });
    });

    it('moves the list totals exactly when appends change state and context', async () => {
      const backend = target.backend();
      const scope = randomScope();
      await backend.put(scope, encodedTask('a'), null, 1);
      await backend.put(scope, encodedTask('b'), null, 1);
      const before = {
        all: 2,
        working: 2,
        completed: 0,
        input: 0,
        ctx1: 2,
        ctx2: 0,
        ctx2Completed: 0,
        ctx1Input: 0,
        ctx2Input: 0,
      };
      expect(await totals(scope)).toEqual(before);
      const toInput = encodedAppend('a', 1, { contextId: 'ctx-2', state: INPUT });
      await backend.append(scope, toInput, 1, 2);
      const inputAt2 = { ...before, working: 1, input: 1, ctx1: 1, ctx2: 1, ctx2Input: 1 };
      expect(await totals(scope)).toEqual(inputAt2);
      const toCompleted = encodedAppend('a', 2, { contextId: 'ctx-2', state: COMPLETED });
      await backend.append(scope, toCompleted, 2, 3);
      const after = { ...inputAt2, input: 0, ctx2Input: 0, completed: 1, ctx2Completed: 1 };
      expect(await totals(scope)).toEqual(after);
      // An append that keeps state and context moves nothing.
      await backend.append(scope, encodedAppend('b', 1), 1, 2);
      expect(await totals(scope)).toEqual(after);
      // One between two live states moves the task from one state's count to the other's.
      await backend.append(scope, encodedAppend('b', 2, { state: INPUT, sortKey: 1001 }), 2, 3);
      expect(await totals(scope)).toEqual({ ...after, working: 0, input: 1, ctx1Input: 1 });
      const { rows } = await backend.list(scope, backendListQuery({ contextId: 'ctx-2' }));
      expect(rows.map((row) => row.id)).toEqual(['a']);
      expect(rows[0]?.segments).toHaveLength(2);
      // The page is ordered by the sort key the appends wrote.
      const page = await backend.list(scope, backendListQuery());
      expect(page.rows.map((row) => [row.id, row.sortKey])).toEqual([
        ['a', 1002],
        ['b', 1001],
      ]);
    });

    it('a full write drops every segment in the same write; appends then start over', async () => {
      const backend = target.backend();
      const scope = randomScope();
      const version = await putWithAppends(backend, scope, 'a', 3);
      expect(await target.storedSegments(scope, 'a')).toEqual(storedAppends(1, 2, 3));
      const full = encodedTask('a', {
        body: '{"compacted":true}',
        artifacts: '[1,2,3]',
        lineage: 'lineage-2',
      });
      expect(await backend.put(scope, full, version, 9)).toEqual({ status: 'written', version: 5 });
      expect(await target.storedSegments(scope, 'a')).toEqual([]);
      expect(await backend.get(scope, 'a', true)).toEqual({
        id: 'a',
        body: full.body,
        artifacts: full.artifacts,
        version: 5,
        sortKey: 1000,
        bytes: full.bytes,
        lineage: 'lineage-2',
      });
      // Appends diffed against the replaced write no longer apply; on the new lineage they do.
      expect(await backend.append(scope, encodedAppend('a', 1), 5, 10)).toEqual({
        status: 'conflict',
      });
      const again = encodedAppend('a', 7, { lineage: 'lineage-2' });
      expect(await backend.append(scope, again, 5, 10)).toEqual({ status: 'written', version: 6 });
      expect(await target.storedSegments(scope, 'a')).toEqual(storedAppends(7));
      // A write without a version check drops them too.
      const unchecked = encodedTask('a', { body: '{"v":2}', lineage: 'lineage-3' });
      expect(await backend.put(scope, unchecked, undefined, 11)).toEqual({
        status: 'written',
        version: 7,
      });
      expect(await target.storedSegments(scope, 'a')).toEqual([]);
      await backend.append(scope, encodedAppend('a', 8, { lineage: 'lineage-3' }), 7, 12);
      expect((await backend.get(scope, 'a', false))?.segments).toEqual([{ body: '{"n":8}' }]);
    });

    it('a refused full write keeps the segments', async () => {
      const backend = target.backend();
      const scope = randomScope();
      await putWithAppends(backend, scope, 'a', 2);
      expect(await backend.put(scope, encodedTask('a'), 1, 9)).toEqual({ status: 'conflict' });
      expect(await backend.put(scope, encodedTask('a'), null, 9)).toEqual({ status: 'conflict' });
      expect(await target.storedSegments(scope, 'a')).toEqual(storedAppends(1, 2));
      expect((await backend.get(scope, 'a', false))?.segments).toHaveLength(2);
      // Over a terminal task, a full write of another state is stale and keeps them too.
      await backend.append(scope, encodedAppend('a', 3, { state: COMPLETED }), 3, 10);
      for (const expected of [4, undefined]) {
        expect(await backend.put(scope, encodedTask('a'), expected, 11)).toEqual({
          status: 'stale',
          storedState: COMPLETED,
        });
      }
      expect(await target.storedSegments(scope, 'a')).toEqual(storedAppends(1, 2, 3));
    });

    it('delete drops the task with its segments; a task written again starts without', async () => {
      const backend = target.backend();
      const scope = randomScope();
      await putWithAppends(backend, scope, 'a', 2);
      expect(await backend.delete(scope, 'a')).toBe(true);
      expect(await target.storedSegments(scope, 'a')).toEqual([]);
      expect(await backend.get(scope, 'a', true)).toBeUndefined();
      await backend.put(scope, encodedTask('a'), null, 3);
      expect((await backend.get(scope, 'a', true))?.segments).toBeUndefined();
    });

    it('purge drops the tasks with their segments, batch after batch', async () => {
      const backend = target.backend();
      const scope = randomScope();
      const done = ['p1', 'p2', 'p3'];
      for (const id of done) {
        await backend.put(scope, encodedTask(id, { state: COMPLETED }), null, 1);
        await backend.append(scope, encodedAppend(id, 1, { state: COMPLETED }), 1, 2);
        await backend.append(scope, encodedAppend(id, 2, { state: COMPLETED }), 2, 3);
      }
      await putWithAppends(backend, scope, 'kept', 1);
      const batches: number[] = [];
      const purged = await backend.purge({
        olderThan: 100,
        states: [COMPLETED],
        batchSize: 2,
        scope,
        onBatch: (n) => batches.push(n),
      });
      expect(purged).toBe(3);
      if (target.purgeBatches) expect(batches).toEqual(target.purgeBatches);
      expect(batches.reduce((sum, n) => sum + n, 0)).toBe(3);
      expect(batches.every((n) => n <= 2)).toBe(true);
      for (const id of done) {
        expect(await target.storedSegments(scope, id)).toEqual([]);
        expect(await backend.get(scope, id, true)).toBeUndefined();
      }
      expect(await target.storedSegments(scope, 'kept')).toEqual(storedAppends(1));
      expect((await backend.get(scope, 'kept', false))?.segments).toEqual([{ body: '{"n":1}' }]);
    });

    it('list attaches segments, in order, only to the rows that have them', async () => {
      const backend = target.backend();
      const scope = randomScope();
      await backend.put(scope, encodedTask('plain', { sortKey: 5000 }), null, 1);
      await putWithAppends(backend, scope, 'one', 1);
      await putWithAppends(backend, scope, 'two', 2);
      const { rows, total } = await backend.list(scope, backendListQuery());
      expect(total).toBe(3);
      expect(rows.map((row) => [row.id, row.segments])).toEqual([
        ['plain', undefined],
        [
          'two',
          [
            { body: '{"n":1}', artifacts: '[1]' },
            { body: '{"n":2}', artifacts: '[2]' },
          ],
        ],
        ['one', [{ body: '{"n":1}', artifacts: '[1]' }]],
      ]);
      expect(rows.map((row) => row.bytes)).toEqual([encodedTask('plain').bytes, 102, 101]);
      expect(rows[1]).toEqual({
        id: 'two',
        body: encodedTask('two').body,
        artifacts: '[]',
        version: 3,
        sortKey: 1002,
        bytes: 102,
        lineage: FIXTURE_LINEAGE,
        segments: [
          { body: '{"n":1}', artifacts: '[1]' },
          { body: '{"n":2}', artifacts: '[2]' },
        ],
      });
      const lean = await backend.list(scope, backendListQuery({ includeArtifacts: false }));
      expect(lean.rows.map((row) => row.artifacts)).toEqual([undefined, undefined, undefined]);
      expect(lean.rows[1]).toEqual({
        id: 'two',
        body: encodedTask('two').body,
        version: 3,
        sortKey: 1002,
        bytes: 102,
        lineage: FIXTURE_LINEAGE,
        segments: [{ body: '{"n":1}' }, { body: '{"n":2}' }],
      });
    });
  });
}
