import { randomUUID } from 'node:crypto';
import { TaskState } from '@a2a-js/sdk';
import { TelemetryCapture } from '@a2a-stores/otel-testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type ClusterFixture,
  callContext,
  consume,
  type FixtureOptions,
  randomScope,
  sendRequest,
  startClusterFixture,
  startTask,
  userMessage,
  waitFor,
} from '../src/conformance/index.js';
import {
  createMemoryCoordination,
  leaseKey,
  type MemoryCoordinationBackend,
  StoreUnavailableError,
  TaskBusyError,
  TELEMETRY_COUNTERS,
} from '../src/index.js';

const capture = new TelemetryCapture();
afterAll(() => capture.shutdown());

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
  return { ...started, wait };
}

const COORDINATION_OPERATIONS = new Set([
  'acquire_lease',
  'renew_lease',
  'release_lease',
  'read_lease',
  'claim_expired_leases',
  'publish',
  'subscribe',
]);

/** The coordination spans finished so far, checked for kind and their only allowed attributes. */
function coordinationSpans() {
  const spans = capture.spans().filter((span) => span.name.endsWith(' coordination'));
  for (const span of spans) {
    expect(span.kind).toBe(2); // CLIENT
    const operation = span.attributes['db.operation.name'] as string;
    expect(COORDINATION_OPERATIONS.has(operation)).toBe(true);
    expect(span.name).toBe(`${operation} coordination`);
    expect(span.attributes['db.system.name']).toBe('memory');
    const allowed = new Set(['db.system.name', 'db.operation.name', 'error.type']);
    expect(Object.keys(span.attributes).filter((key) => !allowed.has(key))).toEqual([]);
  }
  return spans;
}

const counter = (key: keyof typeof TELEMETRY_COUNTERS, match: Record<string, unknown> = {}) =>
  capture.total(TELEMETRY_COUNTERS[key].name, { 'db.system.name': 'memory', ...match });

describe('cluster OpenTelemetry instrumentation (memory hub, real SDK)', () => {
  it('traces a cross-worker cancel, counts its route, busy refusals and channel changes, leaks nothing', async () => {
    capture.reset();
    const { workers, wait } = await fixture();
    const [a, b] = [workers[0]!, workers[1]!];
    const scope = randomScope();
    const ctx = callContext(scope);
    const { taskId, stream } = await startTask(a, ctx, wait);
    const text = `follow-up text ${randomUUID()}`;

    const busyBefore = await counter('followUpsRefusedBusy');
    const refused = await b.handler
      .sendMessage(sendRequest(userMessage(text, taskId)), ctx)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TaskBusyError);
    expect(await counter('followUpsRefusedBusy')).toBe(busyBefore + 1);

    const state = 'a2a_stores.cluster.channel.state';
    const [downBefore, upBefore] = [
      await counter('channelStateChanges', { [state]: 'down' }),
      await counter('channelStateChanges', { [state]: 'up' }),
    ];
    const backendB = b.backend as MemoryCoordinationBackend;
    backendB.setReachable(false);
    await expect(b.cluster.describeLease(taskId, ctx)).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    backendB.setReachable(true);
    expect(await counter('channelStateChanges', { [state]: 'down' })).toBe(downBefore + 1);
    expect(await counter('channelStateChanges', { [state]: 'up' })).toBe(upBefore + 1);
    const failedRead = coordinationSpans().find(
      (span) => span.attributes['db.operation.name'] === 'read_lease' && span.status.code === 2,
    );
    expect(failedRead?.attributes['error.type']).toBe('StoreUnavailableError');

    const route = 'a2a_stores.cluster.cancel.route';
    const routedBefore = await counter('clusterCancels', { [route]: 'routed' });
    const localBefore = await counter('clusterCancels', { [route]: 'local' });
    const canceled = await b.handler.cancelTask({ tenant: '', id: taskId, metadata: {} }, ctx);
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    await stream.done;
    expect(await counter('clusterCancels', { [route]: 'routed' })).toBe(routedBefore + 1);
    // A served it through the SDK's own path, which reaches the wrapped handler's inner one only.
    expect(await counter('clusterCancels', { [route]: 'local' })).toBe(localBefore);

    const operations = new Set(
      coordinationSpans().map((span) => span.attributes['db.operation.name']),
    );
    for (const operation of ['acquire_lease', 'read_lease', 'publish', 'subscribe']) {
      expect(operations.has(operation)).toBe(true);
    }
    await capture.assertNoLeak([
      scope.tenant,
      scope.owner,
      taskId,
      text,
      leaseKey(scope, taskId),
      a.cluster.workerId,
      b.cluster.workerId,
    ]);
  });

  it('traces and counts an orphan recovery by outcome, leaks nothing', async () => {
    capture.reset();
    const { workers, wait } = await fixture();
    const [a, b, c] = [workers[0]!, workers[1]!, workers[2]!];
    const scope = randomScope();
    const ctx = callContext(scope);
    const { taskId } = await startTask(a, ctx, wait);
    const sub = consume(c.handler.resubscribe({ tenant: '', id: taskId }, ctx));
    await wait(() => sub.events.length >= 1, 'the snapshot on C');
    const outcome = { 'a2a_stores.cluster.recovery.outcome': 'failed' };
    const before = await counter('clusterRecoveries', outcome);
    await a.cluster.close();

    await wait(
      async () => (await counter('clusterRecoveries', outcome)) === before + 1,
      'the recovery to be counted',
    );
    expect((await sub.done).error).toBeUndefined();
    const stored = await b.handler.getTask({ tenant: '', id: taskId }, ctx);
    expect(stored.status?.state).toBe(TaskState.TASK_STATE_FAILED);
    expect(
      await counter('clusterRecoveries', { 'a2a_stores.cluster.recovery.outcome': 'resumed' }),
    ).toBe(0);
    const operations = coordinationSpans().map((span) => span.attributes['db.operation.name']);
    expect(operations).toContain('claim_expired_leases');
    expect(operations).toContain('release_lease');
    await capture.assertNoLeak([
      scope.tenant,
      scope.owner,
      taskId,
      leaseKey(scope, taskId),
      ...workers.map((worker) => worker.cluster.workerId),
    ]);
  });

  it('counts a lease renewal lost to another worker', async () => {
    let offset = 0;
    const { workers, wait } = await fixture(
      { workers: 2, clusterOptions: () => ({ sweepIntervalMs: 60_000 }) },
      () => Date.now() + offset,
    );
    const [a, b] = [workers[0]!, workers[1]!];
    const ctx = callContext(randomScope());
    capture.reset();
    let started: Awaited<ReturnType<typeof startTask>> | undefined;
    const callerSpanId = await capture.asCaller(async () => {
      started = await startTask(a, ctx, wait);
    });
    const { taskId, stream } = started!;
    const before = await counter('leaseRenewalsLost');
    // Jump the engine's clock past A's lease, as if A had stalled, so B's sweep claims it.
    await wait(async () => {
      offset += 10_000;
      return (await b.cluster.sweep()) > 0;
    }, "B's sweep to claim A's lease");
    await wait(
      async () => (await counter('leaseRenewalsLost')) === before + 1,
      "A's renewal to find the lease gone",
    );
    const spans = coordinationSpans();
    const acquire = spans.find((span) => span.attributes['db.operation.name'] === 'acquire_lease');
    expect(acquire?.parentSpanContext?.spanId).toBe(callerSpanId);
    // Timer-driven calls start their own traces instead of hanging under the finished request.
    const background = spans.filter((span) =>
      ['renew_lease', 'claim_expired_leases'].includes(
        span.attributes['db.operation.name'] as string,
      ),
    );
    expect(background.some((span) => span.attributes['db.operation.name'] === 'renew_lease')).toBe(
      true,
    );
    for (const span of background) expect(span.parentSpanContext).toBeUndefined();
    const run = a.executor.runOf(taskId)!;
    for (let step = 0; step < 4; step += 1) run.advance();
    await stream.done;
  });
});
