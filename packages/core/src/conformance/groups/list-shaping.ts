import type { AgentCard, Task } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { type AgentExecutor, DefaultRequestHandler } from '@a2a-js/sdk/server';
import { canonicalTask } from '@a2a-stores/core';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { rejectionOf } from '../helpers/assertions.js';
import { callContext, randomScope } from '../helpers/identity.js';
import { conformanceTest, type GroupOptions, useHarness } from '../helpers/lifecycle.js';
import { isoAt, listRequest, makeTask, saveAll } from '../helpers/tasks.js';

/** Enough of a card for `DefaultRequestHandler`'s task reads, which never look at it. */
const HANDLER_CARD = {
  name: 'conformance',
  description: 'list and get through the SDK handler',
  supportedInterfaces: [],
  version: '0.0.0',
  capabilities: { streaming: false, pushNotifications: false, extensions: [] },
  securitySchemes: {},
  securityRequirements: [],
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
  skills: [],
  signatures: [],
} as unknown as AgentCard;

/** get and list never run the executor. */
const IDLE_EXECUTOR: AgentExecutor = {
  execute: async () => {},
  cancelTask: async () => {},
};

function withoutArtifacts(task: Task): Task {
  return { ...canonicalTask(task), artifacts: [] };
}

function withLastMessages(task: Task, n: number): Task {
  const canonical = canonicalTask(task);
  return { ...canonical, artifacts: [], history: n === 0 ? [] : canonical.history.slice(-n) };
}

/**
 * What `list` returns of each task (`includeArtifacts`, `historyLength`) and how many
 * (`pageSize`: default 50, 1..100).
 */
export function runListShapingGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('list shaping and page size', () => {
    const env = useHarness(harness, options);

    async function oneTask(
      history = 5,
    ): Promise<{ list: (r: object) => Promise<Task>; task: Task }> {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      const task = makeTask({ historyLength: history, artifactCount: 3, metadata: { kept: true } });
      await taskStore.save(task, ctx);
      return {
        task,
        list: async (request) => {
          const page = await taskStore.list(listRequest(request), ctx);
          expect(page.tasks).toHaveLength(1);
          return page.tasks[0]!;
        },
      };
    }

    conformanceTest(
      harness,
      [],
      'artifacts are stripped by default, the rest is intact',
      async () => {
        const { task, list } = await oneTask();
        expect(await list({})).toEqual(withoutArtifacts(task));
      },
    );

    conformanceTest(harness, [], 'includeArtifacts false strips artifacts', async () => {
      const { task, list } = await oneTask();
      expect(await list({ includeArtifacts: false })).toEqual(withoutArtifacts(task));
    });

    conformanceTest(harness, [], 'includeArtifacts true returns the whole task', async () => {
      const { task, list } = await oneTask();
      expect(await list({ includeArtifacts: true })).toEqual(canonicalTask(task));
    });

    conformanceTest(
      harness,
      [],
      'without historyLength the whole history is returned',
      async () => {
        const { task, list } = await oneTask(12);
        expect(await list({})).toEqual(withLastMessages(task, 12));
      },
    );

    conformanceTest(
      harness,
      ['listHistoryLength'],
      'historyLength 0 returns no history',
      async () => {
        const { task, list } = await oneTask();
        expect(await list({ historyLength: 0 })).toEqual(withLastMessages(task, 0));
      },
    );

    conformanceTest(
      harness,
      ['listHistoryLength'],
      'historyLength N keeps the last N messages',
      async () => {
        const { task, list } = await oneTask(10);
        expect(await list({ historyLength: 3 })).toEqual(withLastMessages(task, 3));
        expect(await list({ historyLength: 1, includeArtifacts: true })).toEqual({
          ...canonicalTask(task),
          history: canonicalTask(task).history.slice(-1),
        });
      },
    );

    conformanceTest(
      harness,
      ['listHistoryLength'],
      'historyLength above the history size keeps it all',
      async () => {
        const { task, list } = await oneTask(4);
        expect(await list({ historyLength: 50 })).toEqual(withLastMessages(task, 4));
      },
    );

    conformanceTest(
      harness,
      ['listHistoryLength'],
      'a negative historyLength returns no history, as DefaultRequestHandler does',
      async () => {
        const { task, list } = await oneTask();
        expect(await list({ historyLength: -1 })).toEqual(withLastMessages(task, 0));
        expect(await list({ historyLength: -50 })).toEqual(withLastMessages(task, 0));
      },
    );

    conformanceTest(
      harness,
      [],
      "through the SDK's DefaultRequestHandler, get and list take any integer historyLength",
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        const task = makeTask({ historyLength: 4 });
        await taskStore.save(task, ctx);
        const handler = new DefaultRequestHandler(HANDLER_CARD, taskStore, IDLE_EXECUTOR);
        for (const [historyLength, kept] of [
          [-1, 0],
          [-7, 0],
          [0, 0],
          [2, 2],
          [undefined, 4],
        ] as const) {
          const got = await handler.getTask({ tenant: '', id: task.id, historyLength }, ctx);
          expect(got.history, `get ${historyLength}`).toHaveLength(kept);
          const page = await handler.listTasks(listRequest({ historyLength }), ctx);
          expect(
            page.tasks.map((t) => t.history.length),
            `list ${historyLength}`,
          ).toEqual([kept]);
        }
      },
    );

    conformanceTest(harness, [], 'pageSize defaults to 50', async () => {
      const { taskStore } = await env.open();
      const ctx = callContext(randomScope());
      await saveAll(
        taskStore,
        Array.from({ length: 53 }, (_, i) => makeTask({ timestamp: isoAt(i), historyLength: 0 })),
        ctx,
      );
      const page = await taskStore.list(listRequest(), ctx);
      expect(page.tasks).toHaveLength(50);
      expect(page.pageSize).toBe(50);
      expect(page.totalSize).toBe(53);
      expect(page.nextPageToken).not.toBe('');
    });

    conformanceTest(
      harness,
      [],
      'pageSize 100 returns 100 tasks and reports its size',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        await saveAll(
          taskStore,
          Array.from({ length: 104 }, (_, i) =>
            makeTask({ timestamp: isoAt(i), historyLength: 0 }),
          ),
          ctx,
        );
        const page = await taskStore.list(listRequest({ pageSize: 100 }), ctx);
        expect(page.tasks).toHaveLength(100);
        expect(page.pageSize).toBe(100);
        const small = await taskStore.list(listRequest({ pageSize: 1 }), ctx);
        expect(small.tasks).toHaveLength(1);
        expect(small.pageSize).toBe(1);
      },
    );

    conformanceTest(
      harness,
      ['validatedListParams'],
      'pageSize 0, 101, negative or non-integer throws RequestMalformedError',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        await taskStore.save(makeTask(), ctx);
        for (const pageSize of [0, 101, -1, 2.5, Number.NaN, 1e9]) {
          const error = await rejectionOf(taskStore.list(listRequest({ pageSize }), ctx));
          expect(error, `pageSize ${pageSize}`).toBeInstanceOf(RequestMalformedError);
        }
      },
    );

    conformanceTest(
      harness,
      ['validatedListParams'],
      'an invalid status filter, statusTimestampAfter or a fractional historyLength throws RequestMalformedError',
      async () => {
        const { taskStore } = await env.open();
        const ctx = callContext(randomScope());
        for (const request of [
          { status: 42 },
          { statusTimestampAfter: 'not a date' },
          // Negative ones are valid (no history, like the SDK handler); fractions are not.
          { historyLength: 1.5 },
        ]) {
          const error = await rejectionOf(taskStore.list(listRequest(request), ctx));
          expect(error, JSON.stringify(request)).toBeInstanceOf(RequestMalformedError);
        }
      },
    );
  });
}
