import { randomUUID } from 'node:crypto';
import { ServerCallContext, UnauthenticatedUser, type User } from '@a2a-js/sdk/server';
import type { Scope } from '@a2a-stores/core';

/**
 * An authenticated caller, as an SDK user builder would produce it. The default scope resolver
 * takes the owner from `userName`.
 *
 * @example
 * ```ts
 * import { ServerCallContext } from '@a2a-js/sdk/server';
 * import { AuthenticatedTestUser } from '@a2a-stores/core/conformance';
 * const ctx = new ServerCallContext({ tenant: 'acme', user: new AuthenticatedTestUser('alice') });
 * ```
 */
export class AuthenticatedTestUser implements User {
  readonly #userName: string;
  constructor(userName: string) {
    this.#userName = userName;
  }
  get isAuthenticated(): boolean {
    return true;
  }
  get userName(): string {
    return this.#userName;
  }
}

/** A fresh id with a readable prefix, unique across processes sharing one database. */
export function randomId(prefix = 'id'): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * A scope no other test uses: a random tenant and a random authenticated owner. Every suite test
 * starts from one, which is why a shared database needs no wipes between tests.
 */
export function randomScope(): Scope {
  return { tenant: randomId('tenant'), owner: randomId('owner') };
}

/** Options of {@link callContext}. */
export interface CallContextOptions {
  /** A2A wire version of the call (the `A2A-Version` header); the SDK defaults to `'0.3'`. */
  readonly requestedVersion?: string;
}

/**
 * The `ServerCallContext` the default scope resolver maps to `scope`: `context.tenant` is the
 * tenant, and the owner is an authenticated user of that name. An empty owner builds an
 * unauthenticated call (the shared anonymous scope of the tenant).
 */
export function callContext(scope: Scope, options: CallContextOptions = {}): ServerCallContext {
  const user: User =
    scope.owner === '' ? new UnauthenticatedUser() : new AuthenticatedTestUser(scope.owner);
  return new ServerCallContext({
    tenant: scope.tenant,
    user,
    ...(options.requestedVersion === undefined
      ? {}
      : { requestedVersion: options.requestedVersion }),
  });
}

/** An unauthenticated call in `tenant`. */
export function anonymousContext(
  tenant: string,
  options: CallContextOptions = {},
): ServerCallContext {
  return callContext({ tenant, owner: '' }, options);
}
