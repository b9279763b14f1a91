/** Why a webhook POST that the policy allowed still did not deliver. */
export type PushDeliveryFailure =
  /** TCP connection not established within `connectTimeout`. */
  | 'connect-timeout'
  /** The whole exchange (connect, TLS, request, response) exceeded `timeout`. */
  | 'timeout'
  /** Connection refused or reset, TLS failure (certificate, name), malformed response. */
  | 'connection-failed'
  /** A 3xx answer: redirects are never followed (the target could be anywhere). */
  | 'redirect'
  /** A final status outside 2xx. */
  | 'http-status'
  /** The response body exceeded `maxResponseBytes`. */
  | 'response-too-large';

/**
 * A webhook delivery failed. Reported through the sender's `onDelivery` hook; `send` itself
 * never throws for a failed delivery (like the SDK's sender). Messages carry no header values.
 */
export class PushDeliveryError extends Error {
  readonly reason: PushDeliveryFailure;
  /** The HTTP status, for `http-status` and `redirect`. */
  readonly status: number | undefined;
  constructor(
    reason: PushDeliveryFailure,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PushDeliveryError';
    this.reason = reason;
    this.status = options?.status;
  }
}
