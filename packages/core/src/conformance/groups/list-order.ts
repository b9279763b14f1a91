import { randomUUID } from 'node:crypto';
import { TaskState } from '@a2a-js/sdk';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { callContext, randomScope } from '../helpers/identity.js';
import { conformanceTest, type GroupOptions, useHarness } from '../helpers/lifecycle.js';
import { expectedListOrder, isoAt, listRequest, makeTask, saveAll } from '../helpers/tasks.js';

/**
 * `list` ordering and filters: status timestamp desc then id desc (code point order), filters on
 * contextId, status and statusTimestampAfter (strictly after).
 */
export function runListOrderGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('list ordering and filters', () => {
    const env = useHarness(harness, options);

    conformanceTest(harness, [], 'orders by status timestamp, newest first', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const offsets = [5, 1, 9, 3, 7, 2, 8, 0, 6, 4];
      const tasks = offsets.map((o) => makeTask({ timestamp: isoAt(o * 60_000) }));
      await saveAll(taskStore, tasks, ctx);
      const page = await taskStore.list(listRequest(), ctx);
      expect(page.tasks.map((t) => t.id)).toEqual(expectedListOrder(tasks));
    });

    conformanceTest(harness, [], 'equal timestamps order by id, descending', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const prefix = `tie-${randomUUID()}`;
      const tasks = ['c', 'a', 'f', 'b', 'e', 'd'].map((s) =>
        makeTask({ id: `${prefix}-${s}`, timestamp: isoAt(0) }),
      );
      tasks.push(
        makeTask({ id: `${prefix}-z`, timestamp: isoAt(-1) }),
        makeTask({ id: `${prefix}-0`, timestamp: isoAt(1) }),
      );
      await saveAll(taskStore, tasks, ctx);
      const page = await taskStore.list(listRequest(), ctx);
      expect(page.tasks.map((t) => t.id.slice(prefix.length + 1))).toEqual([
        '0',
        'f',
        'e',
        'd',
        'c',
        'b',
        'a',
        'z',
      ]);
    });

    conformanceTest(
      harness,
      ['codePointIdOrder'],
      'ties compare ids by code point: case, accents, astral characters, prefixes',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const prefix = `cp-${randomUUID()}`;
        // Code point order differs from UTF-16 order (U+FFFD vs U+1F600) and from locale and
        // case-insensitive collations ('B' < 'a', 'a' < 'a-' < 'aa', '10' < '9').
        const suffixes = [
          'a',
          'B',
          'b',
          'A',
          'é',
          'e',
          '\ufffd',
          '😀',
          '𝄞',
          'a-',
          'aa',
          '10',
          '9',
          'Z',
        ];
        const tasks = suffixes.map((s) => makeTask({ id: `${prefix}-${s}`, timestamp: isoAt(0) }));
        await saveAll(taskStore, tasks, ctx);
        const page = await taskStore.list(listRequest(), ctx);
        const expected = [...suffixes]
          .sort((x, y) => {
            const a = [...x].map((c) => c.codePointAt(0)!);
            const b = [...y].map((c) => c.codePointAt(0)!);
            for (let i = 0; i < Math.min(a.length, b.length); i++)
              if (a[i] !== b[i]) return a[i]! - b[i]!;
            return a.length - b.length;
          })
          .reverse();
        expect(page.tasks.map((t) => t.id.slice(prefix.length + 1))).toEqual(expected);
      },
    );

    conformanceTest(
      harness,
      ['instantTimestampOrder'],
      'timestamps with offsets order by the instant they denote',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        // 12:00+02:00 is 10:00Z: an hour before 11:00Z, though it sorts after it as a string.
        const tenZ = makeTask({ timestamp: '2024-06-01T12:00:00+02:00' });
        const elevenZ = makeTask({ timestamp: '2024-06-01T11:00:00Z' });
        const tenThirtyZ = makeTask({ timestamp: '2024-06-01T09:30:00-01:00' });
        await saveAll(taskStore, [tenZ, elevenZ, tenThirtyZ], ctx);
        const page = await taskStore.list(listRequest(), ctx);
        expect(page.tasks.map((t) => t.id)).toEqual([elevenZ.id, tenThirtyZ.id, tenZ.id]);
        // Pages follow the same order.
        const first = await taskStore.list(listRequest({ pageSize: 2 }), ctx);
        const second = await taskStore.list(
          listRequest({ pageSize: 2, pageToken: first.nextPageToken }),
          ctx,
        );
        expect([...first.tasks, ...second.tasks].map((t) => t.id)).toEqual([
          elevenZ.id,
          tenThirtyZ.id,
          tenZ.id,
        ]);
        // Each task keeps the spelling it was saved with.
        expect(page.tasks.map((t) => t.status?.timestamp)).toEqual([
          '2024-06-01T11:00:00Z',
          '2024-06-01T09:30:00-01:00',
          '2024-06-01T12:00:00+02:00',
        ]);
      },
    );

    conformanceTest(
      harness,
      [],
      'statusTimestampAfter with an offset filters by instant',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const before = makeTask({ timestamp: '2024-06-01T10:00:00Z' });
        const after = makeTask({ timestamp: '2024-06-01T12:30:00+02:00' });
        await saveAll(taskStore, [before, after], ctx);
        // 12:15+02:00 is 10:15Z.
        const page = await taskStore.list(
          listRequest({ statusTimestampAfter: '2024-06-01T12:15:00+02:00' }),
          ctx,
        );
        expect(page.tasks.map((t) => t.id)).toEqual([after.id]);
      },
    );

    conformanceTest(
      harness,
      ['instantTimestampOrder'],
      'fraction spellings (.5, .500, none) order by instant, ties by id',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const prefix = `frac-${randomUUID()}`;
        const spelled = (suffix: string, timestamp: string) =>
          makeTask({ id: `${prefix}-${suffix}`, timestamp });
        const tasks = [
          spelled('half', '2024-06-01T00:00:00.5Z'),
          spelled('half-padded', '2024-06-01T00:00:00.500Z'),
          spelled('whole', '2024-06-01T00:00:00Z'),
          spelled('quarter', '2024-06-01T00:00:00.25Z'),
          spelled('next', '2024-06-01T00:00:01Z'),
        ];
        await saveAll(taskStore, tasks, ctx);
        const page = await taskStore.list(listRequest(), ctx);
        // .5 and .500 are one instant: their tie is broken by id (descending).
        expect(page.tasks.map((t) => t.id.slice(prefix.length + 1))).toEqual([
          'next',
          'half-padded',
          'half',
          'quarter',
          'whole',
        ]);
      },
    );

    conformanceTest(
      harness,
      ['codePointIdOrder'],
      'mixed-case ids sharing a timestamp page in code point order, one per page',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const prefix = `case-${randomUUID()}`;
        const suffixes = ['task-b', 'Task-A', 'TASK-b', 'task-A', 'Task-a', 'task-a', 'TASK-B'];
        const tasks = suffixes.map((s) => makeTask({ id: `${prefix}-${s}`, timestamp: isoAt(0) }));
        await saveAll(taskStore, tasks, ctx);
        // Code point order puts every upper-case letter before every lower-case one; list is
        // descending, so lower case comes first.
        const expected = ['task-b', 'task-a', 'task-A', 'Task-a', 'Task-A', 'TASK-b', 'TASK-B'];
        const one = await taskStore.list(listRequest(), ctx);
        expect(one.tasks.map((t) => t.id.slice(prefix.length + 1))).toEqual(expected);
        const paged: string[] = [];
        let pageToken = '';
        do {
          const page = await taskStore.list(listRequest({ pageSize: 1, pageToken }), ctx);
          paged.push(...page.tasks.map((t) => t.id.slice(prefix.length + 1)));
          pageToken = page.nextPageToken;
        } while (pageToken !== '' && paged.length <= suffixes.length);
        expect(paged).toEqual(expected);
      },
    );

    conformanceTest(harness, [], 'tasks without a status timestamp sort last', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const undated = makeTask({ timestamp: null });
      const dated = [
        makeTask({ timestamp: isoAt(-86_400_000 * 365 * 30) }),
        makeTask({ timestamp: isoAt(0) }),
      ];
      await saveAll(taskStore, [undated, ...dated], ctx);
      const page = await taskStore.list(listRequest(), ctx);
      expect(page.tasks.map((t) => t.id)).toEqual([dated[1]!.id, dated[0]!.id, undated.id]);
    });

    conformanceTest(harness, [], 'filters on contextId', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const contextId = `ctx-${randomUUID()}`;
      const inContext = Array.from({ length: 4 }, (_, i) =>
        makeTask({ contextId, timestamp: isoAt(i) }),
      );
      const others = Array.from({ length: 5 }, (_, i) => makeTask({ timestamp: isoAt(i) }));
      await saveAll(taskStore, [...inContext, ...others], ctx);
      const page = await taskStore.list(listRequest({ contextId }), ctx);
      expect(page.tasks.map((t) => t.id)).toEqual(expectedListOrder(inContext));
      expect(page.totalSize).toBe(4);
    });

    conformanceTest(harness, [], 'filters on status', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const states = [
        TaskState.TASK_STATE_WORKING,
        TaskState.TASK_STATE_COMPLETED,
        TaskState.TASK_STATE_INPUT_REQUIRED,
        TaskState.TASK_STATE_COMPLETED,
        TaskState.TASK_STATE_FAILED,
        TaskState.TASK_STATE_COMPLETED,
      ];
      const tasks = states.map((state, i) => makeTask({ state, timestamp: isoAt(i) }));
      await saveAll(taskStore, tasks, ctx);
      const completed = await taskStore.list(
        listRequest({ status: TaskState.TASK_STATE_COMPLETED }),
        ctx,
      );
      expect(completed.tasks.map((t) => t.id)).toEqual(
        expectedListOrder(tasks.filter((t) => t.status!.state === TaskState.TASK_STATE_COMPLETED)),
      );
      expect(completed.totalSize).toBe(3);
      const rejected = await taskStore.list(
        listRequest({ status: TaskState.TASK_STATE_REJECTED }),
        ctx,
      );
      expect(rejected.tasks).toEqual([]);
      expect(rejected.totalSize).toBe(0);
    });

    conformanceTest(
      harness,
      [],
      'statusTimestampAfter keeps only strictly later tasks',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const before = makeTask({ timestamp: isoAt(-1) });
        const equal = makeTask({ timestamp: isoAt(0) });
        const after = makeTask({ timestamp: isoAt(1) });
        const muchLater = makeTask({ timestamp: isoAt(3_600_000) });
        const undated = makeTask({ timestamp: null });
        await saveAll(taskStore, [before, equal, after, muchLater, undated], ctx);
        const page = await taskStore.list(listRequest({ statusTimestampAfter: isoAt(0) }), ctx);
        expect(page.tasks.map((t) => t.id)).toEqual([muchLater.id, after.id]);
        expect(page.totalSize).toBe(2);
      },
    );

    conformanceTest(
      harness,
      [],
      'filters combine (contextId, status and statusTimestampAfter)',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const contextId = `ctx-${randomUUID()}`;
        const done = TaskState.TASK_STATE_COMPLETED;
        const match = [
          makeTask({ contextId, state: done, timestamp: isoAt(10) }),
          makeTask({ contextId, state: done, timestamp: isoAt(20) }),
        ];
        const noise = [
          makeTask({ contextId, state: done, timestamp: isoAt(0) }),
          makeTask({ contextId, state: TaskState.TASK_STATE_WORKING, timestamp: isoAt(30) }),
          makeTask({ state: done, timestamp: isoAt(30) }),
        ];
        await saveAll(taskStore, [...match, ...noise], ctx);
        const page = await taskStore.list(
          listRequest({ contextId, status: done, statusTimestampAfter: isoAt(5) }),
          ctx,
        );
        expect(page.tasks.map((t) => t.id)).toEqual(expectedListOrder(match));
        expect(page.totalSize).toBe(2);
      },
    );

    conformanceTest(harness, [], 'an empty scope lists nothing, with an empty token', async () => {
      const { taskStore } = await env.open();
      const page = await taskStore.list(listRequest(), callContext(randomScope()));
      expect(page.tasks).toEqual([]);
      expect(page.totalSize).toBe(0);
      expect(page.nextPageToken).toBe('');
    });

    conformanceTest(
      harness,
      [],
      'a re-saved task moves to its new timestamp position',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const tasks = [0, 1, 2].map((i) => makeTask({ timestamp: isoAt(i) }));
        await saveAll(taskStore, tasks, ctx);
        const moved = { ...tasks[0]!, status: { ...tasks[0]!.status!, timestamp: isoAt(10) } };
        await taskStore.save(moved, ctx);
        const page = await taskStore.list(listRequest(), ctx);
        expect(page.tasks.map((t) => t.id)).toEqual([tasks[0]!.id, tasks[2]!.id, tasks[1]!.id]);
        expect(page.totalSize).toBe(3);
      },
    );
  });
}
