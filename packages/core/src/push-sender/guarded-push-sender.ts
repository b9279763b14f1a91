import type { StreamResponse, Task, TaskPushNotificationConfig } from '@a2a-js/sdk';
import {
  type PushNotificationSender,
  type PushNotificationSerializer,
  type PushNotificationStore,
  type ServerCallContext,
  type StoredPushNotificationConfig,
  V1PushNotificationSerializer,
} from '@a2a-js/sdk/server';
import { InvalidInputError, PushUrlRejectedError } from '../errors.js';
import { fireHook } from '../hooks.js';
import { assertHeaderSafePushAuth } from '../push-url/header-safety.js';
import { countTelemetry } from '../telemetry/instruments.js';
import { PushDeliveryError } from './delivery-error.js';
import { postPinned } from './pinned-post.js';
import {
  type GuardedPushSenderOptions,
  type PushDeliveryEvent,
  type ResolvedSenderOptions,
  resolveSenderOptions,
} from './sender-options.js';

/** Wire version of configs from a store without `loadWithMetadata` and a call without one. */
const LEGACY_WIRE_VERSION = '0.3';
const V1_WIRE_VERSION = '1.0';

function taskIdOf(streamResponse: StreamResponse): string {
  const payload = streamResponse.payload;
  if (!payload) throw new Error('StreamResponse payload is undefined');
  switch (payload.$case) {
    case 'task':
      return payload.value.id;
    case 'statusUpdate':
    case 'artifactUpdate':
    case 'message':
      return payload.value.taskId;
    default:
      throw new Error(`Unknown payload case: ${(payload as { $case: string }).$case}`);
  }
}

/** HTTP statuses by which a webhook says it did not process the request and asks for a retry. */
const RETRY_STATUSES = new Set([429, 503]);

/** True when the request certainly did not reach the webhook's application. */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof PushDeliveryError)) return false;
  if (error.reason === 'connect-timeout') return true;
  if (error.reason === 'http-status') return RETRY_STATUSES.has(error.status ?? 0);
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return error.reason === 'connection-failed' && code === 'ECONNREFUSED';
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A serialiser threw: reported as `serialization-failed`, not as a network failure. */
class SerializationFailure extends Error {}

/** `scheme://host:port` of a URL, for logs: no credentials, path or query (they carry secrets). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * A drop-in for the SDK's `DefaultPushNotificationSender` that is safe against SSRF. Before
 * every POST it re-checks the config with the URL policy (the store checked it at save time,
 * but DNS may have changed, or the record may predate the policy), resolves the host once and
 * connects only to the addresses it validated, keeping `Host` and the TLS server name on the
 * URL's host. It never follows redirects (3xx is a failure), bounds connect time, total time
 * and the response size, keeps the SDK's per-wire-version serialisers and its auth headers
 * (`Authorization: <scheme> <credentials>`, else the token header), and never logs a token,
 * a credential, or the URL's path and query.
 *
 * @example
 * ```ts
 * import { DefaultRequestHandler } from '@a2a-js/sdk/server';
 * import { createMemoryStores, createPushUrlPolicy, GuardedPushNotificationSender } from '@a2a-stores/core';
 * const policy = createPushUrlPolicy({ allowInsecureLocalhost: process.env.NODE_ENV === 'development' });
 * const { taskStore, pushNotificationStore } = createMemoryStores({ pushUrlCheck: policy });
 * const sender = new GuardedPushNotificationSender(pushNotificationStore, { policy });
 * // new DefaultRequestHandler(card, taskStore, executor, undefined, pushNotificationStore, sender);
 * ```
 */
export class GuardedPushNotificationSender implements PushNotificationSender {
  readonly #store: PushNotificationStore;
  readonly #options: ResolvedSenderOptions;
  readonly #serializers = new Map<string, PushNotificationSerializer>();
  readonly #fallbackSerializer: PushNotificationSerializer;
  readonly #warnedVersions = new Set<string>();
  // Notifications of one task go out in order, as with the SDK's sender.
  readonly #chains = new Map<string, Promise<void>>();

  constructor(
    pushNotificationStore: PushNotificationStore,
    options: GuardedPushSenderOptions = {},
  ) {
    this.#store = pushNotificationStore;
    this.#options = resolveSenderOptions(options);
    this.#serializers.set(V1_WIRE_VERSION, new V1PushNotificationSerializer());
    for (const [version, serializer] of Object.entries(options.serializers ?? {})) {
      if (serializer) this.#serializers.set(version, serializer);
    }
    this.#fallbackSerializer = this.#serializers.get(V1_WIRE_VERSION)!;
  }

  /** Sends `streamResponse` to every webhook registered for its task. Never throws for a delivery. */
  async send(
    streamResponse: StreamResponse,
    context: ServerCallContext,
    task?: Task,
  ): Promise<void> {
    const taskId = taskIdOf(streamResponse);
    if (!taskId) return;
    const configs = await this.#loadConfigs(taskId, context);
    if (configs.length === 0) return;
    const previous = this.#chains.get(taskId) ?? Promise.resolve();
    const current = previous
      .catch(() => {})
      .then(async () => {
        await Promise.all(
          configs.map((stored) => this.#dispatch(streamResponse, stored, taskId, task)),
        );
      });
    this.#chains.set(taskId, current);
    try {
      await current;
    } finally {
      if (this.#chains.get(taskId) === current) this.#chains.delete(taskId);
    }
  }

  async #loadConfigs(
    taskId: string,
    context: ServerCallContext,
  ): Promise<StoredPushNotificationConfig[]> {
    if (this.#store.loadWithMetadata) return this.#store.loadWithMetadata(taskId, context);
    const wireVersion = context.requestedVersion || LEGACY_WIRE_VERSION;
    return (await this.#store.load(taskId, context)).map((config) => ({ config, wireVersion }));
  }

  #serializerFor(wireVersion: string): PushNotificationSerializer {
    const serializer = this.#serializers.get(wireVersion);
    if (serializer) return serializer;
    if (!this.#warnedVersions.has(wireVersion)) {
      this.#warnedVersions.add(wireVersion);
      this.#options.logger.warn(
        `No push notification serializer for wire version ${JSON.stringify(wireVersion)}; using ${V1_WIRE_VERSION}`,
      );
    }
    return this.#fallbackSerializer;
  }

  #authHeaders(config: TaskPushNotificationConfig): Record<string, string> {
    if (config.authentication?.scheme && config.authentication?.credentials) {
      return {
        authorization: `${config.authentication.scheme} ${config.authentication.credentials}`,
      };
    }
    if (config.token) return { [this.#options.tokenHeaderName]: config.token };
    return {};
  }

  async #dispatch(
    streamResponse: StreamResponse,
    stored: StoredPushNotificationConfig,
    taskId: string,
    task: Task | undefined,
  ): Promise<void> {
    const { config, wireVersion } = stored;
    const base = { taskId, configId: config.id, origin: originOf(config.url) };
    let event: PushDeliveryEvent;
    let attempts = 0;
    try {
      // Stored before the header rules existed, or written around the store: re-checked here.
      assertHeaderSafePushAuth(config);
      let serialized: { body: string; contentType: string };
      try {
        serialized = this.#serializerFor(wireVersion).serialize(streamResponse, task);
      } catch (error) {
        throw new SerializationFailure('the serializer failed', { cause: error });
      }
      const headers = { 'content-type': serialized.contentType, ...this.#authHeaders(config) };
      for (;;) {
        attempts++;
        try {
          // Validated again on every attempt: DNS may answer differently by now.
          const target = await this.#options.policy.validate(config.url);
          const { status } = await postPinned(
            { target, headers, body: serialized.body },
            this.#options.limits,
          );
          event = { ...base, outcome: 'delivered', status, attempts };
          break;
        } catch (error) {
          if (attempts > this.#options.retries || !isRetryable(error)) throw error;
          await delay(this.#options.initialRetryDelayMs * 2 ** (attempts - 1));
        }
      }
    } catch (error) {
      event = { ...this.#failureEvent(base, error as Error), attempts };
      this.#options.logger.warn(
        `Push notification for task ${JSON.stringify(taskId)} to ${base.origin} ${event.outcome}: ${event.reason}`,
      );
    }
    countTelemetry('pushDeliveries', 1, {
      'a2a_stores.push.outcome': event.outcome,
      ...(event.reason === undefined ? {} : { 'a2a_stores.push.reason': event.reason }),
    });
    fireHook(this.#options.onDelivery, event);
  }

  #failureEvent(
    base: Pick<PushDeliveryEvent, 'taskId' | 'configId' | 'origin'>,
    error: Error,
  ): PushDeliveryEvent {
    if (error instanceof PushUrlRejectedError) {
      return {
        ...base,
        outcome: 'refused',
        reason: error.policyReason as PushDeliveryEvent['reason'],
        error,
      };
    }
    if (error instanceof InvalidInputError)
      return { ...base, outcome: 'refused', reason: 'unsafe-headers', error };
    if (error instanceof PushDeliveryError) {
      return {
        ...base,
        outcome: 'failed',
        reason: error.reason,
        ...(error.status === undefined ? {} : { status: error.status }),
        error,
      };
    }
    if (error instanceof SerializationFailure) {
      return { ...base, outcome: 'failed', reason: 'serialization-failed', error };
    }
    return { ...base, outcome: 'failed', reason: 'connection-failed', error };
  }
}
