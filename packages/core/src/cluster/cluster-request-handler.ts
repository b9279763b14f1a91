import { randomUUID } from 'node:crypto';
import {
  type AgentCard,
  type CancelTaskRequest,
  type DeleteTaskPushNotificationConfigRequest,
  type GetExtendedAgentCardRequest,
  type GetTaskPushNotificationConfigRequest,
  type GetTaskRequest,
  type ListTaskPushNotificationConfigsRequest,
  type ListTaskPushNotificationConfigsResponse,
  type ListTasksRequest,
  type ListTasksResponse,
  type Message,
  type SendMessageRequest,
  type StreamResponse,
  type SubscribeToTaskRequest,
  type Task,
  type TaskPushNotificationConfig,
  TaskState,
} from '@a2a-js/sdk';
import { TaskNotCancelableError } from '@a2a-js/sdk/errors';
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { CoordinationUnavailableError, TaskBusyError } from '../errors.js';
import { isTerminalState } from '../task-states.js';
import type { CancelRouter } from './cancel-router.js';
import type { LeaseRecord } from './coordination-backend.js';
import { encodeEnvelope } from './envelopes.js';
import type { ClusterEventBusManager } from './event-bus-manager.js';
import { taskChannel } from './keys.js';
import type { ClusterRuntime } from './runtime.js';

/**
 * Wraps the SDK's `DefaultRequestHandler` of one worker (made by `cluster.wrap`) so that
 * subscribe, cancel and follow-up messages reach the worker that runs the task. Order in an
 * agent: Passport → ScopeGuard → Cluster → DefaultRequestHandler.
 */
export class ClusterRequestHandler implements A2ARequestHandler {
  readonly #inner: A2ARequestHandler;
  readonly #runtime: ClusterRuntime;
  readonly #manager: ClusterEventBusManager;
  readonly #router: CancelRouter;

  constructor(
    inner: A2ARequestHandler,
    runtime: ClusterRuntime,
    manager: ClusterEventBusManager,
    router: CancelRouter,
  ) {
    this.#inner = inner;
    this.#runtime = runtime;
    this.#manager = manager;
    this.#router = router;
  }

  getAgentCard(): Promise<AgentCard> {
    return this.#inner.getAgentCard();
  }

  getAuthenticatedExtendedAgentCard(
    params: GetExtendedAgentCardRequest,
    context: ServerCallContext,
  ): Promise<AgentCard> {
    return this.#inner.getAuthenticatedExtendedAgentCard(params, context);
  }

  async sendMessage(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): Promise<Message | Task> {
    await this.#admitFollowUp(params, context);
    return this.#inner.sendMessage(params, context);
  }

  async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    await this.#admitFollowUp(params, context);
    yield* this.#inner.sendMessageStream(params, context);
  }

  getTask(params: GetTaskRequest, context: ServerCallContext): Promise<Task> {
    return this.#inner.getTask(params, context);
  }

  listTasks(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return this.#inner.listTasks(params, context);
  }

  async cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    // Scope first: a task of another scope is TaskNotFound here, on every worker.
    const task = await this.#inner.getTask(
      { tenant: params?.tenant ?? '', id: params?.id },
      context,
    );
    const key = this.#manager.keyOf(params.id, context);
    const state = task.status?.state;
    if ((state !== undefined && isTerminalState(state)) || this.#manager.running(key)) {
      return this.#inner.cancelTask(params, context);
    }
    const lease = await this.#readLease(key, 'cancel');
    const { workerId } = this.#runtime.options;
    if (lease?.live && lease.holder !== workerId) {
      this.#requireChannel('cancel');
      let outcome: Awaited<ReturnType<CancelRouter['request']>>;
      try {
        outcome = await this.#router.request(lease.holder, key);
      } catch (error) {
        throw new CoordinationUnavailableError(
          'Cannot cancel across workers: coordination backend unreachable',
          { cause: error },
        );
      }
      if (outcome !== 'timeout' && !outcome.ok && outcome.error === 'no-execution') {
        // The holder no longer runs it (ended or died between our read and its answer).
        return this.#storeCancel(params, context, key);
      }
      const latest = await this.#inner.getTask(
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

  createTaskPushNotificationConfig(
    params: TaskPushNotificationConfig,
    context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    return this.#inner.createTaskPushNotificationConfig(params, context);
  }

  getTaskPushNotificationConfig(
    params: GetTaskPushNotificationConfigRequest,
    context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    return this.#inner.getTaskPushNotificationConfig(params, context);
  }

  listTaskPushNotificationConfigs(
    params: ListTaskPushNotificationConfigsRequest,
    context: ServerCallContext,
  ): Promise<ListTaskPushNotificationConfigsResponse> {
    return this.#inner.listTaskPushNotificationConfigs(params, context);
  }

  deleteTaskPushNotificationConfig(
    params: DeleteTaskPushNotificationConfigRequest,
    context: ServerCallContext,
  ): Promise<void> {
    return this.#inner.deleteTaskPushNotificationConfig(params, context);
  }

  async *resubscribe(
    params: SubscribeToTaskRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    const taskId = params?.id;
    if (typeof taskId !== 'string' || taskId === '') {
      // The SDK answers a missing id with its own client error.
      yield* this.#inner.resubscribe(params, context);
      return;
    }
    const key = this.#manager.keyOf(taskId, context);
    if (this.#manager.running(key)) {
      yield* this.#inner.resubscribe(params, context);
      return;
    }
    const lease = await this.#readLease(key, 'subscribe');
    if (!lease?.live || lease.holder === this.#runtime.options.workerId) {
      // Nobody runs it (or this worker holds it without a bus, e.g. during recovery): the
      // SDK yields the stored snapshot and ends.
      yield* this.#inner.resubscribe(params, context);
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
      yield* this.#inner.resubscribe(params, context);
    } finally {
      proxy.release();
    }
  }

  /** A message to an existing task runs only where no other worker runs that task. */
  async #admitFollowUp(params: SendMessageRequest, context: ServerCallContext): Promise<void> {
    const taskId = params?.message?.taskId;
    if (typeof taskId !== 'string' || taskId === '') return;
    const key = this.#manager.keyOf(taskId, context);
    if (this.#manager.running(key)) return;
    let lease: LeaseRecord | undefined;
    try {
      lease = await this.#runtime.options.backend.readLease(key);
    } catch {
      // Degraded: local calls keep working; the store-level state checks still apply.
      return;
    }
    if (lease?.live && lease.holder !== this.#runtime.options.workerId) {
      throw new TaskBusyError(taskId);
    }
  }

  async #storeCancel(
    params: CancelTaskRequest,
    context: ServerCallContext,
    key: string,
  ): Promise<Task> {
    // The execution a local subscriber's proxy follows is over; left in place, the SDK would
    // take the proxy for a running bus and wait on it for a CANCELED nobody will publish.
    this.#manager.finishProxy(key);
    const task = await this.#inner.cancelTask(params, context);
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
