import type {
  AgentCard,
  CancelTaskRequest,
  DeleteTaskPushNotificationConfigRequest,
  GetExtendedAgentCardRequest,
  GetTaskPushNotificationConfigRequest,
  GetTaskRequest,
  ListTaskPushNotificationConfigsRequest,
  ListTaskPushNotificationConfigsResponse,
  ListTasksRequest,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task,
  TaskPushNotificationConfig,
} from '@a2a-js/sdk';
import type { A2ARequestHandler, ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import { ScopeRefusedError, ScopeResolutionError } from '../errors.js';
import { resolveScope, type Scope, type ScopeResolver } from '../scope.js';
import { FollowUpGate } from './follow-up-gate.js';

/** Options of {@link ScopeGuardRequestHandler}. */
export interface ScopeGuardOptions {
  /**
   * The resolver the stores were opened with (the same instance, so a one-time warning stays
   * one-time), so the guard refuses exactly the calls the stores would refuse.
   */
  readonly scopeResolver: ScopeResolver;
  /** The task store the inner handler uses; read to check the state of a follow-up's task. */
  readonly taskStore: TaskStore;
  /**
   * `'when-waiting'` (default): a message on an existing task is admitted only while the task is
   * input-required or auth-required, one at a time; others get `FollowUpRefusedError`
   * (UnsupportedOperation) before the executor runs. `'any'`: the SDK's behaviour, every message
   * joins the task whatever its state (unbounded work per task: trusted callers only).
   */
  readonly followUps?: 'when-waiting' | 'any';
}

function clientError(error: unknown): unknown {
  return error instanceof ScopeResolutionError ? new ScopeRefusedError(error) : error;
}

/**
 * Wraps any `A2ARequestHandler` (usually the SDK's `DefaultRequestHandler`) so that a call whose
 * scope cannot be resolved (anonymous under `anonymous: 'reject'`, a tenant over 255 characters,
 * with NUL or an unpaired surrogate, a non-string tenant) is refused before the inner handler
 * runs: before the agent's executor starts and before any store call. The refusal is a client
 * error ({@link ScopeRefusedError}: HTTP 401 on REST for a missing identity, else 400; JSON-RPC
 * -32602), never INTERNAL, and the SDK logs no stack trace for it. A `ScopeResolutionError`
 * thrown later by a store is answered the same way.
 *
 * It also bounds follow-ups (see {@link ScopeGuardOptions.followUps}). Put it inside any wrapper
 * that records what the resolver reads (e.g. `PassportRequestHandler` outside this one).
 *
 * @example
 * ```ts
 * import { DefaultRequestHandler } from '@a2a-js/sdk/server';
 * import { defaultScopeResolver, ScopeGuardRequestHandler } from '@a2a-stores/core';
 * const scopeResolver = defaultScopeResolver({ anonymous: 'reject' });
 * // open the stores with { scopeResolver }, then:
 * const handler = new ScopeGuardRequestHandler(
 *   new DefaultRequestHandler(card, taskStore, executor),
 *   { scopeResolver, taskStore },
 * );
 * ```
 */
export class ScopeGuardRequestHandler implements A2ARequestHandler {
  readonly #inner: A2ARequestHandler;
  readonly #resolver: ScopeResolver;
  readonly #gate: FollowUpGate | undefined;

  constructor(inner: A2ARequestHandler, options: ScopeGuardOptions) {
    if (typeof options?.scopeResolver !== 'function') {
      throw new TypeError('scopeResolver must be the scope resolver the stores use');
    }
    const followUps = options.followUps ?? 'when-waiting';
    if (followUps !== 'when-waiting' && followUps !== 'any') {
      throw new TypeError("followUps must be 'when-waiting' or 'any'");
    }
    if (followUps === 'when-waiting' && !options.taskStore) {
      throw new TypeError("taskStore is required when followUps is 'when-waiting'");
    }
    this.#inner = inner;
    this.#resolver = options.scopeResolver;
    this.#gate = followUps === 'when-waiting' ? new FollowUpGate(options.taskStore) : undefined;
  }

  getAgentCard(): Promise<AgentCard> {
    return this.#inner.getAgentCard();
  }

  /** Not scoped: the extended card touches no store, and the SDK decides what anonymous callers get. */
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
    const claim = await this.#admitMessage(params, context);
    try {
      return await this.#inner.sendMessage(params, context);
    } catch (error) {
      throw clientError(error);
    } finally {
      this.#gate?.release(claim);
    }
  }

  async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    const claim = await this.#admitMessage(params, context);
    try {
      yield* this.#inner.sendMessageStream(params, context);
    } catch (error) {
      throw clientError(error);
    } finally {
      this.#gate?.release(claim);
    }
  }

  getTask(params: GetTaskRequest, context: ServerCallContext): Promise<Task> {
    return this.#scoped(context, () => this.#inner.getTask(params, context));
  }

  listTasks(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return this.#scoped(context, () => this.#inner.listTasks(params, context));
  }

  cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    return this.#scoped(context, () => this.#inner.cancelTask(params, context));
  }

  createTaskPushNotificationConfig(
    params: TaskPushNotificationConfig,
    context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    return this.#scoped(context, () =>
      this.#inner.createTaskPushNotificationConfig(params, context),
    );
  }

  getTaskPushNotificationConfig(
    params: GetTaskPushNotificationConfigRequest,
    context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    return this.#scoped(context, () => this.#inner.getTaskPushNotificationConfig(params, context));
  }

  listTaskPushNotificationConfigs(
    params: ListTaskPushNotificationConfigsRequest,
    context: ServerCallContext,
  ): Promise<ListTaskPushNotificationConfigsResponse> {
    return this.#scoped(context, () =>
      this.#inner.listTaskPushNotificationConfigs(params, context),
    );
  }

  deleteTaskPushNotificationConfig(
    params: DeleteTaskPushNotificationConfigRequest,
    context: ServerCallContext,
  ): Promise<void> {
    return this.#scoped(context, () =>
      this.#inner.deleteTaskPushNotificationConfig(params, context),
    );
  }

  async *resubscribe(
    params: SubscribeToTaskRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    this.#resolve(context);
    try {
      yield* this.#inner.resubscribe(params, context);
    } catch (error) {
      throw clientError(error);
    }
  }

  /** Resolves the scope as the stores will, turning a refusal into a client error. */
  #resolve(context: ServerCallContext): Scope {
    try {
      return resolveScope(this.#resolver, context);
    } catch (error) {
      throw clientError(error);
    }
  }

  async #scoped<T>(context: ServerCallContext, call: () => Promise<T>): Promise<T> {
    this.#resolve(context);
    try {
      return await call();
    } catch (error) {
      throw clientError(error);
    }
  }

  /** Scope first (no store call for a refused caller), then the follow-up gate. */
  async #admitMessage(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): Promise<string | undefined> {
    const scope = this.#resolve(context);
    if (!this.#gate) return undefined;
    try {
      return await this.#gate.claim(params?.message, scope, context);
    } catch (error) {
      throw clientError(error);
    }
  }
}
