import type { DefaultPushNotificationSenderOptions } from '@a2a-js/sdk/server';
import type { StoreLogger } from '../hooks.js';
import { createPushUrlPolicy, type PushUrlPolicy } from '../push-url/push-url-policy.js';
import type { PushUrlRejectionReason } from '../push-url/rejection.js';
import type { PushDeliveryFailure } from './delivery-error.js';
import type { PinnedPostLimits } from './pinned-post.js';

/** What happened to one notification for one push config. */
export interface PushDeliveryEvent {
  readonly taskId: string;
  readonly configId: string;
  /** `scheme://host:port` of the webhook: never its path, query or credentials. */
  readonly origin: string;
  /**
   * `delivered`: a complete 2xx answer. `refused`: the URL policy or the header checks refused
   * the config, nothing was sent. `failed`: sent, or attempted, without a 2xx answer.
   */
  readonly outcome: 'delivered' | 'refused' | 'failed';
  /** The HTTP status, when one was received. */
  readonly status?: number;
  /** Why it was refused or failed. */
  readonly reason?:
    | PushUrlRejectionReason
    | PushDeliveryFailure
    | 'unsafe-headers'
    | 'serialization-failed';
  readonly error?: Error;
  /** POST attempts made (1 when the first one settled it). */
  readonly attempts?: number;
}

/**
 * Retries of a delivery that certainly did not reach the webhook's application: the TCP
 * connection was refused or not established in time, or the webhook answered 429 or 503. A
 * request the webhook may have processed (a timeout mid-exchange, other statuses) is never
 * sent twice.
 */
export interface PushRetryOptions {
  /** Extra attempts after the first. Default 2; 0 disables retries. */
  readonly retries?: number;
  /** Wait before the first retry, doubled for each further one, in ms. Default 250. */
  readonly initialDelayMs?: number;
}

/**
 * Options of {@link GuardedPushNotificationSender}. `timeout`, `tokenHeaderName` and
 * `serializers` mean what they mean for the SDK's `DefaultPushNotificationSender`.
 */
export interface GuardedPushSenderOptions {
  /**
   * The URL policy re-checked before every POST; use the same policy as the store. Default: the
   * strict `createPushUrlPolicy()`.
   */
  readonly policy?: PushUrlPolicy;
  /** Whole exchange per webhook, in ms. Default 5000 (the SDK's). */
  readonly timeout?: number;
  /** TCP connect, in ms. Default 3000, never above `timeout`. */
  readonly connectTimeout?: number;
  /** Largest response body read from a webhook. Default 64 KiB. */
  readonly maxResponseBytes?: number;
  /** Largest response head (status line and headers). Default 16 KiB. */
  readonly maxResponseHeaderBytes?: number;
  /** Header carrying `config.token` when there is no `authentication`. Default `X-A2A-Notification-Token`. */
  readonly tokenHeaderName?: string;
  /** Per-wire-version serialisers, over the built-in v1.0 one (e.g. the SDK's v0.3 compat one). */
  readonly serializers?: DefaultPushNotificationSenderOptions['serializers'];
  /** CA certificates trusted for https webhooks, replacing Node's defaults (a private CA). */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Receives one warning per failed or refused delivery (origin and reason only). Default console. */
  readonly logger?: StoreLogger;
  /** Called once per config and notification with the outcome; exceptions are swallowed. */
  readonly onDelivery?: (event: PushDeliveryEvent) => void;
  /** Bounded retries of deliveries that never reached the webhook. */
  readonly retry?: PushRetryOptions;
}

/** {@link GuardedPushSenderOptions} with defaults applied and values checked. */
export interface ResolvedSenderOptions {
  readonly policy: PushUrlPolicy;
  readonly limits: PinnedPostLimits;
  readonly tokenHeaderName: string;
  readonly logger: StoreLogger;
  readonly onDelivery: ((event: PushDeliveryEvent) => void) | undefined;
  readonly retries: number;
  readonly initialRetryDelayMs: number;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function nonNegativeInteger(value: number | undefined, fallback: number, name: string): number {
  const result = value ?? fallback;
  if (!Number.isSafeInteger(result) || result < 0 || result > 10) {
    throw new TypeError(`${name} must be an integer from 0 to 10`);
  }
  return result;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result <= 0)
    throw new TypeError(`${name} must be a positive number`);
  return result;
}

export function resolveSenderOptions(options: GuardedPushSenderOptions): ResolvedSenderOptions {
  const timeoutMs = positive(options.timeout, 5_000, 'timeout');
  const tokenHeaderName = options.tokenHeaderName ?? 'X-A2A-Notification-Token';
  if (!HEADER_NAME.test(tokenHeaderName))
    throw new TypeError('tokenHeaderName must be an HTTP header name');
  if (options.policy !== undefined && typeof options.policy.validate !== 'function') {
    throw new TypeError('policy must come from createPushUrlPolicy()');
  }
  return {
    policy: options.policy ?? createPushUrlPolicy(),
    limits: {
      timeoutMs,
      connectTimeoutMs: Math.min(
        positive(options.connectTimeout, 3_000, 'connectTimeout'),
        timeoutMs,
      ),
      maxResponseBytes: positive(options.maxResponseBytes, 64 * 1024, 'maxResponseBytes'),
      maxResponseHeaderBytes: positive(
        options.maxResponseHeaderBytes,
        16 * 1024,
        'maxResponseHeaderBytes',
      ),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    },
    tokenHeaderName,
    logger: options.logger ?? { warn: (message) => console.warn(message) },
    onDelivery: options.onDelivery,
    retries: nonNegativeInteger(options.retry?.retries, 2, 'retry.retries'),
    initialRetryDelayMs: positive(options.retry?.initialDelayMs, 250, 'retry.initialDelayMs'),
  };
}
