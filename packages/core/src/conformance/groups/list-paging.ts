import { randomUUID } from 'node:crypto';
import { TaskState } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { rejectionOf } from '../helpers/assertions.js';
import { callContext, randomScope } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  scopedTaskStore,
  useHarness,
} from '../helpers/lifecycle.js';
import {
  expectedListOrder,
  isoAt,
  listAll,
  listRequest,
  makeTask,
  saveAll,
} from '../helpers/tasks.js';

/** Tokens no store can have issued: not base64, not a cursor, absurdly long. */
const GARBAGE_TOKENS = ['!!!', '%%%%', '???', '\u0000', '🧪🧪', 'x'.repeat(4096)];

/**
 * Paging: every task exactly once whatever the page size, keyset tokens that survive deletes and
 * inserts, exact `totalSize`, and tokens refused when garbage, forged, or minted for another
 * scope or filter set.
 */
export function runListPagingGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('list paging', () => {
    const env = useHarness(harness, options);

    conformanceTest(
      harness,
      [],
      'pages over 237 tasks exactly once with page sizes 1, 7 and 100',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        // Four tasks per timestamp, so page boundaries fall inside runs of ties.
        const tasks = Array.from({ length: 237 }, (_, i) =>
          makeTask({ timestamp: isoAt(Math.floor(i / 4) * 1000), historyLength: 1 }),
        );
        await saveAll(taskStore, tasks, ctx);
        const expected = expectedListOrder(tasks);
        for (const pageSize of [1, 7, 100]) {
          const { ids, pages, totalSizes } = await listAll(taskStore, ctx, { pageSize });
          expect(ids, `page size ${pageSize}`).toEqual(expected);
          expect(pages).toBe(Math.ceil(237 / pageSize));
          expect(new Set(totalSizes)).toEqual(new Set([237]));
        }
      },
      180_000,
    );

    conformanceTest(
      harness,
      [],
      'paging under a filter visits exactly the matching tasks',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const contextId = `ctx-${randomUUID()}`;
        const matching = Array.from({ length: 17 }, (_, i) =>
          makeTask({ contextId, timestamp: isoAt(Math.floor(i / 3)) }),
        );
        const others = Array.from({ length: 9 }, (_, i) => makeTask({ timestamp: isoAt(i) }));
        await saveAll(taskStore, [...matching, ...others], ctx);
        const { ids, totalSizes } = await listAll(taskStore, ctx, { contextId, pageSize: 4 });
        expect(ids).toEqual(expectedListOrder(matching));
        expect(new Set(totalSizes)).toEqual(new Set([17]));
      },
    );

    conformanceTest(
      harness,
      [],
      'the last page has an empty nextPageToken, exact multiples included',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        await saveAll(
          taskStore,
          Array.from({ length: 10 }, (_, i) => makeTask({ timestamp: isoAt(i) })),
          ctx,
        );
        const first = await taskStore.list(listRequest({ pageSize: 5 }), ctx);
        expect(first.tasks).toHaveLength(5);
        expect(first.nextPageToken).not.toBe('');
        const second = await taskStore.list(
          listRequest({ pageSize: 5, pageToken: first.nextPageToken }),
          ctx,
        );
        expect(second.tasks).toHaveLength(5);
        expect(second.nextPageToken).toBe('');
        const whole = await taskStore.list(listRequest({ pageSize: 10 }), ctx);
        expect(whole.nextPageToken).toBe('');
      },
    );

    conformanceTest(harness, [], 'totalSize is exact on every page and under filters', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const tasks = Array.from({ length: 23 }, (_, i) =>
        makeTask({
          timestamp: isoAt(i),
          state: i % 3 === 0 ? TaskState.TASK_STATE_COMPLETED : TaskState.TASK_STATE_WORKING,
        }),
      );
      await saveAll(taskStore, tasks, ctx);
      const all = await listAll(taskStore, ctx, { pageSize: 5 });
      expect(all.totalSizes).toEqual([23, 23, 23, 23, 23]);
      const completed = await listAll(taskStore, ctx, {
        pageSize: 5,
        status: TaskState.TASK_STATE_COMPLETED,
      });
      expect(completed.totalSizes).toEqual([8, 8]);
      expect(completed.ids).toHaveLength(8);
    });

    conformanceTest(
      harness,
      [],
      'tasks written after page one neither repeat nor hide older ones',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const tasks = Array.from({ length: 9 }, (_, i) => makeTask({ timestamp: isoAt(i) }));
        await saveAll(taskStore, tasks, ctx);
        const first = await taskStore.list(listRequest({ pageSize: 4 }), ctx);
        await taskStore.save(makeTask({ timestamp: isoAt(100) }), ctx);
        const rest = await listAll(taskStore, ctx, { pageSize: 4, pageToken: first.nextPageToken });
        expect([...first.tasks.map((t) => t.id), ...rest.ids]).toEqual(expectedListOrder(tasks));
      },
    );

    conformanceTest(
      harness,
      ['extendedTaskStore'],
      'paging continues past a deleted cursor task',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const ctx = callContext(randomScope());
        const tasks = Array.from({ length: 10 }, (_, i) =>
          makeTask({ timestamp: isoAt(Math.floor(i / 2)) }),
        );
        await saveAll(store, tasks, ctx);
        const order = expectedListOrder(tasks);
        const first = await store.list(listRequest({ pageSize: 3 }), ctx);
        expect(first.tasks.map((t) => t.id)).toEqual(order.slice(0, 3));
        await expect(store.delete(order[2]!, ctx)).resolves.toBe(true);
        await expect(store.delete(order[4]!, ctx)).resolves.toBe(true);
        const rest = await listAll(store, ctx, { pageSize: 3, pageToken: first.nextPageToken });
        expect(rest.ids).toEqual([order[3], ...order.slice(5)]);
        expect(rest.totalSizes[0]).toBe(8);
      },
    );

    conformanceTest(harness, [], 'garbage page tokens throw RequestMalformedError', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      await saveAll(taskStore, [makeTask(), makeTask()], ctx);
      for (const pageToken of GARBAGE_TOKENS) {
        const error = await rejectionOf(taskStore.list(listRequest({ pageToken }), ctx));
        expect(error, `token ${JSON.stringify(pageToken.slice(0, 20))}`).toBeInstanceOf(
          RequestMalformedError,
        );
      }
    });

    conformanceTest(
      harness,
      ['validatedPageTokens'],
      'well-formed but forged or altered tokens throw RequestMalformedError',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const tasks = Array.from({ length: 6 }, (_, i) => makeTask({ timestamp: isoAt(i) }));
        await saveAll(taskStore, tasks, ctx);
        const real = (await taskStore.list(listRequest({ pageSize: 2 }), ctx)).nextPageToken;
        const flip = (s: string, i: number) =>
          s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
        const forged = [
          Buffer.from(`${isoAt(3)}|${tasks[3]!.id}`).toString('base64'),
          Buffer.from(JSON.stringify({ sortKey: 0, id: tasks[3]!.id })).toString('base64url'),
          Buffer.from(
            JSON.stringify([1, Date.parse(isoAt(3)), tasks[3]!.id, 'forged-digest']),
          ).toString('base64url'),
          flip(real, real.length - 2),
          flip(real, Math.floor(real.length / 2)),
          real.slice(0, -3),
        ].filter((token) => token !== real);
        for (const pageToken of forged) {
          const error = await rejectionOf(
            taskStore.list(listRequest({ pageSize: 2, pageToken }), ctx),
          );
          expect(error, `token ${pageToken}`).toBeInstanceOf(RequestMalformedError);
        }
      },
    );

    conformanceTest(
      harness,
      ['validatedPageTokens'],
      'a token minted in another scope is refused',
      async () => {
        const { taskStore } = await env.open();
        const a = callContext(randomScope());
        const b = callContext(randomScope());
        const sameTenantOtherOwner = callContext({
          tenant: a.tenant!,
          owner: `other-${randomUUID()}`,
        });
        const tasks = Array.from({ length: 4 }, (_, i) => makeTask({ timestamp: isoAt(i) }));
        await saveAll(taskStore, tasks, a);
        await saveAll(taskStore, tasks, b);
        await saveAll(taskStore, tasks, sameTenantOtherOwner);
        const token = (await taskStore.list(listRequest({ pageSize: 2 }), a)).nextPageToken;
        for (const other of [b, sameTenantOtherOwner]) {
          const error = await rejectionOf(
            taskStore.list(listRequest({ pageSize: 2, pageToken: token }), other),
          );
          expect(error).toBeInstanceOf(RequestMalformedError);
        }
      },
    );

    conformanceTest(
      harness,
      ['validatedPageTokens'],
      'a token minted under other filters is refused',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const contextId = `ctx-${randomUUID()}`;
        const tasks = Array.from({ length: 6 }, (_, i) =>
          makeTask({ contextId, timestamp: isoAt(i) }),
        );
        await saveAll(taskStore, tasks, ctx);
        const token = (await taskStore.list(listRequest({ pageSize: 2, contextId }), ctx))
          .nextPageToken;
        const otherFilters = [
          {},
          { contextId: `ctx-${randomUUID()}` },
          { contextId, status: TaskState.TASK_STATE_WORKING },
          { contextId, statusTimestampAfter: isoAt(-1) },
        ];
        for (const filters of otherFilters) {
          const error = await rejectionOf(
            taskStore.list(listRequest({ pageSize: 2, pageToken: token, ...filters }), ctx),
          );
          expect(error, JSON.stringify(filters)).toBeInstanceOf(RequestMalformedError);
        }
        // The same filters with another page size or shaping keep working.
        const next = await taskStore.list(
          listRequest({
            pageSize: 3,
            contextId,
            pageToken: token,
            includeArtifacts: true,
            historyLength: 1,
          }),
          ctx,
        );
        expect(next.tasks.map((t) => t.id)).toEqual(expectedListOrder(tasks).slice(2, 5));
      },
    );
  });
}
