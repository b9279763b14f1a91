import { randomUUID } from 'node:crypto';
import { TaskState } from '@a2a-js/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ClusterFixture,
  callContext,
  consume,
  type FixtureOptions,
  randomScope,
  sendRequest,
  startClusterFixture,
  startTask,
  stateOf,
  userMessage,
  waitFor,
} from '../src/conformance/index.js';
import {
  CoordinationUnavailableError,
  createCluster,
  createMemoryCoordination,
  createMemoryStores,
  defaultScopeResolver,
  leaseKey,
  type MemoryCoordinationBackend,
  TaskBusyError,
  taskChannel,
} from '../src/index.js';

const open: ClusterFixture[] = [];
afterEach(async () => {
  for (const fixture of open.splice(0)) await fixture.close();
});

async function fixture(options: FixtureOptions = {}, now?: () => number) {
  const hub = createMemoryCoordination(now ? { now } : {});
  const started = await startClusterFixture(
    { name: 'memory', create: () => hub.connect() },
    options,
  );
  open.push(started);
  const wait = (condition: () => boolean | Promise<boolean>, what: string) =>
    waitFor(condition, what, started.timing.waitMs);
  const memory = (index: number) => started.workers[index]!.backend as MemoryCoordinationBackend;
  return { ...started, wait, memory };
}

function recordingLogger() {
  const warnings: string[] = [];
  return { warnings, logger: { warn: (message: string) => warnings.push(message) } };
}

describe('cluster engine', () => {
  it('refuses a follow-up sent through B to a task running on A with TaskBusyError', async () => {
    const { workers, wait } = await fixture();
    const [a, b] = [workers[0]!, workers[1]!];
    const ctx = callContext(randomScope());
    const { taskId, stream } = await startTask(a, ctx, wait);
    const followUp = sendRequest(userMessage('more', taskId));
    const refused = await b.handler.sendMessage(followUp, ctx).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TaskBusyError);
    expect((refused as TaskBusyError).code).toBe('TASK_BUSY');
    expect((refused as Error).name).toBe('UnsupportedOperationError');
    expect(b.executor.runs).toEqual([]);
    for (let step = 0; step < 4; step += 1) a.executor.runOf(taskId)!.advance();
    await stream.done;
  });

  it('keeps local calls working while the engine is unreachable, fails cross-worker calls fast, and recovers', async () => {
    const { warnings, logger } = recordingLogger();
    const { workers, wait, memory } = await fixture({ logger });
    const [a, b] = [workers[0]!, workers[1]!];
    const ctx = callContext(randomScope());
    const { taskId, stream } = await startTask(a, ctx, wait);
    memory(1).setReachable(false);

    await expect(
      b.handler.cancelTask({ tenant: '', id: taskId, metadata: {} }, ctx),
    ).rejects.toBeInstanceOf(CoordinationUnavailableError);
    const sub = consume(b.handler.resubscribe({ tenant: '', id: taskId }, ctx));
    expect((await sub.done).error).toBeInstanceOf(CoordinationUnavailableError);

    // A task started on B runs locally, without a lease: warned once.
    const local = consume(b.handler.sendMessageStream(sendRequest(userMessage('local')), ctx));
    await wait(() => b.executor.runs.length === 1, 'the local run on B');
    for (let step = 0; step < 4; step += 1) b.executor.runs[0]!.advance();
    await local.done;
    expect(stateOf(local.events.at(-1))).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(warnings.filter((w) => w.includes('without a lease'))).toHaveLength(1);

    memory(1).setReachable(true);
    const canceled = await b.handler.cancelTask({ tenant: '', id: taskId, metadata: {} }, ctx);
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    await stream.done;
    expect(stateOf(stream.events.at(-1))).toBe(TaskState.TASK_STATE_CANCELED);
  });

  it('ends a remote subscriber when its channel goes down', async () => {
    const { workers, wait, memory } = await fixture();
    const [a, c] = [workers[0]!, workers[2]!];
    const ctx = callContext(randomScope());
    const { taskId, stream } = await startTask(a, ctx, wait);
    const sub = consume(c.handler.resubscribe({ tenant: '', id: taskId }, ctx));
    await wait(() => sub.events.length >= 1, 'the snapshot');
    memory(2).setReachable(false);
    expect((await sub.done).error).toBeUndefined();
    for (let step = 0; step < 4; step += 1) a.executor.runOf(taskId)!.advance();
    await stream.done;
  });

  it('drops malformed and duplicate envelopes without disturbing subscribers', async () => {
    const { workers, wait } = await fixture();
    const [a, c] = [workers[0]!, workers[2]!];
    const ctx = callContext(randomScope());
    const { taskId, stream } = await startTask(a, ctx, wait);
    const sub = consume(c.handler.resubscribe({ tenant: '', id: taskId }, ctx));
    await wait(() => sub.events.length >= 1, 'the snapshot');
    const channel = taskChannel(leaseKey(ctxScope(ctx), taskId));
    const raw: string[] = [];
    await a.backend.subscribe(channel, (message) => raw.push(message));
    await a.backend.publish(channel, '{"v":1,"type":"event"');
    await a.backend.publish(channel, JSON.stringify({ v: 9 }));
    const run = a.executor.runOf(taskId)!;
    run.advance();
    await wait(() => sub.events.length >= 2 && raw.length >= 3, 'step 1 on C');
    // The transport delivers step 1 twice: the subscriber must see it once.
    await a.backend.publish(channel, raw[2]!);
    await wait(() => c.cluster.stats().duplicatesDropped === 1, 'the duplicate to be dropped');
    for (let step = 0; step < 3; step += 1) run.advance();
    await sub.done;
    expect(sub.events.length).toBe(5);
    expect(c.cluster.stats().malformedDropped).toBe(2);
    await stream.done;
  });

  it("cancels a dead worker's task in the store from a worker with a subscriber waiting on it", async () => {
    // No sweeper gets there first: the cancel meets an expired, unclaimed lease.
    const { workers, wait } = await fixture({
      clusterOptions: () => ({ sweepIntervalMs: 60_000 }),
    });
    const [a, c] = [workers[0]!, workers[2]!];
    const ctx = callContext(randomScope());
    const { taskId } = await startTask(a, ctx, wait);
    const sub = consume(c.handler.resubscribe({ tenant: '', id: taskId }, ctx));
    await wait(() => sub.events.length >= 1, 'the snapshot');
    await a.cluster.close();
    await wait(
      async () => (await c.cluster.describeLease(taskId, ctx))?.live === false,
      'the lease to expire',
    );
    const canceled = await c.handler.cancelTask({ tenant: '', id: taskId, metadata: {} }, ctx);
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect((await sub.done).error).toBeUndefined();
    expect(c.executor.runs).toEqual([]);
  });

  it("gives a stalled worker's own running execution its lease back instead of failing it", async () => {
    let offset = 0;
    const { workers, wait } = await fixture(
      { workers: 1, clusterOptions: () => ({ sweepIntervalMs: 60_000 }) },
      () => Date.now() + offset,
    );
    const a = workers[0]!;
    const ctx = callContext(randomScope());
    const { taskId, stream } = await startTask(a, ctx, wait);
    // Jump the engine's clock past the lease, as if A's event loop had stalled, then sweep.
    await wait(async () => {
      offset += 10_000;
      return (await a.cluster.sweep()) > 0;
    }, 'a sweep to claim the lease');
    const lease = await a.cluster.describeLease(taskId, ctx);
    expect(lease).toMatchObject({ self: true, live: true });
    expect(a.cluster.stats().recovered).toEqual({ failed: 0, resumed: 0, left: 0, released: 0 });
    const run = a.executor.runOf(taskId)!;
    for (let step = 0; step < 4; step += 1) run.advance();
    await stream.done;
    expect(stateOf(stream.events.at(-1))).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it('never recovers a task in a scope contextForScope does not map back to', async () => {
    const { warnings, logger } = recordingLogger();
    const { workers, wait } = await fixture({
      logger,
      clusterOptions: () => ({
        contextForScope: () => callContext({ tenant: 'elsewhere', owner: 'mallory' }),
      }),
    });
    const [a, b] = [workers[0]!, workers[1]!];
    const ctx = callContext(randomScope());
    const { taskId } = await startTask(a, ctx, wait);
    await a.cluster.close();
    await wait(() => warnings.some((w) => w.includes('does not map back')), 'the refusal');
    const stored = await b.handler.getTask({ tenant: '', id: taskId }, ctx);
    expect(stored.status?.state).toBe(TaskState.TASK_STATE_WORKING);
    expect(b.cluster.stats().recovered.failed + workers[2]!.cluster.stats().recovered.failed).toBe(
      0,
    );
  });

  it('validates its options', () => {
    const backend = createMemoryCoordination().connect();
    const scopeResolver = defaultScopeResolver();
    const { taskStore } = createMemoryStores({ scopeResolver });
    const base = { backend, taskStore, scopeResolver };
    expect(() => createCluster({ ...base, leaseTtlMs: 100, renewIntervalMs: 100 })).toThrow(
      TypeError,
    );
    expect(() => createCluster({ ...base, leaseTtlMs: -1 })).toThrow(TypeError);
    expect(() => createCluster({ ...base, recovery: 'retry' as never })).toThrow(TypeError);
    expect(() => createCluster({ ...base, workerId: 'has space' })).toThrow(TypeError);
    const cluster = createCluster({ ...base, workerId: `w-${randomUUID()}` });
    expect(cluster.workerId).toMatch(/^w-/);
  });
});

function ctxScope(ctx: ReturnType<typeof callContext>) {
  return { tenant: ctx.tenant ?? '', owner: ctx.user?.isAuthenticated ? ctx.user.userName : '' };
}
