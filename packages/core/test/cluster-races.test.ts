import { type Task, TaskState } from '@a2a-js/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ASK,
  type ClusterFixture,
  callContext,
  consume,
  randomScope,
  sendRequest,
  startClusterFixture,
  startTask,
  stateOf,
  userMessage,
  waitFor,
} from '../src/conformance/index.js';
import {
  type ChannelState,
  type CoordinationBackend,
  createMemoryCoordination,
  type LeaseAcquireResult,
  type LeaseRequest,
} from '../src/index.js';

/**
 * A memory backend whose lease acquisitions wait on a gate the test opens: a transport slower
 * to grant a lease than the SDK is to save and answer (PostgreSQL under load).
 */
class GatedBackend implements CoordinationBackend {
  readonly name = 'gated-memory';
  readonly #inner: CoordinationBackend;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  leaseReads = 0;

  constructor(inner: CoordinationBackend) {
    this.#inner = inner;
  }

  holdAcquisitions(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  releaseAcquisitions(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  async acquireLease(request: LeaseRequest, ttlMs: number): Promise<LeaseAcquireResult> {
    const gate = this.#gate;
    if (gate !== undefined) await gate;
    return this.#inner.acquireLease(request, ttlMs);
  }
  renewLease(key: string, holder: string, token: string, ttlMs: number) {
    return this.#inner.renewLease(key, holder, token, ttlMs);
  }
  releaseLease(key: string, holder: string, token: string) {
    return this.#inner.releaseLease(key, holder, token);
  }
  readLease(key: string) {
    this.leaseReads += 1;
    return this.#inner.readLease(key);
  }
  claimExpiredLeases(holder: string, token: string, ttlMs: number, limit: number) {
    return this.#inner.claimExpiredLeases(holder, token, ttlMs, limit);
  }
  publish(channel: string, message: string) {
    return this.#inner.publish(channel, message);
  }
  subscribe(channel: string, listener: (message: string) => void) {
    return this.#inner.subscribe(channel, listener);
  }
  onChannelState(listener: (state: ChannelState) => void) {
    return this.#inner.onChannelState?.(listener) ?? (() => undefined);
  }
  close() {
    return this.#inner.close();
  }
}

const open: ClusterFixture[] = [];
afterEach(async () => {
  for (const fixture of open.splice(0)) await fixture.close();
});

async function gatedFixture(options: Parameters<typeof startClusterFixture>[1] = {}) {
  const hub = createMemoryCoordination();
  const started = await startClusterFixture(
    { name: 'gated memory', create: () => new GatedBackend(hub.connect()) },
    options,
  );
  open.push(started);
  const wait = (condition: () => boolean | Promise<boolean>, what: string) =>
    waitFor(condition, what, started.timing.waitMs);
  const gated = (index: number) => started.workers[index]!.backend as GatedBackend;
  return { ...started, wait, gated };
}

describe('cluster engine races (issue 19 load run)', () => {
  it('a subscriber arriving before the execution holds its lease follows it to its end', async () => {
    const { workers, wait, gated } = await gatedFixture({
      clusterOptions: () => ({ leaseWaitMs: 5_000 }),
    });
    const [a, c] = [workers[0]!, workers[2]!];
    const ctx = callContext(randomScope());
    gated(0).holdAcquisitions();
    const stream = consume(a.handler.sendMessageStream(sendRequest(userMessage('go')), ctx));
    // The task is stored WORKING while A's lease is still being acquired.
    await wait(() => stream.events.length >= 1, 'the task stored on A');
    const taskId = a.executor.runs[0]!.taskId;
    const readsBefore = gated(2).leaseReads;
    const sub = consume(c.handler.resubscribe({ tenant: '', id: taskId }, ctx));
    await wait(
      () => gated(2).leaseReads >= readsBefore + 3 || sub.finished,
      'C to look for the lease',
    );
    // Before the fix C yielded the WORKING snapshot here and its stream ended.
    expect(sub.finished).toBe(false);
    gated(0).releaseAcquisitions();
    await wait(() => sub.events.length >= 1, 'the snapshot on C');
    const run = a.executor.runOf(taskId)!;
    for (let step = 0; step < 4; step += 1) run.advance();
    expect((await sub.done).error).toBeUndefined();
    expect(stateOf(sub.events.at(-1))).toBe(TaskState.TASK_STATE_COMPLETED);
    await stream.done;
  });

  it('a subscriber of a working task nobody will run ends with the snapshot after leaseWaitMs', async () => {
    const { workers, wait, gated } = await gatedFixture({
      clusterOptions: () => ({ leaseWaitMs: 300 }),
    });
    const [a, c] = [workers[0]!, workers[2]!];
    const ctx = callContext(randomScope());
    gated(0).holdAcquisitions();
    const stream = consume(a.handler.sendMessageStream(sendRequest(userMessage('go')), ctx));
    await wait(() => stream.events.length >= 1, 'the task stored on A');
    const taskId = a.executor.runs[0]!.taskId;
    // The lease never appears (A's acquire hangs): the wait is bounded.
    const sub = consume(c.handler.resubscribe({ tenant: '', id: taskId }, ctx));
    expect((await sub.done).error).toBeUndefined();
    expect(sub.events.map(stateOf)).toEqual([TaskState.TASK_STATE_WORKING]);
    gated(0).releaseAcquisitions();
    const run = a.executor.runOf(taskId)!;
    for (let step = 0; step < 4; step += 1) run.advance();
    await stream.done;
  });

  it("a cancel for a dead worker's task with a live lease cancels it in the store once the lease expires", async () => {
    // cancelTimeoutMs far above the wait bound: before the fix the cancel waited it out, then
    // answered TaskNotCancelable.
    const { workers, wait } = await gatedFixture({
      clusterOptions: () => ({ sweepIntervalMs: 60_000, cancelTimeoutMs: 120_000 }),
    });
    const [a, c] = [workers[0]!, workers[2]!];
    const ctx = callContext(randomScope());
    const { taskId } = await startTask(a, ctx, wait);
    // A dies: it stops renewing and answering, its lease still has most of its ttl left.
    await a.cluster.close();
    const lease = await c.cluster.describeLease(taskId, ctx);
    expect(lease?.live).toBe(true);
    const canceled = await c.handler.cancelTask({ tenant: '', id: taskId, metadata: {} }, ctx);
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect(c.executor.runs).toEqual([]);
  });

  it('an answer on the same worker before the asking executor returned runs as a new, leased execution', async () => {
    const { workers, wait } = await gatedFixture();
    const [a, c] = [workers[0]!, workers[2]!];
    const scope = randomScope();
    const ctx = callContext(scope);
    const asked = (await a.handler.sendMessage(sendRequest(userMessage(ASK)), ctx)) as Task;
    expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const askRun = a.executor.runOf(asked.id)!;
    // Each request has its own call context (as each HTTP request does).
    const answerCtx = callContext(scope);
    const answer = consume(
      a.handler.sendMessageStream(
        sendRequest(userMessage('Grace', asked.id, asked.contextId)),
        answerCtx,
      ),
    );
    await wait(() => a.executor.runs.length === 2, 'the answer to run on A');
    await wait(async () => {
      const lease = await a.cluster.describeLease(asked.id, ctx);
      return lease?.self === true && lease.live;
    }, 'the answer run to hold the lease');
    const sub = consume(c.handler.resubscribe({ tenant: '', id: asked.id }, ctx));
    await wait(() => sub.events.length >= 1, 'the snapshot on C');
    // The asking executor returns now: its settle must not end the answer's execution.
    askRun.advance();
    const answerRun = a.executor.runs[1]!;
    answerRun.advance();
    await wait(() => sub.events.length >= 2, 'step 1 relayed to C');
    for (let step = 0; step < 3; step += 1) answerRun.advance();
    expect((await sub.done).error).toBeUndefined();
    expect(stateOf(sub.events.at(-1))).toBe(TaskState.TASK_STATE_COMPLETED);
    expect((await answer.done).error).toBeUndefined();
    expect(stateOf(answer.events.at(-1))).toBe(TaskState.TASK_STATE_COMPLETED);
  });
});
