import type { ServerCallContext } from '@a2a-js/sdk/server';
import type { PassportVerification } from '../verify-result.js';

/**
 * Key of `ServerCallContext.state` under which `PassportRequestHandler` stores the
 * {@link PassportVerification} of the current call.
 */
export const PASSPORT_STATE_KEY = 'a2a-stores.passport';

/**
 * The passport verification of a call, as recorded by `PassportRequestHandler`; `undefined` when
 * no passport handler ran for this call. In an executor: `getPassportVerification(requestContext.context)`.
 *
 * @example
 * ```ts
 * import { getPassportVerification } from '@a2a-stores/passport';
 * const passport = getPassportVerification(requestContext.context);
 * const currency = passport?.status === 'verified' ? passport.state['user_preferred_currency'] : undefined;
 * ```
 */
export function getPassportVerification(
  context: ServerCallContext | undefined,
): PassportVerification | undefined {
  const value = context?.state.get(PASSPORT_STATE_KEY);
  return isVerification(value) ? value : undefined;
}

/**
 * Records a verification on a context. `PassportRequestHandler` does this for every call; use it
 * yourself only for store calls made outside the handler (a maintenance job, for instance), so
 * `passportScopeResolver` knows what the call carried (e.g. `{ status: 'absent' }`).
 */
export function setPassportVerification(
  context: ServerCallContext,
  verification: PassportVerification,
): void {
  context.state.set(PASSPORT_STATE_KEY, Object.freeze(verification));
}

function isVerification(value: unknown): value is PassportVerification {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { status?: unknown }).status === 'string'
  );
}
