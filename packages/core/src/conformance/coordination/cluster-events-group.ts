import { type StreamResponse, type Task, TaskState } from '@a2a-js/sdk';
import { TaskNotFoundError } from '@a2a-js/sdk/errors';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { callContext, randomId, randomScope } from '../helpers/identity.js';
import {
  type ClusterFixture,
  consume,
  sendRequest,
  signature,
  startClusterFixture,
  startTask,
  stateOf,
  userMessage,
} from './cluster-fixture.js';
import type { ClusterHarness } from './harness.js';
import { ASK } from './scripted-executor.js';
import { waitFor } from './wait.js';

/** Closes the fixtures a test opened. */
export function useFixtures(harness: ClusterHarness, destroy: boolean) {
  const open: ClusterFixture[] = [];
  afterEach(async () => {
    for (const fixture of open.splice(0)) await fixture.close();
  });
  if (destroy) afterAll(async () => harness.destroy?.());
  return async (options?: Parameters<typeof startClusterFixture>[1]) => {
    const fixture = await startClusterFixture(harness, options);
    open.push(fixture);
    return fixture;
  };
}

const cancelRequest = (id: string) => ({ tenant: '', id, metadata: {} });

/** Cancel, subscribe, scope and push across workers, with the SDK's own request handler. */
export function runClusterEventsGroup(harness: ClusterHarness, destroy = true): void {
  describe(`cluster: cancel, subscribe, scope, push (${harness.name})`, () => {
    const fixture = useFixtures(harness, destroy);

    it('cancel on B reaches the executor on A: A stops, its stream ends CANCELED, B answers CANCELED', async () => {
      const { workers, timing } = await fixture();
      const [a, b] = [workers[0]!, workers[1]!];
      const ctx = callContext(randomScope());
      const wait = (c: () => boolean | Promise<boolean>, what: string) =>
        waitFor(c, what, timing.waitMs);
      const { taskId, stream } = await startTask(a, ctx, wait);
      const run = a.executor.runOf(taskId)!;
      run.advance();
      await wait(() => stream.events.length >= 2, 'step 1 on the stream');
      const answer = await b.handler.cancelTask(cancelRequest(taskId), ctx);
      expect(answer.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
      const ended = await stream.done;
      expect(ended.error).toBeUndefined();
      expect(stateOf(stream.events.at(-1))).toBe(TaskState.TASK_STATE_CANCELED);
      expect(run.canceled).toBe(true);
      run.advance();
      expect(run.stepsTaken).toBe(1);
      expect(run.completed).toBe(false);
      const stored = await b.handler.getTask({ tenant: '', id: taskId }, ctx);
      expect(stored.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
      expect(b.cluster.stats().cancelsRouted).toBe(1);
      expect(a.cluster.stats().cancelsServed).toBe(1);
      await wait(
        async () => (await b.cluster.describeLease(taskId, ctx)) === undefined,
        'the lease to be released',
      );
    });

    it('a subscriber on C receives every later event in order and its stream ends with the task', async () => {
      const { workers, timing } = await fixture();
      const [a, c] = [workers[0]!, workers[2]!];
      const ctx = callContext(randomScope());
      const wait = (cond: () => boolean | Promise<boolean>, what: string) =>
        waitFor(cond, what, timing.waitMs);
      const { taskId, stream } = await startTask(a, ctx, wait);
      const sub = consume(c.handler.resubscribe({ tenant: '', id: taskId }, ctx));
      await wait(() => sub.events.length >= 1, 'the snapshot on C');
      const run = a.executor.runOf(taskId)!;
      for (let step = 0; step < 4; step += 1) run.advance();
      const [onA, onC] = [await stream.done, await sub.done];
      expect(onA.error).toBeUndefined();
      expect(onC.error).toBeUndefined();
      expect(run.completed).toBe(true);
      const fromA = stream.events.slice(1).map(signature);
      // At the join, the execution's first `task` event may still be on its way when C's
      // subscription is already active: C then gets it after the snapshot that holds it too
      // (documented in the README's ordering guarantees). Only that one, only there.
      const afterSnapshot = sub.events.slice(1).map(signature);
      const fromC = afterSnapshot[0]?.startsWith('task:') ? afterSnapshot.slice(1) : afterSnapshot;
      expect(fromC).toEqual(fromA);
      expect(fromC).toEqual([
        `status:${TaskState.TASK_STATE_WORKING}:step 1`,
        `status:${TaskState.TASK_STATE_WORKING}:step 2`,
        `status:${TaskState.TASK_STATE_WORKING}:step 3`,
        `status:${TaskState.TASK_STATE_COMPLETED}:done`,
      ]);
      expect(c.cluster.stats().eventsDelivered).toBeGreaterThanOrEqual(4);
      await wait(() => c.cluster.stats().remoteProxies === 0, 'the proxy on C to go');
    });

    it('a subscriber of a task nobody runs gets the snapshot and its stream ends', async () => {
      const { workers, timing } = await fixture({ recovery: () => 'leave' });
      const [a, c] = [workers[0]!, workers[2]!];
      const ctx = callContext(randomScope());
      const wait = (cond: () => boolean | Promise<boolean>, what: string) =>
        waitFor(cond, what, timing.waitMs);
      const { taskId, stream } = await startTask(a, ctx, wait);
      a.executor.runOf(taskId)!.advance();
      await wait(() => stream.events.length >= 2, 'step 1');
      // A dies quietly; with 'leave' its task stays WORKING and nobody runs it.
      await a.cluster.close();
      await wait(
        async () => (await c.cluster.describeLease(taskId, ctx)) === undefined,
        'the lease to go',
      );
      const sub = consume(c.handler.resubscribe({ tenant: '', id: taskId }, ctx));
      const ended = await sub.done;
      expect(ended.error).toBeUndefined();
      expect(sub.events.map(signature)).toEqual([`task:${TaskState.TASK_STATE_WORKING}`]);
    });

    it('a subscriber on C joining right after a send that returned at once follows the task to its end', async () => {
      const { workers, timing } = await fixture();
      const [a, c] = [workers[0]!, workers[2]!];
      const ctx = callContext(randomScope());
      const wait = (cond: () => boolean | Promise<boolean>, what: string) =>
        waitFor(cond, what, timing.waitMs);
      // Subscribing before A's lease is visible (slow acquire) must not end at the snapshot.
      const sent = await a.handler.sendMessage(sendRequest(userMessage('go'), true), ctx);
      const taskId = (sent as { id: string }).id;
      const sub = consume(c.handler.resubscribe({ tenant: '', id: taskId }, ctx));
      await wait(
        () => sub.events.length >= 1 && a.executor.runOf(taskId) !== undefined,
        'the snapshot',
      );
      const run = a.executor.runOf(taskId)!;
      for (let step = 0; step < 4; step += 1) run.advance();
      expect((await sub.done).error).toBeUndefined();
      expect(stateOf(sub.events.at(-1))).toBe(TaskState.TASK_STATE_COMPLETED);
    });

    it('a follow-up through B right after the task asked for input on A runs on B', async () => {
      const { workers, timing } = await fixture();
      const [a, b] = [workers[0]!, workers[1]!];
      const ctx = callContext(randomScope());
      const wait = (cond: () => boolean | Promise<boolean>, what: string) =>
        waitFor(cond, what, timing.waitMs);
      // A's executor has not returned yet when the SDK answers INPUT_REQUIRED.
      const asked = (await a.handler.sendMessage(sendRequest(userMessage(ASK)), ctx)) as Task;
      expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      const askRun = a.executor.runOf(asked.id)!;
      const answer = consume(
        b.handler.sendMessageStream(
          sendRequest(userMessage('Grace', asked.id, asked.contextId)),
          ctx,
        ),
      );
      await wait(() => b.executor.runOf(asked.id) !== undefined || answer.finished, 'the run on B');
      // Refused (TaskBusyError), it would have ended without a run on B.
      expect(b.executor.runOf(asked.id)).toBeDefined();
      const answerRun = b.executor.runOf(asked.id)!;
      for (let step = 0; step < 4; step += 1) answerRun.advance();
      expect((await answer.done).error).toBeUndefined();
      expect(stateOf(answer.events.at(-1))).toBe(TaskState.TASK_STATE_COMPLETED);
      askRun.advance();
      await wait(
        async () => (await a.cluster.describeLease(asked.id, ctx)) === undefined,
        'no lease left',
      );
      const stored = await a.handler.getTask({ tenant: '', id: asked.id }, ctx);
      expect(stored.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    });

    it("bob can neither cancel nor subscribe to alice's task through any worker", async () => {
      const { workers, timing } = await fixture();
      const a = workers[0]!;
      const tenant = randomId('tenant');
      const alice = callContext({ tenant, owner: randomId('alice') });
      const bob = callContext({ tenant, owner: randomId('bob') });
      const wait = (cond: () => boolean | Promise<boolean>, what: string) =>
        waitFor(cond, what, timing.waitMs);
      const { taskId, stream } = await startTask(a, alice, wait);
      for (const worker of workers) {
        await expect(worker.handler.cancelTask(cancelRequest(taskId), bob)).rejects.toBeInstanceOf(
          TaskNotFoundError,
        );
        const sub = consume(worker.handler.resubscribe({ tenant: '', id: taskId }, bob));
        const ended = await sub.done;
        expect(ended.error).toBeInstanceOf(TaskNotFoundError);
        expect(sub.events).toEqual([]);
        await expect(worker.cluster.describeLease(taskId, bob)).resolves.toBeUndefined();
      }
      const run = a.executor.runOf(taskId)!;
      expect(run.canceled).toBe(false);
      for (let step = 0; step < 4; step += 1) run.advance();
      await stream.done;
      expect(stateOf(stream.events.at(-1))).toBe(TaskState.TASK_STATE_COMPLETED);
    });

    it('each event is pushed once, by the worker running the task, across stream, subscriber and cancel', async () => {
      const { workers, timing } = await fixture();
      const [a, b, c] = [workers[0]!, workers[1]!, workers[2]!];
      const ctx = callContext(randomScope());
      const wait = (cond: () => boolean | Promise<boolean>, what: string) =>
        waitFor(cond, what, timing.waitMs);
      const { taskId, stream } = await startTask(a, ctx, wait);
      const sub = consume(c.handler.resubscribe({ tenant: '', id: taskId }, ctx));
      await wait(() => sub.events.length >= 1, 'the snapshot on C');
      const run = a.executor.runOf(taskId)!;
      run.advance();
      run.advance();
      await wait(() => stream.events.length >= 3, 'two steps');
      await b.handler.cancelTask(cancelRequest(taskId), ctx);
      await stream.done;
      await sub.done;
      expect(b.pushes).toEqual([]);
      expect(c.pushes).toEqual([]);
      const keys = a.pushes.map((push) => pushKey(push.response));
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.filter((key) => key.startsWith('status:')).length).toBe(3);
      expect(stateOf(a.pushes.at(-1)?.response)).toBe(TaskState.TASK_STATE_CANCELED);
      // The cancel path's consumer saw the CANCELED event too, and was not allowed to re-send it.
      expect(a.cluster.stats().pushesSuppressed).toBeGreaterThanOrEqual(1);
    });
  });
}

const identities = new WeakMap<object, number>();
let nextIdentity = 0;

/** Status and artifact events by identity (one object per event), snapshots by state and time. */
function pushKey(response: StreamResponse): string {
  const payload = response.payload;
  if (payload?.$case === 'task') {
    return `task:${payload.value.id}:${payload.value.status?.state}:${payload.value.status?.timestamp}`;
  }
  const value = payload?.value as object;
  let id = identities.get(value);
  if (id === undefined) {
    nextIdentity += 1;
    id = nextIdentity;
    identities.set(value, id);
  }
  return `${payload?.$case === 'statusUpdate' ? 'status' : String(payload?.$case)}:${id}`;
}
