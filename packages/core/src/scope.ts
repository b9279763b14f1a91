import type { ServerCallContext } from '@a2a-js/sdk/server';
import { ScopeResolutionError } from './errors.js';
import type { StoreLogger } from './hooks.js';
import { countTelemetry } from './telemetry/instruments.js';

/**
 * The partition every record lives in. Every read, write, list and delete filters by the whole
 * scope, so a task id that exists in another scope is indistinguishable from a missing one.
 */
export interface Scope {
  /** Tenant, from `context.tenant` by default; `''` when the call names none. */
  readonly tenant: string;
  /** Owner, the authenticated `user.userName` by default; `''` is the shared anonymous owner. */
  readonly owner: string;
}

/**
 * Derives the scope of a call. Runs on every store call, so it must be cheap and synchronous.
 *
 * @example
 * ```ts
 * import type { ScopeResolver } from '@a2a-stores/core';
 * const byOrg: ScopeResolver = (ctx) => ({
 *   tenant: String(ctx.state.get('orgId') ?? ''),
 *   owner: ctx.user?.userName ?? '',
 * });
 * ```
 */
export type ScopeResolver = (context: ServerCallContext) => Scope;

/** How the default resolver treats calls without an authenticated user. */
export type AnonymousPolicy = 'shared' | 'reject';

export interface DefaultScopeResolverOptions {
  /**
   * `'shared'` (default, like the seed): every unauthenticated call of a tenant shares one
   * anonymous owner (`''`), with a one-time warning. `'reject'`: throw `ScopeResolutionError`.
   */
  anonymous?: AnonymousPolicy;
  /** Receives the one-time warning of the `'shared'` policy; never told tenant or owner names. */
  logger?: StoreLogger;
}

/** The owner value of the shared anonymous scope. No authenticated user can have it. */
export const ANONYMOUS_OWNER = '';

/**
 * The default resolver: tenant from `context.tenant` (`''` when absent), owner from the
 * authenticated `user.userName`.
 *
 * @example
 * ```ts
 * import { defaultScopeResolver } from '@a2a-stores/core';
 * const strict = defaultScopeResolver({ anonymous: 'reject' });
 * ```
 */
export function defaultScopeResolver(options: DefaultScopeResolverOptions = {}): ScopeResolver {
  const policy = options.anonymous ?? 'shared';
  if (policy !== 'shared' && policy !== 'reject') {
    throw new TypeError(`anonymous must be 'shared' or 'reject', got ${String(policy)}`);
  }
  let warned = false;
  return (context) => {
    const tenant = context.tenant ?? '';
    const user = context.user;
    if (user?.isAuthenticated) {
      const owner = user.userName;
      if (typeof owner !== 'string' || owner.length === 0) {
        // An authenticated user without a name would otherwise land in the anonymous scope.
        throw new ScopeResolutionError('Authenticated user has an empty userName');
      }
      return { tenant, owner };
    }
    if (policy === 'reject') {
      throw new ScopeResolutionError(
        'Unauthenticated calls are refused by this store',
        'unauthenticated',
      );
    }
    if (!warned) {
      warned = true;
      options.logger?.warn(
        'a2a-stores: unauthenticated calls share one anonymous scope per tenant; use anonymous: "reject" to refuse them',
      );
    }
    return { tenant, owner: ANONYMOUS_OWNER };
  };
}

/** Runs a resolver and checks what it returned, so a buggy custom resolver fails loudly. */
export function resolveScope(resolver: ScopeResolver, context: ServerCallContext): Scope {
  try {
    return checkedScope(resolver, context);
  } catch (error) {
    if (error instanceof ScopeResolutionError) {
      countTelemetry('scopeRefusals', 1, { 'a2a_stores.scope.failure': error.failure });
    }
    throw error;
  }
}

function checkedScope(resolver: ScopeResolver, context: ServerCallContext): Scope {
  if (!context) throw new ScopeResolutionError('A ServerCallContext is required');
  const scope = resolver(context);
  if (
    !scope ||
    typeof scope.tenant !== 'string' ||
    typeof scope.owner !== 'string' ||
    scope.tenant.length > 255 ||
    scope.owner.length > 255
  ) {
    throw new ScopeResolutionError(
      'Scope resolver must return { tenant, owner } strings of at most 255 characters',
    );
  }
  // A lone surrogate becomes U+FFFD in UTF-8 (every driver's wire encoding), so two distinct
  // tenants would share one stored scope; PostgreSQL text refuses NUL outright.
  if (
    !scope.tenant.isWellFormed() ||
    !scope.owner.isWellFormed() ||
    scope.tenant.includes('\u0000') ||
    scope.owner.includes('\u0000')
  ) {
    throw new ScopeResolutionError(
      'Scope tenant and owner must not contain NUL or unpaired surrogates',
    );
  }
  return scope;
}
