import { ServerCallContext, UnauthenticatedUser, type User } from '@a2a-js/sdk/server';
import type { Scope } from '@a2a-stores/core';

/**
 * Builds the call context a store's scope resolver maps to `scope`. Rotation runs outside any
 * request, so it makes its own contexts; `requestedVersion` carries a push config's wire version
 * so re-saving keeps it.
 */
export type ScopeContextFactory = (scope: Scope, requestedVersion?: string) => ServerCallContext;

/**
 * The context core's `defaultScopeResolver` maps to `scope`: `tenant` from the scope, an
 * authenticated user named after the owner (an unauthenticated one for the anonymous owner `''`).
 * Stores with a custom resolver pass their own {@link ScopeContextFactory}.
 */
export function defaultScopeContext(scope: Scope, requestedVersion?: string): ServerCallContext {
  const user: User =
    scope.owner === ''
      ? new UnauthenticatedUser()
      : { isAuthenticated: true, userName: scope.owner };
  return new ServerCallContext({
    tenant: scope.tenant,
    user,
    ...(requestedVersion === undefined ? {} : { requestedVersion }),
  });
}
