import { RequestMalformedError } from '@a2a-js/sdk/errors';

/**
 * A passport handed to `attachPassport` or `signPassport` does not satisfy the CallerContext
 * model (unknown field, missing `clientId`, `state` not a JSON object, over a limit...). A
 * programming error on the calling side: nothing was attached or signed.
 */
export class InvalidPassportError extends TypeError {
  /** What is wrong, e.g. `unknown field "extra"`. Never contains `state` values. */
  readonly detail: string;
  constructor(detail: string) {
    super(`Invalid Secure Passport: ${detail}`);
    this.name = 'InvalidPassportError';
    this.detail = detail;
  }
}

/**
 * The passport policy of `PassportRequestHandler` refused a call (no verified passport where one
 * is required, or a signed passport that failed verification). It extends the SDK's
 * `RequestMalformedError`, so the transports answer it as a client error (JSON-RPC -32602 /
 * HTTP 400) rather than an internal error.
 */
export class PassportRejectedError extends RequestMalformedError {
  /** The verification status of the refused call (`absent`, `malformed`, `unsigned`, `failed`). */
  readonly passportStatus: string;
  /** The failure reason code when `passportStatus` is `failed`, e.g. `bad_signature`. */
  readonly passportReason: string | undefined;
  constructor(passportStatus: string, passportReason: string | undefined, message: string) {
    super({
      message,
      metadata: passportReason ? { passportStatus, passportReason } : { passportStatus },
    });
    // The SDK's transports pick the wire error code by `name`, so it must stay the SDK's; this
    // class's identity is `instanceof` (the SDK's check walks the prototype chain).
    this.name = 'RequestMalformedError';
    this.passportStatus = passportStatus;
    this.passportReason = passportReason;
  }
}

/**
 * A key resolver could not obtain keys (JWKS fetch failed, timed out, was too large or not JSON).
 * Verification reports it as `keys_unavailable`; custom resolvers throw it for the same outcome.
 */
export class PassportKeysUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PassportKeysUnavailableError';
  }
}

/**
 * A replay cache cannot tell whether a nonce was seen (backend down, memory cache full).
 * Verification then fails closed with `replay_cache_unavailable`.
 */
export class ReplayCacheUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplayCacheUnavailableError';
  }
}
