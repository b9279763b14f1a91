import type { StreamResponse, Task } from '@a2a-js/sdk';
import { TaskState } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { type ReceivedNotification, waitFor } from '@a2a-stores/test-backends';
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
import { CLUSTER_TIMING, useCluster, waitIdle } from './cluster-fixture.js';
import type { ClusterStoreKind } from './cluster-stores.js';

// Long enough to act in the middle of the run whatever the load: 100 × 150 ms.
const LONG_TASK = 'write a long report, steps: 100';
const STREAM_TIMEOUT_MS = 30_000;
const STEP = /^Step (\d+)\/\d+/;

/** The step numbers of the work updates in a task's stored history, in order. */
export function stepsOf(task: Task): number[] {
  return task.history.flatMap((message) => {
    const step = STEP.exec(textOf(message.parts))?.[1];
    return step ? [Number(step)] : [];
  });
}

/** The step a stream event announces, if it is a work update. */
function stepOf(event: StreamResponse): number | undefined {
  const payload = event.payload;
  if (payload?.$case !== 'statusUpdate') return undefined;
  const step = STEP.exec(textOf(payload.value.status?.message?.parts ?? []))?.[1];
  return step ? Number(step) : undefined;
}

/** Reads a stream to its end, calling `onEvent` on each event; bounded so a hang fails the test. */
async function drain(
  stream: AsyncGenerator<StreamResponse>,
  onEvent: (event: StreamResponse, index: number) => Promise<void> | void = () => {},
): Promise<StreamResponse[]> {
  const events: StreamResponse[] = [];
  const read = (async () => {
    for await (const event of stream) {
      events.push(event);
      await onEvent(event, events.length - 1);
    }
    return events;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`stream still open after ${STREAM_TIMEOUT_MS} ms: ${events.map(labelOf)}`),
        ),
      STREAM_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until the stored task shows a step done: its execution has started and holds its lease
 * (a subscription that arrives before the lease is visible gets the stored snapshot only).
 */
async function waitForStep(client: Client, tenant: string, id: string): Promise<void> {
  await waitFor(
    `task ${id} to store its first step`,
    async () => stepsOf(await getTask(client, tenant, id)).length > 0,
    15_000,
  );
}

function isFinal(received: readonly ReceivedNotification[]): boolean {
  return received.some((entry) =>
    /^status:(COMPLETED|CANCELED|FAILED)$/.test(entry.event ? labelOf(entry.event) : ''),
  );
}

/** Each notification body once: two equal bodies are the same event delivered twice. */
function expectNoDuplicates(received: readonly ReceivedNotification[], what: string): void {
  const bodies = received.map((entry) => entry.body);
  expect(new Set(bodies).size, `${what}: ${received.map((e) => e.event && labelOf(e.event))}`).toBe(
    bodies.length,
  );
}

function sortedLabels(received: readonly ReceivedNotification[]): string[] {
  return received.map((entry) => (entry.event ? labelOf(entry.event) : 'not-an-event')).sort();
}

/** Three agent processes on one fresh store of `kind`: cancel, subscribe, crash, scope, push. */
export function defineClusterE2e(kind: ClusterStoreKind): void {
  describe(`three agent workers as one cluster on ${kind.name}`, () => {
    const cluster = useCluster(kind, ['A', 'B', 'C']);

    it('stream on A, cancel on B: B answers CANCELED, A streams CANCELED, A takes no further step', async () => {
      const tenant = newTenant();
      const onA = await cluster.as('A', ALICE);
      const onB = await cluster.as('B', ALICE);
      let taskId = '';
      let canceled: Task | undefined;
      const events = await drain(
        onA.sendMessageStream(sendRequest(tenant, userMessage(LONG_TASK))),
        async (event, index) => {
          if (event.payload?.$case === 'task') taskId = event.payload.value.id;
          if (index === 2)
            canceled = await onB.cancelTask({ tenant, id: taskId, metadata: undefined });
        },
      );
      const labels = events.map(labelOf);
      expect(canceled?.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
      expect(labels.at(-1)).toBe('status:CANCELED');
      expect(labels).not.toContain('artifact:report');
      expect(labels.filter((label) => label === 'status:CANCELED')).toHaveLength(1);

      // The executor on A really stopped: nothing runs there, and a whole task run on A
      // afterwards (longer than a step) leaves the canceled task's history as it was.
      await waitIdle(cluster.worker('A'));
      const onC = await cluster.as('C', ALICE);
      const stored = await getTask(onC, tenant, taskId);
      expect(stored.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
      const reached = /^Canceled at step (\d+)\/100\.$/.exec(
        textOf(stored.history.at(-1)?.parts ?? []),
      );
      expect(reached, textOf(stored.history.at(-1)?.parts ?? [])).not.toBeNull();
      const steps = stepsOf(stored);
      expect(steps.at(-1)).toBe(Number(reached?.[1]));
      expect(steps.at(-1)).toBeLessThan(100);
      expect((await sendForTask(onA, tenant, userMessage('report, steps: 3'))).status?.state).toBe(
        TaskState.TASK_STATE_COMPLETED,
      );
      expect(stepsOf(await getTask(onC, tenant, taskId))).toEqual(steps);
    });

    it('subscribe on C while the task runs on A: every later event, in order, to the terminal one', async () => {
      const tenant = newTenant();
      const onA = await cluster.as('A', ALICE);
      const onC = await cluster.as('C', ALICE);
      const started = await onA.sendMessage(
        sendRequest(tenant, userMessage('report, steps: 12'), { returnImmediately: true }),
      );
      if (!('status' in started)) throw new Error('expected a task');
      await waitForStep(onC, tenant, started.id);
      const events = await drain(onC.resubscribeTask({ tenant, id: started.id }));
      const first = events[0]?.payload;
      expect(first?.$case).toBe('task');
      const snapshotSteps = first?.$case === 'task' ? stepsOf(first.value) : [];
      const streamed = events.flatMap((event) => {
        const step = stepOf(event);
        return step === undefined ? [] : [step];
      });
      // Joined mid-run: the snapshot has the steps done so far, the stream every later one,
      // each once and in order (a step may be in both when it landed while C subscribed).
      expect(streamed.length).toBeGreaterThan(0);
      expect(streamed).toEqual(
        Array.from({ length: streamed.length }, (_, i) => (streamed[0] as number) + i),
      );
      expect(streamed[0]).toBeLessThanOrEqual((snapshotSteps.at(-1) ?? 0) + 1);
      expect(streamed.at(-1)).toBe(12);
      expect(events.slice(-2).map(labelOf)).toEqual(['artifact:report', 'status:COMPLETED']);
      // Events are relayed as A publishes them; A's save of the last one may land just after.
      await waitFor(
        'the store to say COMPLETED',
        async () =>
          (await getTask(onC, tenant, started.id)).status?.state === TaskState.TASK_STATE_COMPLETED,
        10_000,
      );
    });

    it('SIGKILL the worker running a task: within lease + sweep it is FAILED and C\u2019s stream ends so', async () => {
      const tenant = newTenant();
      const victim = await cluster.startWorker('victim');
      const onVictim = await cluster.as('victim', ALICE);
      const onC = await cluster.as('C', ALICE);
      const started = await onVictim.sendMessage(
        sendRequest(tenant, userMessage(LONG_TASK), { returnImmediately: true }),
      );
      if (!('status' in started)) throw new Error('expected a task');
      await waitForStep(onC, tenant, started.id);
      let killedAt = 0;
      const events = await drain(onC.resubscribeTask({ tenant, id: started.id }), async (event) => {
        if (killedAt === 0 && stepOf(event) !== undefined) {
          await victim.stop('SIGKILL');
          killedAt = Date.now();
        }
      });
      const recoveredInMs = Date.now() - killedAt;
      console.info(`${kind.name}: task of a killed worker FAILED after ${recoveredInMs} ms`);
      expect(killedAt).toBeGreaterThan(0);
      expect(events.map(labelOf).at(-1)).toBe('status:FAILED');
      // Lease plus sweep, plus slack for a loaded machine: never the 100 steps (15 s) of work.
      expect(recoveredInMs).toBeLessThan(CLUSTER_TIMING.leaseMs + CLUSTER_TIMING.sweepMs + 8000);
      const stored = await getTask(onC, tenant, started.id);
      expect(stored.status?.state).toBe(TaskState.TASK_STATE_FAILED);
      expect(textOf(stored.status?.message?.parts ?? [])).toMatch(/stopped responding/);
    });

    it('bob can neither cancel nor subscribe to alice\u2019s running task through any worker', async () => {
      const tenant = newTenant();
      const onA = await cluster.as('A', ALICE);
      const started = await onA.sendMessage(
        sendRequest(tenant, userMessage(LONG_TASK), { returnImmediately: true }),
      );
      if (!('status' in started)) throw new Error('expected a task');
      for (const name of ['A', 'B', 'C']) {
        const bob = await cluster.as(name, BOB);
        await expect(
          bob.cancelTask({ tenant, id: started.id, metadata: undefined }),
          name,
        ).rejects.toMatchObject({ name: 'TaskNotFoundError' });
        await expect(
          drain(bob.resubscribeTask({ tenant, id: started.id })),
          name,
        ).rejects.toMatchObject({
          name: 'TaskNotFoundError',
        });
      }
      const onB = await cluster.as('B', ALICE);
      const stillRunning = await getTask(onB, tenant, started.id);
      expect([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING]).toContain(
        stillRunning.status?.state,
      );
      expect(
        (await onB.cancelTask({ tenant, id: started.id, metadata: undefined })).status?.state,
      ).toBe(TaskState.TASK_STATE_CANCELED);
    });

    it('webhooks get each event once per config, whichever workers the calls went through', async () => {
      const tenant = newTenant();
      const receiver = cluster.receiver();
      const onA = await cluster.as('A', ALICE);
      const onB = await cluster.as('B', ALICE);
      const onC = await cluster.as('C', ALICE);
      const hooks = {
        atSend: receiver.newHookUrl('at-send'),
        addedOnC: receiver.newHookUrl('added-on-c'),
        canceled: receiver.newHookUrl('canceled'),
        followUp: receiver.newHookUrl('follow-up'),
      };

      // 1. Sent on A with a webhook, a second webhook added on C while it runs, watched from B.
      const run = await onA.sendMessage(
        sendRequest(tenant, userMessage('report, steps: 6'), {
          returnImmediately: true,
          pushConfig: pushConfig(tenant, '', '', hooks.atSend, 'a', false),
        }),
      );
      if (!('status' in run)) throw new Error('expected a task');
      await onC.createTaskPushNotificationConfig(
        pushConfig(tenant, run.id, 'added-on-c', hooks.addedOnC, 'c', false),
      );
      await waitForStep(onB, tenant, run.id);
      await drain(onB.resubscribeTask({ tenant, id: run.id }));

      // 2. Sent on A with a webhook, canceled on B.
      const long = await onA.sendMessage(
        sendRequest(tenant, userMessage(LONG_TASK), {
          returnImmediately: true,
          pushConfig: pushConfig(tenant, '', '', hooks.canceled, 'x', false),
        }),
      );
      if (!('status' in long)) throw new Error('expected a task');
      await receiver.waitFor(hooks.canceled, (got) => got.length >= 2, 15_000);
      await onB.cancelTask({ tenant, id: long.id, metadata: undefined });

      // 3. Asks a question on A; the answer goes through C.
      const askRequest = sendRequest(tenant, userMessage('ask me, then write a report'), {
        pushConfig: pushConfig(tenant, '', '', hooks.followUp, 'f', false),
      });
      const asked = await onA.sendMessage(askRequest);
      if (!('status' in asked)) throw new Error('expected a task');
      expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      const done = await sendForTask(
        onC,
        tenant,
        userMessage('Grace', { taskId: asked.id, contextId: asked.contextId }),
      );
      expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);

      for (const url of Object.values(hooks)) await receiver.waitFor(url, isFinal);
      // Deliveries of one task go out one after another: a whole further task with a webhook,
      // through two workers, gives any late duplicate of the ones above time to arrive.
      const barrier = receiver.newHookUrl('barrier');
      await onB.sendMessage(
        sendRequest(tenant, userMessage('report, steps: 2'), {
          pushConfig: pushConfig(tenant, '', '', barrier, 'b', false),
        }),
      );
      await receiver.waitFor(barrier, isFinal);

      expect(sortedLabels(receiver.receivedAt(hooks.atSend))).toEqual(
        [
          'task:SUBMITTED',
          ...Array.from({ length: 6 }, () => 'status:WORKING'),
          'artifact:report',
          'status:COMPLETED',
        ].sort(),
      );
      for (const [what, received] of [
        ['at send', receiver.receivedAt(hooks.atSend)],
        ['added on C', receiver.receivedAt(hooks.addedOnC)],
        ['canceled on B', receiver.receivedAt(hooks.canceled)],
        ['answered on C', receiver.receivedAt(hooks.followUp)],
      ] as const) {
        expectNoDuplicates(received, what);
      }
      expect(receiver.receivedAt(hooks.addedOnC).length).toBeGreaterThan(0);
      expect(
        sortedLabels(receiver.receivedAt(hooks.canceled)).filter(
          (label) => label === 'status:CANCELED',
        ),
      ).toHaveLength(1);
      expect(sortedLabels(receiver.receivedAt(hooks.followUp))).toEqual(
        [
          'task:SUBMITTED',
          'status:WORKING',
          'status:INPUT_REQUIRED',
          'task:WORKING',
          'status:WORKING',
          'status:WORKING',
          'artifact:report',
          'status:COMPLETED',
        ].sort(),
      );
    });
  });

  describe(`a killed worker's task resumed by another worker on ${kind.name}`, () => {
    const cluster = useCluster(kind, ['survivor'], 'resume');

    it('A2A_AGENT_RECOVERY=resume: the task completes on a live worker, carrying on from its step', async () => {
      const tenant = newTenant();
      const victim = await cluster.startWorker('victim');
      const onVictim = await cluster.as('victim', ALICE);
      const onSurvivor = await cluster.as('survivor', ALICE);
      const started = await onVictim.sendMessage(
        sendRequest(tenant, userMessage('report, steps: 12'), { returnImmediately: true }),
      );
      if (!('status' in started)) throw new Error('expected a task');
      await waitForStep(onSurvivor, tenant, started.id);
      let killed = false;
      const events = await drain(
        onSurvivor.resubscribeTask({ tenant, id: started.id }),
        async (event) => {
          const step = stepOf(event);
          if (!killed && step !== undefined && step >= 3) {
            killed = true;
            await victim.stop('SIGKILL');
          }
        },
      );
      expect(killed).toBe(true);
      // The dead execution's subscribers are ended by the recovering worker (no FAILED: the
      // task goes on); a new subscription follows the resumed run, here on the survivor, to
      // its end.
      expect(events.map(labelOf)).not.toContain('status:FAILED');
      // Until the recovering worker has started the run again, a subscription yields the
      // stored snapshot only; then it follows the run (or the run is over: the snapshot says so).
      let resumed: string[] = [];
      await waitFor(
        'a subscription that ends COMPLETED',
        async () => {
          resumed = (await drain(onSurvivor.resubscribeTask({ tenant, id: started.id }))).map(
            labelOf,
          );
          return ['status:COMPLETED', 'task:COMPLETED'].includes(resumed.at(-1) ?? '');
        },
        15_000,
      );
      await waitFor(
        'the store to say COMPLETED',
        async () =>
          (await getTask(onSurvivor, tenant, started.id)).status?.state ===
          TaskState.TASK_STATE_COMPLETED,
        10_000,
      );
      const stored = await getTask(onSurvivor, tenant, started.id);
      expect(textOf(stored.artifacts[0]?.parts ?? [])).toContain('12 step(s)');
      // Every step ran; the ones done before the crash were not started over (a step whose
      // update was published but not yet saved may run twice, never the whole plan).
      const steps = stepsOf(stored);
      expect(new Set(steps)).toEqual(new Set(Array.from({ length: 12 }, (_, i) => i + 1)));
      expect(steps.length).toBeLessThanOrEqual(13);
      expect(stored.history.map((message) => textOf(message.parts))).toContainEqual(
        expect.stringMatching(/^Resume: the worker running this task stopped/),
      );
    });
  });
}
