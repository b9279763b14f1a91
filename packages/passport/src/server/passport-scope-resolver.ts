import {
  ANONYMOUS_OWNER,
  defaultScopeResolver,
  ScopeResolutionError,
  type ScopeResolver,
} from '@a2a-stores/core';
import { PASSPORT_OWNER_PREFIX } from '../constants.js';
import { getPassportVerification } from './call-state.js';

/** Options of {@link passportScopeResolver}. */
export interface PassportScopeResolverOptions {
  /**
   * Calls without a verified passport (absent, malformed, unsigned, or failed and ignored):
   * - `'reject'`: throw `ScopeResolutionError` (pair it with the handler's `require: 'verified'`,
   *   which refuses such calls earlier, as client errors, before any work);
   * - `'anonymous'`: the tenant's shared anonymous owner (`''`);
   * - `'fallback'`: whatever `fallback` decides, e.g. the authenticated user.
   * An unsigned passport's `clientId` is never used: it is only the caller's claim.
   */
  readonly unsigned: 'reject' | 'anonymous' | 'fallback';
  /**
   * Resolver for `'fallback'`. Default `defaultScopeResolver({ anonymous: 'reject' })` from core
   * (the authenticated `user.userName`, else refused). It may not return an owner starting with
   * `passport:`, which is reserved for verified passports.
   */
  readonly fallback?: ScopeResolver;
}

/**
 * The owner a verified client id is stored under: `passport:<clientId>`. Since the fallback may
 * never produce an owner with that prefix and the anonymous owner is `''`, a passport scope can
 * never coincide with a user's or the anonymous one, however a user is named.
 */
export function passportOwner(clientId: string): string {
  return PASSPORT_OWNER_PREFIX + clientId;
}

/**
 * A core `ScopeResolver` for any a2a-stores store: a call with a verified passport is scoped to
 * `{ tenant: context.tenant ?? '', owner: 'passport:<clientId>' }`, so two calling agents never
 * see each other's tasks or push configs; other calls follow `unsigned`. It reads what
 * `PassportRequestHandler` recorded on the context, and throws `ScopeResolutionError` when
 * nothing was recorded (the handler is not installed): failing loudly beats silently treating
 * every caller as anonymous.
 *
 * @example
 * ```ts
 * import { createMemoryStores } from '@a2a-stores/core';
 * import { passportScopeResolver } from '@a2a-stores/passport';
 * const stores = createMemoryStores({ scopeResolver: passportScopeResolver({ unsigned: 'fallback' }) });
 * ```
 */
export function passportScopeResolver(options: PassportScopeResolverOptions): ScopeResolver {
  const policy = options?.unsigned;
  if (policy !== 'reject' && policy !== 'anonymous' && policy !== 'fallback') {
    throw new TypeError("unsigned must be 'reject', 'anonymous' or 'fallback'");
  }
  const fallback = options.fallback ?? defaultScopeResolver({ anonymous: 'reject' });
  return (context) => {
    const tenant = context.tenant ?? '';
    const verification = getPassportVerification(context);
    if (!verification) {
      throw new ScopeResolutionError(
        'No passport verification was recorded for this call; wrap the request handler in PassportRequestHandler',
      );
    }
    if (verification.status === 'verified')
      return { tenant, owner: passportOwner(verification.clientId) };
    if (policy === 'reject') {
      throw new ScopeResolutionError(
        `A verified Secure Passport is required (this call's is ${verification.status})`,
      );
    }
    if (policy === 'anonymous') return { tenant, owner: ANONYMOUS_OWNER };
    const scope = fallback(context);
    if (typeof scope?.owner === 'string' && scope.owner.startsWith(PASSPORT_OWNER_PREFIX)) {
      throw new ScopeResolutionError(
        `Owners starting with "${PASSPORT_OWNER_PREFIX}" are reserved for verified passports`,
      );
    }
    return scope;
  };
}
