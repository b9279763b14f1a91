import type { Message } from '@a2a-js/sdk';
import {
  type CallerContext,
  carriesSignature,
  parseCallerContext,
  validateCallerContext,
} from './caller-context.js';
import { SECURE_PASSPORT_URI } from './constants.js';

/** What {@link readPassport} found in a message. */
export type ReadPassportResult =
  | { readonly status: 'absent' }
  | { readonly status: 'ok'; readonly passport: CallerContext }
  | {
      readonly status: 'malformed';
      readonly reason: string;
      /**
       * Present (`true`) when the refused input carried a `signature`: the caller meant it to be
       * verified, so a server must refuse it as a failed passport rather than ignore it.
       */
      readonly signed?: true;
    };

/**
 * Returns a copy of `message` carrying `passport` in `metadata[SECURE_PASSPORT_URI]` and the URI
 * in `extensions`. The input message is not mutated (the SDK client may reuse it); other metadata
 * is kept, and a passport already there is replaced. The passport is validated and copied, so
 * later changes to the caller's object do not reach the message.
 *
 * @throws InvalidPassportError when `passport` does not satisfy the CallerContext model.
 *
 * @example
 * ```ts
 * import { attachPassport } from '@a2a-stores/passport';
 * const sent = attachPassport(message, {
 *   clientId: 'a2a://ecommerce-front.com',
 *   state: { product_sku: 'Nikon-Z-50mm-f1.8' },
 * });
 * ```
 */
export function attachPassport<M extends Message>(message: M, passport: CallerContext): M {
  const copy = validateCallerContext(passport);
  const extensions = message.extensions ?? [];
  return {
    ...message,
    metadata: { ...(message.metadata ?? {}), [SECURE_PASSPORT_URI]: copy },
    extensions: extensions.includes(SECURE_PASSPORT_URI)
      ? [...extensions]
      : [...extensions, SECURE_PASSPORT_URI],
  };
}

/**
 * Reads the passport of a message. Never throws: a passport that does not satisfy the model
 * (unknown field, wrong types, over a limit, unreadable) is reported as `malformed` with a reason
 * that never contains state values, so the caller can ignore it, like the guide does, unless it
 * carried a `signature` (then `signed: true`, and it must be refused, never ignored). The
 * returned passport is a frozen copy; it says nothing about authenticity until verified.
 *
 * @example
 * ```ts
 * import { readPassport } from '@a2a-stores/passport';
 * const found = readPassport(requestContext.userMessage);
 * if (found.status === 'ok') console.log(found.passport.state['user_preferred_currency']);
 * ```
 */
export function readPassport(
  message: { readonly metadata?: unknown } | null | undefined,
): ReadPassportResult {
  try {
    const metadata = message?.metadata;
    if (
      typeof metadata !== 'object' ||
      metadata === null ||
      !Object.hasOwn(metadata, SECURE_PASSPORT_URI)
    ) {
      return { status: 'absent' };
    }
    const raw = (metadata as Record<string, unknown>)[SECURE_PASSPORT_URI];
    if (raw === undefined || raw === null) return { status: 'absent' };
    return fromParse(raw);
  } catch {
    return { status: 'malformed', reason: 'message metadata could not be read' };
  }
}

/** The read result of an untrusted passport value (message metadata or decoded header). */
export function fromParse(raw: unknown): ReadPassportResult {
  const parsed = parseCallerContext(raw);
  if (parsed.ok) return { status: 'ok', passport: parsed.passport };
  return carriesSignature(raw)
    ? { status: 'malformed', reason: parsed.reason, signed: true }
    : { status: 'malformed', reason: parsed.reason };
}
