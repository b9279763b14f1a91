import { randomUUID } from 'node:crypto';
import {
  type CancelTaskRequest,
  type Message,
  type SendMessageRequest,
  type StreamResponse,
  type SubscribeToTaskRequest,
  type Task,
  TaskState,
} from '@a2a-js/sdk';
import { TaskNotCancelableError } from '@a2a-js/sdk/errors';
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { CoordinationUnavailableError, TaskBusyError } from '../errors.js';
import { DelegatingRequestHandler } from '../request-handler/delegating-request-handler.js';
import { isTerminalState } from '../task-states.js';
import type { CancelRouter } from './cancel-router.js';
import type { LeaseRecord } from './coordination-backend.js';
import { encodeEnvelope } from './envelopes.js';
import type { ClusterEventBusManager } from './event-bus-manager.js';
import { taskChannel } from './keys.js';
import { pollUntil } from './poll.js';
import type { ClusterRuntime } from './runtime.js';

/**
 * Wraps the SDK's `DefaultRequestHandler` of one worker (made by `cluster.wrap`) so that
 * subscribe, cancel and follow-up messages reach the worker that runs the task. Order in an
 * agent: Passport → ScopeGuard → Cluster → DefaultRequestHandler.
 */
export class ClusterRequestHandler extends DelegatingRequestHandler {
  readonly #runtime: ClusterRuntime;
  readonly #manager: ClusterEventBusManager;
  readonly #router: CancelRouter;

  constructor(
    inner: A2ARequestHandler,
    runtime: ClusterRuntime,
    manager: ClusterEventBusManager,
    router: CancelRouter,
  ) {
    super(inner);
    this.#runtime = runtime;
    this.#manager = manager;
    this.#router = router;
  }

  override async sendMessage(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): Promise<Message | Task> {
    await this.#admitFollowUp(params, context);
    return this.inner.sendMessage(params, context);
  }

  override async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    await this.#admitFollowUp(params, context);
    yield* this.inner.sendMessageStream(params, context);
  }

  override async cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    // Scope first: a task of another scope is TaskNotFound here, on every worker.
    const task = await this.inner.getTask(
      { tenant: params?.tenant ?? '', id: params?.id },
      context,
    );
    const key = this.#manager.keyOf(params.id, context);
    const state = task.status?.state;
    if ((state !== undefined && isTerminalState(state)) || this.#manager.running(key)) {
      this.#runtime.count('clusterCancels', { 'a2a_stores.cluster.cancel.route': 'local' });
      return this.inner.cancelTask(params, context);
    }
    const lease = await this.#readLease(key, 'cancel');
    const { workerId } = this.#runtime.options;
    if (lease?.live && lease.holder !== workerId) {
      this.#requireChannel('cancel');
      let outcome: Awaited<ReturnType<CancelRouter['request']>>;
      const watch = this.#holderWatch(key, lease);
      try {
        outcome = await this.#router.request(lease.holder, key, watch.firstWaitMs, watch.more);
      } catch (error) {
        throw new CoordinationUnavailableError(
          'Cannot cancel across workers: coordination backend unreachable',
          { cause: error },
        );
      }
      if (
        (outcome !== 'timeout' && !outcome.ok && outcome.error === 'no-execution') ||
        (outcome === 'timeout' && watch.holderGone())
      ) {
        // The holder no longer runs it: it ended, or died (its lease expired unanswered).
        return this.#storeCancel(params, context, key);
      }
      this.#runtime.count('clusterCancels', { 'a2a_stores.cluster.cancel.route': 'routed' });
      const latest = await this.inner.getTask(
        { tenant: params.tenant ?? '', id: params.id },
        context,
      );
      if (latest.status?.state !== TaskState.TASK_STATE_CANCELED) {
        throw new TaskNotCancelableError(`Task not cancelable: ${params.id}`);
      }
      return latest;
    }
    return this.#storeCancel(params, context, key);
  }

  /**
   * How long a routed cancel waits on `lease`'s holder: up to `cancelTimeoutMs` while it keeps
   * renewing, but only until the lease expires (plus a margin) when it does not: a dead worker
   * never answers, and then the store-side cancel applies.
   */
  #holderWatch(
    key: string,
    lease: LeaseRecord,
  ): { firstWaitMs: number; more: () => Promise<number>; holderGone: () => boolean } {
    const { backend, cancelTimeoutMs, renewIntervalMs, leaseTtlMs } = this.#runtime.options;
    const margin = Math.min(renewIntervalMs, 1000);
    const deadline = Date.now() + cancelTimeoutMs;
    // A holder that never renews is dead once the backend says its lease expired; the cap only
    // bounds the wait if the backend's clock lags far behind ours.
    const hardDeadline = deadline + leaseTtlMs;
    let gone = false;
    // expiresAt is on the backend's clock: skew only moves when the lease is read again; the
    // backend's own `live` decides.
    const untilExpiry = (record: LeaseRecord) =>
      Math.min(
        Math.max(record.expiresAt - Date.now(), 0) + margin,
        Math.max(0, hardDeadline - Date.now()),
      );
    return {
      firstWaitMs: Math.min(cancelTimeoutMs, untilExpiry(lease)),
      holderGone: () => gone,
      more: async () => {
        let current: LeaseRecord | undefined;
        try {
          current = await backend.readLease(key);
        } catch {
          return Math.max(0, deadline - Date.now());
        }
        if (!current?.live || current.token !== lease.token) {
          gone = !current?.live;
          return 0;
        }
        if (current.expiresAt > lease.expiresAt) return Math.max(0, deadline - Date.now());
        return untilExpiry(current);
      },
    };
  }

  override async *resubscribe(
    params: SubscribeToTaskRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    const taskId = params?.id;
    if (typeof taskId !== 'string' || taskId === '') {
      // The SDK answers a missing id with its own client error.
      yield* this.inner.resubscribe(params, context);
      return;
    }
    const key = this.#manager.keyOf(taskId, context);
    if (this.#manager.running(key)) {
      yield* this.inner.resubscribe(params, context);
      return;
    }
    let lease = await this.#readLease(key, 'subscribe');
    if (!lease?.live) {
      const waited = await this.#awaitExecution(params, context, key);
      if (waited.ended) {
        // It ended while we waited for the save to land: the outcome, not the SDK's refusal to
        // subscribe to a terminal task the caller asked about while it ran.
        yield { payload: { $case: 'task', value: waited.ended } };
        return;
      }
      if (this.#manager.running(key)) {
        yield* this.inner.resubscribe(params, context);
        return;
      }
      lease = waited.lease;
    }
    if (!lease?.live || lease.holder === this.#runtime.options.workerId) {
      // Nobody runs it (or this worker holds it without a bus, e.g. during recovery): the
      // SDK yields the stored snapshot and ends.
      yield* this.inner.resubscribe(params, context);
      return;
    }
    this.#requireChannel('subscribe');
    let proxy: Awaited<ReturnType<ClusterEventBusManager['retainProxy']>>;
    try {
      proxy = await this.#manager.retainProxy(key);
    } catch (error) {
      throw new CoordinationUnavailableError(
        'Cannot subscribe to a task running on another worker: coordination backend unreachable',
        { cause: error },
      );
    }
    try {
      // The execution may have ended between the lease read and the subscription.
      await proxy.checkLease();
      yield* this.inner.resubscribe(params, context);
    } finally {
      proxy.release();
    }
  }

  /**
   * A message to an existing task runs only where no other worker runs that task. A task that
   * waits for input is admitted once the run that asked gives its lease up (it does when it
   * publishes input-required, right before the SDK answers; the wait covers the release landing).
   */
  async #admitFollowUp(params: SendMessageRequest, context: ServerCallContext): Promise<void> {
    const taskId = params?.message?.taskId;
    if (typeof taskId !== 'string' || taskId === '') return;
    const key = this.#manager.keyOf(taskId, context);
    if (this.#manager.running(key)) return;
    const { backend, workerId, leaseWaitMs } = this.#runtime.options;
    let lease: LeaseRecord | undefined;
    try {
      lease = await backend.readLease(key);
    } catch {
      // Degraded: local calls keep working; the store-level state checks still apply.
      return;
    }
    if (!lease?.live || lease.holder === workerId) return;
    const stored = await this.inner
      .getTask({ tenant: params.tenant ?? '', id: taskId }, context)
      .catch(() => undefined);
    const state = stored?.status?.state;
    if (
      state === TaskState.TASK_STATE_INPUT_REQUIRED ||
      state === TaskState.TASK_STATE_AUTH_REQUIRED
    ) {
      const asked = lease;
      const freed = await pollUntil(async () => {
        const current = await backend.readLease(key);
        if (!current?.live || current.holder === workerId) return true;
        // Another run took the lease since: a live execution runs the task elsewhere.
        return current.token === asked.token ? undefined : false;
      }, leaseWaitMs).catch(() => true);
      if (freed) return;
    }
    this.#runtime.count('followUpsRefusedBusy');
    throw new TaskBusyError(taskId);
  }

  /**
   * A subscriber found no live lease. While the stored task is submitted or working, its
   * execution may be about to hold one (the lease is acquired in the background; a follow-up's
   * task is saved before its bus exists) or may just have ended (the lease is dropped at settle
   * while the SDK still saves the last events). Waits up to `leaseWaitMs` for a live lease, a
   * local run, or a stored state that needs no executor; whichever comes first.
   */
  async #awaitExecution(
    params: SubscribeToTaskRequest,
    context: ServerCallContext,
    key: string,
  ): Promise<{ lease?: LeaseRecord; ended?: Task }> {
    let first = true;
    const found = await pollUntil(async () => {
      const before = first;
      first = false;
      if (this.#manager.running(key)) return {};
      const lease = await this.#readLease(key, 'subscribe');
      if (lease?.live) return { lease };
      const task = await this.inner.getTask(
        { tenant: params.tenant ?? '', id: params.id },
        context,
      );
      const state = task.status?.state;
      if (state === undefined) return {};
      // Terminal at once: the SDK's own answer (it refuses to subscribe to a finished task).
      if (isTerminalState(state)) return before ? {} : { ended: task };
      const needsExecutor =
        state === TaskState.TASK_STATE_SUBMITTED || state === TaskState.TASK_STATE_WORKING;
      return needsExecutor ? undefined : {};
    }, this.#runtime.options.leaseWaitMs);
    return found ?? {};
  }

  async #storeCancel(
    params: CancelTaskRequest,
    context: ServerCallContext,
    key: string,
  ): Promise<Task> {
    // The execution a local subscriber's proxy follows is over; left in place, the SDK would
    // take the proxy for a running bus and wait on it for a CANCELED nobody will publish.
    this.#manager.finishProxy(key);
    this.#runtime.count('clusterCancels', { 'a2a_stores.cluster.cancel.route': 'store_fallback' });
    const task = await this.inner.cancelTask(params, context);
    // Subscribers elsewhere may still wait on an execution that died: end their streams.
    const end = encodeEnvelope({
      v: 1,
      type: 'end',
      exec: randomUUID(),
      lastState: TaskState.TASK_STATE_CANCELED,
    });
    await this.#runtime.options.backend.publish(taskChannel(key), end).catch(() => {
      // Their watchdog ends them within a renew interval anyway.
    });
    return task;
  }

  async #readLease(key: string, what: string): Promise<LeaseRecord | undefined> {
    try {
      return await this.#runtime.options.backend.readLease(key);
    } catch (error) {
      throw new CoordinationUnavailableError(
        `Cannot ${what} across workers: coordination backend unreachable`,
        { cause: error },
      );
    }
  }

  #requireChannel(what: string): void {
    if (!this.#runtime.channelUp) {
      throw new CoordinationUnavailableError(
        `Cannot ${what} across workers: the coordination channel is down`,
      );
    }
  }
}
