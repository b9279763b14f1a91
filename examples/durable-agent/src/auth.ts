import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthenticatedUser, type User } from '@a2a-js/sdk/server';
import type { UserBuilder } from '@a2a-js/sdk/server/express';
import type { Request, RequestHandler } from 'express';

/** The demo users when `A2A_AGENT_USERS` is unset. Their secrets are public: demo only. */
export const DEMO_USERS = 'alice:alice-secret,bob:bob-secret';

/** Known users: name → SHA-256 of the secret (fixed length, so comparison is constant-time). */
export type UserDirectory = ReadonlyMap<string, Buffer>;

/** An authenticated caller; the stores' default scope resolver makes `userName` the owner. */
export class BearerUser implements User {
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  get isAuthenticated(): boolean {
    return true;
  }
  get userName(): string {
    return this.#name;
  }
}

/** Parses `name:secret,name:secret`. Throws on an empty name or secret or a duplicate name. */
export function parseUsers(spec: string): UserDirectory {
  const users = new Map<string, Buffer>();
  for (const entry of spec.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const colon = trimmed.indexOf(':');
    const name = colon > 0 ? trimmed.slice(0, colon) : '';
    const secret = colon > 0 ? trimmed.slice(colon + 1) : '';
    if (name === '' || secret === '') {
      throw new Error('A2A_AGENT_USERS entries must look like name:secret (comma separated)');
    }
    if (users.has(name)) throw new Error('A2A_AGENT_USERS names a user twice');
    users.set(name, digest(secret));
  }
  if (users.size === 0) throw new Error('A2A_AGENT_USERS names no user');
  return users;
}

/** What an `Authorization` header proves: a user, nobody (no header), or a bad credential. */
export type AuthOutcome =
  | { kind: 'user'; user: User }
  | { kind: 'anonymous' }
  | { kind: 'invalid' };

const BEARER = /^Bearer +(\S+)$/i;
// Compared against when the user is unknown, so a miss costs the same as a wrong secret.
const NO_SUCH_USER = digest('\0no-such-user\0');

/** Checks `Authorization: Bearer <user>:<secret>` against the directory. */
export function authenticate(header: string | undefined, users: UserDirectory): AuthOutcome {
  if (header === undefined || header === '') return { kind: 'anonymous' };
  const token = BEARER.exec(header)?.[1];
  const colon = token ? token.indexOf(':') : -1;
  if (!token || colon <= 0) return { kind: 'invalid' };
  const name = token.slice(0, colon);
  const expected = users.get(name);
  const matches = timingSafeEqual(digest(token.slice(colon + 1)), expected ?? NO_SUCH_USER);
  return matches && expected ? { kind: 'user', user: new BearerUser(name) } : { kind: 'invalid' };
}

/** The express middleware that authenticates and the SDK `UserBuilder` that reads its result. */
export interface BearerAuth {
  /** Answers 401 to a bad credential before the A2A handlers run; lets anonymous calls through. */
  readonly middleware: RequestHandler;
  /** The authenticated user of a request, or the SDK's `UnauthenticatedUser`. */
  readonly userBuilder: UserBuilder;
}

/**
 * Demo bearer authentication. Unauthenticated calls are allowed and land in the stores' shared
 * anonymous scope; a present but wrong credential is refused, so a typo never silently becomes
 * anonymous access.
 */
export function createBearerAuth(users: UserDirectory): BearerAuth {
  const authenticated = new WeakMap<Request, User>();
  return {
    middleware: (req, res, next) => {
      const outcome = authenticate(req.header('authorization'), users);
      if (outcome.kind === 'invalid') {
        res
          .status(401)
          .set('WWW-Authenticate', 'Bearer realm="durable-agent"')
          .json({ error: 'invalid bearer token; expected Authorization: Bearer <user>:<secret>' });
        return;
      }
      if (outcome.kind === 'user') authenticated.set(req, outcome.user);
      next();
    },
    userBuilder: async (req) => authenticated.get(req) ?? new UnauthenticatedUser(),
  };
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
