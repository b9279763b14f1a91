import { type StreamResponse, type Task, TaskState } from '@a2a-js/sdk';
import { waitFor } from '@a2a-stores/test-backends';
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  getTask,
  labelOf,
  newTenant,
  pushConfig,
  sendForTask,
  sendRequest,
  textOf,
  userMessage,
} from './a2a-client.js';
import { type E2eStore, useAgentFixture } from './agent-fixture.js';
import { definePushNotificationE2e } from './push-e2e.js';

export type { E2eStore } from './agent-fixture.js';

// The cancel test asks for many steps so its task is surely still running when the cancel
// arrives.
const LONG_TASK = 'write a long report, steps: 100';

/**
 * The end-to-end suite: the real agent as a child process on `store`, driven over HTTP by the
 * SDK's client. Every test works in its own tenant, so a shared database needs no cleanup.
 * Every push config points at the suite's local webhook receiver.
 */
export function defineAgentE2e(store: E2eStore): void {
  describe(`durable agent end to end on ${store.name}`, () => {
    const fixture = useAgentFixture(store);
    const { running, restart, as } = fixture;
    const hook = (label: string) => fixture.receiver().newHookUrl(label);

    it('serves its agent card: JSON-RPC and REST, streaming and push notifications', async () => {
      const response = await fetch(`${running().baseUrl}/.well-known/agent-card.json`, {
        headers: { 'A2A-Version': '1.0' },
      });
      expect(response.status).toBe(200);
      const card = (await response.json()) as Record<string, unknown>;
      expect(card.capabilities).toMatchObject({ streaming: true, pushNotifications: true });
      const interfaces = card.supportedInterfaces as {
        url: string;
        protocolBinding: string;
        protocolVersion: string;
      }[];
      // Protocol 1.0 first (what the SDK's client picks), then the same endpoints for v0.3.
      expect(interfaces.map((i) => `${i.protocolBinding} ${i.protocolVersion}`)).toEqual([
        'JSONRPC 1.0',
        'HTTP+JSON 1.0',
        'JSONRPC 0.3',
        'HTTP+JSON 0.3',
      ]);
      expect(interfaces[0]?.url).toBe(`${running().baseUrl}/a2a/jsonrpc`);
    });

    it('send (blocking) runs a task to completed, with its history and report artifact', async () => {
      const tenant = newTenant();
      const alice = await as(ALICE);
      const task = await sendForTask(alice, tenant, userMessage('write a report'));
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(task.artifacts.map((a) => a.artifactId)).toEqual(['report']);
      expect(textOf(task.artifacts[0]?.parts ?? [])).toContain('Report for you: 3 step(s)');

      const stored = await getTask(alice, tenant, task.id);
      expect(stored.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(stored.history.map((m) => textOf(m.parts))).toEqual([
        'write a report',
        'Step 1/3: gathering notes',
        'Step 2/3: drafting',
        'Step 3/3: checking facts',
        'Report ready.',
      ]);
      expect(stored.artifacts).toEqual(task.artifacts);
    });

    it('stream delivers the task, each working step, the artifact and completed, in order', async () => {
      const tenant = newTenant();
      const alice = await as(ALICE);
      const events: StreamResponse[] = [];
      for await (const event of alice.sendMessageStream(
        sendRequest(tenant, userMessage('report, steps: 2')),
      )) {
        events.push(event);
      }
      expect(events.map(labelOf)).toEqual([
        'task:SUBMITTED',
        'status:WORKING',
        'status:WORKING',
        'artifact:report',
        'status:COMPLETED',
      ]);
      const first = events[0]?.payload;
      const taskId = first?.$case === 'task' ? first.value.id : '';
      const stored = await getTask(alice, tenant, taskId);
      expect(stored.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(textOf(stored.artifacts[0]?.parts ?? [])).toContain('2 step(s)');
    });

    it('the REST transport works against the same stores', async () => {
      const tenant = newTenant();
      const viaRest = await as(ALICE, 'HTTP+JSON');
      expect(viaRest.transport.protocolName).toBe('HTTP+JSON');
      const task = await sendForTask(viaRest, tenant, userMessage('report, steps: 1'));
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const viaJsonRpc = await as(ALICE);
      expect((await getTask(viaJsonRpc, tenant, task.id)).status?.state).toBe(
        TaskState.TASK_STATE_COMPLETED,
      );
    });

    it('cancel stops a running task at once, and nothing moves it out of canceled later', async () => {
      const tenant = newTenant();
      const alice = await as(ALICE);
      const labels: string[] = [];
      let taskId = '';
      let canceled: Task | undefined;
      for await (const event of alice.sendMessageStream(
        sendRequest(tenant, userMessage(LONG_TASK)),
      )) {
        labels.push(labelOf(event));
        if (event.payload?.$case === 'task') taskId = event.payload.value.id;
        // Cancel once the work has started; the stream must then end with canceled.
        if (labels.length === 2)
          canceled = await alice.cancelTask({ tenant, id: taskId, metadata: undefined });
      }
      expect(canceled?.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
      expect(labels.at(-1)).toBe('status:CANCELED');
      expect(labels).not.toContain('artifact:report');
      expect(labels.length).toBeLessThan(10);

      // The executor is really stopped, not merely ignored: nothing runs any more.
      const health = async () =>
        ((await (await fetch(`${running().baseUrl}/healthz`)).json()) as { runningTasks: number })
          .runningTasks;
      await waitFor('no running executions', async () => (await health()) === 0, 10_000);
      // A full task run afterwards proves the agent still works, and gives any straggling write
      // of the canceled task more than its remaining time to land.
      expect(
        (await sendForTask(alice, tenant, userMessage('report, steps: 3'))).status?.state,
      ).toBe(TaskState.TASK_STATE_COMPLETED);

      const stored = await getTask(alice, tenant, taskId);
      expect(stored.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
      expect(stored.artifacts).toEqual([]);
      expect(textOf(stored.history.at(-1)?.parts ?? [])).toMatch(/^Canceled at step \d+\/100\.$/);
      // Canceling again answers the canceled task; a completed one cannot be canceled.
      const again = await alice.cancelTask({ tenant, id: taskId, metadata: undefined });
      expect(again.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
      const done = await sendForTask(alice, tenant, userMessage('report, steps: 1'));
      await expect(
        alice.cancelTask({ tenant, id: done.id, metadata: undefined }),
      ).rejects.toMatchObject({
        name: 'TaskNotCancelableError',
      });
    });

    it('input-required: "ask me" asks a question, and a follow-up on the task completes it', async () => {
      const tenant = newTenant();
      const alice = await as(ALICE);
      const asked = await sendForTask(alice, tenant, userMessage('ask me, then write a report'));
      expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      expect(textOf(asked.status?.message?.parts ?? [])).toContain('Who is this report for?');

      const follow = userMessage('Ada Lovelace', { taskId: asked.id, contextId: asked.contextId });
      const done = await sendForTask(alice, tenant, follow);
      expect(done.id).toBe(asked.id);
      expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(textOf(done.artifacts[0]?.parts ?? [])).toContain('Report for Ada Lovelace');
      const history = (await getTask(alice, tenant, asked.id)).history.map((m) => textOf(m.parts));
      expect(history[0]).toBe('ask me, then write a report');
      expect(history).toContain('Who is this report for? Reply on this task with a name.');
      expect(history).toContain('Ada Lovelace');
      expect(history.at(-1)).toBe('Report ready.');
    });

    it('list filters by context, status and time, and pages through every task exactly once', async () => {
      const tenant = newTenant();
      const alice = await as(ALICE);
      const first = await sendForTask(alice, tenant, userMessage('report, steps: 1'));
      const contextId = first.contextId;
      const sameContext = await sendForTask(
        alice,
        tenant,
        userMessage('report, steps: 1', { contextId }),
      );
      const midpoint = sameContext.status?.timestamp as string;
      const later = await sendForTask(alice, tenant, userMessage('report, steps: 1'));
      const waiting = await sendForTask(alice, tenant, userMessage('ask me', { contextId }));
      const last = await sendForTask(alice, tenant, userMessage('report, steps: 1'));
      const all = [first, sameContext, later, waiting, last];

      const base = {
        tenant,
        contextId: '',
        status: TaskState.TASK_STATE_UNSPECIFIED,
        pageToken: '',
      };
      const seen: Task[] = [];
      let pageToken = '';
      let pages = 0;
      do {
        const page = await alice.listTasks({
          ...base,
          pageToken,
          pageSize: 2,
          statusTimestampAfter: undefined,
        });
        expect(page.totalSize).toBe(5);
        seen.push(...page.tasks);
        pageToken = page.nextPageToken;
        pages += 1;
      } while (pageToken !== '' && pages < 10);
      expect(pages).toBe(3);
      expect(seen.map((t) => t.id).sort()).toEqual(all.map((t) => t.id).sort());
      // Newest status first.
      const stamps = seen.map((t) => Date.parse(t.status?.timestamp ?? ''));
      expect([...stamps].sort((a, b) => b - a)).toEqual(stamps);

      const inContext = await alice.listTasks({
        ...base,
        contextId,
        statusTimestampAfter: undefined,
      });
      expect(inContext.tasks.map((t) => t.id).sort()).toEqual(
        [first.id, sameContext.id, waiting.id].sort(),
      );
      const asking = await alice.listTasks({
        ...base,
        status: TaskState.TASK_STATE_INPUT_REQUIRED,
        statusTimestampAfter: undefined,
      });
      expect(asking.tasks.map((t) => t.id)).toEqual([waiting.id]);
      const recent = await alice.listTasks({ ...base, statusTimestampAfter: midpoint });
      expect(recent.tasks.map((t) => t.id).sort()).toEqual([later.id, waiting.id, last.id].sort());

      const lean = await alice.listTasks({
        ...base,
        statusTimestampAfter: undefined,
        historyLength: 1,
      });
      expect(lean.tasks.every((t) => t.history.length <= 1 && t.artifacts.length === 0)).toBe(true);
      const full = await alice.listTasks({
        ...base,
        statusTimestampAfter: undefined,
        includeArtifacts: true,
      });
      expect(full.tasks.find((t) => t.id === last.id)?.artifacts.map((a) => a.artifactId)).toEqual([
        'report',
      ]);
    });

    it('push notification configs: create (id assigned), get, list and delete', async () => {
      const tenant = newTenant();
      const alice = await as(ALICE);
      const task = await sendForTask(alice, tenant, userMessage('report, steps: 1'));
      const firstUrl = hook('one');
      const created = await alice.createTaskPushNotificationConfig(
        pushConfig(tenant, task.id, '', firstUrl, 'one'),
      );
      expect(created.id).not.toBe('');
      expect(created.url).toBe(firstUrl);
      await alice.createTaskPushNotificationConfig(
        pushConfig(tenant, task.id, 'second', hook('two'), 'two'),
      );

      const got = await alice.getTaskPushNotificationConfig({
        tenant,
        taskId: task.id,
        id: created.id,
      });
      expect(got).toMatchObject({ id: created.id, url: created.url, token: 'one' });
      expect(got.authentication).toEqual({ scheme: 'Bearer', credentials: 'cred-one' });
      const listed = await alice.listTaskPushNotificationConfig({
        tenant,
        taskId: task.id,
        pageSize: 0,
        pageToken: '',
      });
      expect(listed.configs.map((c) => c.id).sort()).toEqual([created.id, 'second'].sort());

      await alice.deleteTaskPushNotificationConfig({ tenant, taskId: task.id, id: 'second' });
      const after = await alice.listTaskPushNotificationConfig({
        tenant,
        taskId: task.id,
        pageSize: 0,
        pageToken: '',
      });
      expect(after.configs.map((c) => c.id)).toEqual([created.id]);
    });

    it("two authenticated users never see each other's tasks; anonymous callers see neither", async () => {
      const tenant = newTenant();
      const alice = await as(ALICE);
      const bob = await as(BOB);
      const anonymous = await as(undefined);
      const alices = await sendForTask(alice, tenant, userMessage('report, steps: 1'));
      await alice.createTaskPushNotificationConfig(
        pushConfig(tenant, alices.id, 'alice-hook', hook('a'), 'a'),
      );
      const bobs = await sendForTask(bob, tenant, userMessage('report, steps: 1'));
      const anons = await sendForTask(anonymous, tenant, userMessage('report, steps: 1'));
      const notFound = { name: 'TaskNotFoundError' };
      const list = {
        tenant,
        contextId: '',
        status: TaskState.TASK_STATE_UNSPECIFIED,
        pageToken: '',
        statusTimestampAfter: undefined,
      };

      for (const [reader, foreign] of [
        [bob, alices],
        [anonymous, alices],
        [alice, bobs],
        [alice, anons],
      ] as const) {
        await expect(getTask(reader, tenant, foreign.id)).rejects.toMatchObject(notFound);
        await expect(
          reader.cancelTask({ tenant, id: foreign.id, metadata: undefined }),
        ).rejects.toMatchObject(notFound);
        await expect(
          reader.createTaskPushNotificationConfig(
            pushConfig(tenant, foreign.id, 'intruder', hook('x'), 'x'),
          ),
        ).rejects.toMatchObject(notFound);
        await expect(
          reader.getTaskPushNotificationConfig({ tenant, taskId: foreign.id, id: 'alice-hook' }),
        ).rejects.toMatchObject(notFound);
        await expect(
          sendForTask(
            reader,
            tenant,
            userMessage('hijack', { taskId: foreign.id, contextId: foreign.contextId }),
          ),
        ).rejects.toMatchObject(notFound);
      }
      expect((await alice.listTasks(list)).tasks.map((t) => t.id)).toEqual([alices.id]);
      expect((await bob.listTasks(list)).tasks.map((t) => t.id)).toEqual([bobs.id]);
      expect((await anonymous.listTasks(list)).tasks.map((t) => t.id)).toEqual([anons.id]);
      // Nothing the intruders tried changed alice's task or her push configs.
      const alicesNow = await getTask(alice, tenant, alices.id);
      expect(alicesNow.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(alicesNow.history.map((m) => textOf(m.parts))).not.toContain('hijack');
      const hooks = await alice.listTaskPushNotificationConfig({
        tenant,
        taskId: alices.id,
        pageSize: 0,
        pageToken: '',
      });
      expect(hooks.configs.map((c) => c.id)).toEqual(['alice-hook']);
    });

    it('refuses a wrong bearer credential with 401 instead of treating it as anonymous', async () => {
      const response = await fetch(`${running().baseUrl}/a2a/rest/tasks`, {
        headers: { Authorization: 'Bearer alice:wrong-secret', 'A2A-Version': '1.0' },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
    });

    it('after SIGKILL and a restart on the same store, tasks, history, artifacts and push configs are all there', async () => {
      const tenant = newTenant();
      let alice = await as(ALICE);
      const completed = await sendForTask(alice, tenant, userMessage('report, steps: 2'));
      await alice.createTaskPushNotificationConfig(
        pushConfig(tenant, completed.id, 'hook-1', hook('one'), 'one'),
      );
      await alice.createTaskPushNotificationConfig(
        pushConfig(tenant, completed.id, 'hook-2', hook('two'), 'two'),
      );
      const asking = await sendForTask(alice, tenant, userMessage('ask me first'));
      const toCancel = await sendForTask(alice, tenant, userMessage('ask me, I may cancel'));
      await alice.cancelTask({ tenant, id: toCancel.id, metadata: undefined });
      // A task still working when the process dies.
      let orphanId = '';
      for await (const event of alice.sendMessageStream(
        sendRequest(tenant, userMessage(LONG_TASK)),
      )) {
        if (event.payload?.$case === 'task') orphanId = event.payload.value.id;
        if (event.payload?.$case === 'statusUpdate') break;
      }
      const ids = [completed.id, asking.id, toCancel.id, orphanId];
      const before = await Promise.all(ids.map((id) => getTask(alice, tenant, id)));
      const hooksBefore = await alice.listTaskPushNotificationConfig({
        tenant,
        taskId: completed.id,
        pageSize: 0,
        pageToken: '',
      });

      const stopped = await restart('SIGKILL');
      expect(stopped.signal).toBe('SIGKILL');
      alice = await as(ALICE);

      const after = await Promise.all(ids.map((id) => getTask(alice, tenant, id)));
      // The orphan may have saved a few more steps before the kill; the others are unchanged.
      // (The restarted agent may already have recovered the orphan: see below.)
      expect(after.slice(0, 3)).toEqual(before.slice(0, 3));
      expect([TaskState.TASK_STATE_WORKING, TaskState.TASK_STATE_FAILED]).toContain(
        after[3]?.status?.state,
      );
      expect(after[3]?.history.length).toBeGreaterThanOrEqual(before[3]?.history.length ?? 0);
      expect(after[0]?.artifacts.map((a) => a.artifactId)).toEqual(['report']);
      expect(after[0]?.history).toHaveLength(4);
      const hooksAfter = await alice.listTaskPushNotificationConfig({
        tenant,
        taskId: completed.id,
        pageSize: 0,
        pageToken: '',
      });
      expect(sortById(hooksAfter.configs)).toEqual(sortById(hooksBefore.configs));
      const listed = await alice.listTasks({
        tenant,
        contextId: '',
        status: TaskState.TASK_STATE_UNSPECIFIED,
        pageToken: '',
        statusTimestampAfter: undefined,
      });
      expect(listed.totalSize).toBe(4);
      expect(listed.tasks.map((t) => t.id).sort()).toEqual([...ids].sort());
      // The new process can still answer the old question.
      const answered = await sendForTask(
        alice,
        tenant,
        userMessage('Grace', { taskId: asking.id, contextId: asking.contextId }),
      );
      expect(answered.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(textOf(answered.artifacts[0]?.parts ?? [])).toContain('Report for Grace');
      // The orphan's lease expires, and the restarted agent fails it (the default recovery).
      await waitFor(
        'the orphan to be recovered as FAILED',
        async () =>
          (await getTask(alice, tenant, orphanId)).status?.state === TaskState.TASK_STATE_FAILED,
        20_000,
      );
      const recovered = await getTask(alice, tenant, orphanId);
      expect(textOf(recovered.status?.message?.parts ?? [])).toMatch(/stopped responding/);
      const bob = await as(BOB);
      await expect(getTask(bob, tenant, completed.id)).rejects.toMatchObject({
        name: 'TaskNotFoundError',
      });
    });

    definePushNotificationE2e(fixture);

    it('SIGTERM shuts down cleanly (exit 0, store closed) and the next start sees the same tasks', async () => {
      const tenant = newTenant();
      let alice = await as(ALICE);
      const task = await sendForTask(alice, tenant, userMessage('report, steps: 1'));
      const before = await getTask(alice, tenant, task.id);
      const stopped = await restart('SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.output).toContain('stopped');
      alice = await as(ALICE);
      expect(await getTask(alice, tenant, task.id)).toEqual(before);
    });
  });
}

function sortById<T extends { id: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
