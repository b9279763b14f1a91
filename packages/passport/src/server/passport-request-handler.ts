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
import {
  type A2ARequestHandler,
  type ServerCallContext,
  STATE_HEADERS_KEY,
} from '@a2a-js/sdk/server';
import { PASSPORT_HEADER, SECURE_PASSPORT_URI } from '../constants.js';
import { PassportRejectedError } from '../errors.js';
import { type ReadPassportResult, readPassport } from '../message.js';
import { decodePassportHeader } from '../passport-header.js';
import {
  type ResolvedVerifyOptions,
  resolveVerifyOptions,
  type VerifyPassportOptions,
  verifyWithResolved,
} from '../verify.js';
import type { PassportVerification } from '../verify-result.js';
import { setPassportVerification } from './call-state.js';

/** Options of {@link PassportRequestHandler}: how to verify, and what to serve. */
export interface PassportRequestHandlerOptions extends VerifyPassportOptions {
  /**
   * `'none'` (default): every call is served and its verification recorded. `'verified'`: only
   * calls with a verified passport are served; the others are refused with
   * `PassportRejectedError` before the inner handler (and so the executor and stores) runs.
   */
  readonly require?: 'none' | 'verified';
  /**
   * A passport with a signature that fails verification (tampered, replayed, expired, unknown
   * key...): `'reject'` (default) refuses the call with `PassportRejectedError`; `'ignore'` serves
   * it as unverified, with the failure recorded.
   */
  readonly onFailed?: 'reject' | 'ignore';
  /** Request header carrying passports on calls without a message. Default `a2a-passport`. */
  readonly headerName?: string;
  /**
   * Observes every verification (for logs or metrics). Called on the request path; an exception
   * it throws is swallowed. It receives the state the caller shared: do not log that blindly.
   */
  readonly onVerification?: (
    verification: PassportVerification,
    context: ServerCallContext,
  ) => void;
}

/**
 * Wraps any `A2ARequestHandler` (usually the SDK's `DefaultRequestHandler`) so that every call's
 * passport is read and verified before the inner handler runs, hence before its first store call
 * (the handler loads and saves tasks before the executor starts, so an executor wrapper would be
 * too late for the stores' scope resolver). The result is stored in `context.state` under
 * `PASSPORT_STATE_KEY` (read it with `getPassportVerification`), the extension is marked
 * activated on the context when a passport was accepted, and the policy decides what is served.
 *
 * Carriers: `sendMessage` and `sendMessageStream` read `message.metadata[SECURE_PASSPORT_URI]`
 * (the extension's carrier). Calls without a message (get, list, cancel, resubscribe, push
 * configs, extended card) read the `a2a-passport` request header (base64url JSON), which the SDK
 * client interceptor of this package sets; the SDK's transports keep request headers in
 * `context.state` for that. Wrapping the handler works the same for JSON-RPC, REST and gRPC,
 * where an HTTP middleware would have to parse each transport's body itself.
 *
 * @example
 * ```ts
 * import { DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server';
 * import { PassportRequestHandler, staticKeyResolver } from '@a2a-stores/passport';
 * const handler = new PassportRequestHandler(new DefaultRequestHandler(card, taskStore, executor), {
 *   keys: staticKeyResolver({ 'a2a://travel-orchestrator.com': { keys: [publicJwk] } }),
 *   audience: 'https://currency.example/a2a',
 * });
 * ```
 */
export class PassportRequestHandler implements A2ARequestHandler {
  readonly #inner: A2ARequestHandler;
  readonly #verify: ResolvedVerifyOptions;
  readonly #require: 'none' | 'verified';
  readonly #onFailed: 'reject' | 'ignore';
  readonly #headerName: string;
  readonly #observe: PassportRequestHandlerOptions['onVerification'];

  constructor(inner: A2ARequestHandler, options: PassportRequestHandlerOptions) {
    this.#inner = inner;
    this.#verify = resolveVerifyOptions(options);
    this.#require = options.require ?? 'none';
    this.#onFailed = options.onFailed ?? 'reject';
    if (this.#require !== 'none' && this.#require !== 'verified')
      throw new TypeError("require must be 'none' or 'verified'");
    if (this.#onFailed !== 'reject' && this.#onFailed !== 'ignore')
      throw new TypeError("onFailed must be 'reject' or 'ignore'");
    this.#headerName = (options.headerName ?? PASSPORT_HEADER).toLowerCase();
    this.#observe = options.onVerification;
  }

  getAgentCard(): Promise<AgentCard> {
    return this.#inner.getAgentCard();
  }

  async getAuthenticatedExtendedAgentCard(
    params: GetExtendedAgentCardRequest,
    context: ServerCallContext,
  ): Promise<AgentCard> {
    await this.#admitByHeader(context);
    return this.#inner.getAuthenticatedExtendedAgentCard(params, context);
  }

  async sendMessage(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): Promise<Message | Task> {
    await this.#admit(readPassport(params?.message), context);
    return this.#inner.sendMessage(params, context);
  }

  async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    await this.#admit(readPassport(params?.message), context);
    yield* this.#inner.sendMessageStream(params, context);
  }

  async getTask(params: GetTaskRequest, context: ServerCallContext): Promise<Task> {
    await this.#admitByHeader(context);
    return this.#inner.getTask(params, context);
  }

  async listTasks(
    params: ListTasksRequest,
    context: ServerCallContext,
  ): Promise<ListTasksResponse> {
    await this.#admitByHeader(context);
    return this.#inner.listTasks(params, context);
  }

  async cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    await this.#admitByHeader(context);
    return this.#inner.cancelTask(params, context);
  }

  async createTaskPushNotificationConfig(
    params: TaskPushNotificationConfig,
    context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    await this.#admitByHeader(context);
    return this.#inner.createTaskPushNotificationConfig(params, context);
  }

  async getTaskPushNotificationConfig(
    params: GetTaskPushNotificationConfigRequest,
    context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    await this.#admitByHeader(context);
    return this.#inner.getTaskPushNotificationConfig(params, context);
  }

  async listTaskPushNotificationConfigs(
    params: ListTaskPushNotificationConfigsRequest,
    context: ServerCallContext,
  ): Promise<ListTaskPushNotificationConfigsResponse> {
    await this.#admitByHeader(context);
    return this.#inner.listTaskPushNotificationConfigs(params, context);
  }

  async deleteTaskPushNotificationConfig(
    params: DeleteTaskPushNotificationConfigRequest,
    context: ServerCallContext,
  ): Promise<void> {
    await this.#admitByHeader(context);
    return this.#inner.deleteTaskPushNotificationConfig(params, context);
  }

  async *resubscribe(
    params: SubscribeToTaskRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    await this.#admitByHeader(context);
    yield* this.#inner.resubscribe(params, context);
  }

  /**
   * Calls without a message carry their passport in a header, found among the request headers the
   * SDK's default context builder keeps in `context.state`; a custom builder that drops them makes
   * every such passport `absent`.
   */
  #admitByHeader(context: ServerCallContext): Promise<void> {
    const headers = context.state.get(STATE_HEADERS_KEY);
    const raw =
      typeof headers === 'object' && headers !== null
        ? (headers as Record<string, unknown>)[this.#headerName]
        : undefined;
    return this.#admit(decodePassportHeader(raw), context);
  }

  /** Verifies, records, applies the policy. Throws PassportRejectedError to refuse the call. */
  async #admit(found: ReadPassportResult, context: ServerCallContext): Promise<void> {
    let verification: PassportVerification;
    if (found.status === 'absent') verification = { status: 'absent' };
    else if (found.status === 'malformed' && found.signed)
      // A signature means the caller meant to be verified: whatever limit it breaks, it is a
      // failed passport (refused by default), never taken for no passport at all.
      verification = {
        status: 'failed',
        reason: 'malformed',
        detail: `signed passport is not a valid CallerContext: ${found.reason}`,
      };
    else if (found.status === 'malformed')
      verification = { status: 'malformed', reason: found.reason };
    else verification = await verifyWithResolved(found.passport, this.#verify);

    setPassportVerification(context, verification);
    if (this.#observe) {
      try {
        this.#observe(verification, context);
      } catch {
        // Monitoring must never decide whether a call is served.
      }
    }
    if (verification.status === 'failed' && this.#onFailed === 'reject') {
      throw new PassportRejectedError(
        'failed',
        verification.reason,
        `Secure Passport refused (${verification.reason}): ${verification.detail}`,
      );
    }
    if (this.#require === 'verified' && verification.status !== 'verified') {
      const reason = verification.status === 'failed' ? verification.reason : undefined;
      throw new PassportRejectedError(
        verification.status,
        reason,
        `A verified Secure Passport is required; this call's passport is ${verification.status}${reason ? ` (${reason})` : ''}`,
      );
    }
    if (verification.status === 'verified' || verification.status === 'unsigned') {
      context.addActivatedExtension(SECURE_PASSPORT_URI);
    }
  }
}
