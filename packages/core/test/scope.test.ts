import { ServerCallContext, UnauthenticatedUser } from '@a2a-js/sdk/server';
import { describe, expect, it } from 'vitest';
import { AuthenticatedTestUser } from '../src/conformance/index.js';
import {
  ANONYMOUS_OWNER,
  defaultScopeResolver,
  resolveScope,
  ScopeResolutionError,
  type ScopeResolver,
} from '../src/index.js';

function recordingLogger() {
  const messages: string[] = [];
  return { messages, warn: (message: string) => void messages.push(message) };
}

describe('defaultScopeResolver', () => {
  it('takes the tenant from context.tenant and the owner from the authenticated userName', () => {
    const resolve = defaultScopeResolver();
    const ctx = new ServerCallContext({ tenant: 'acme', user: new AuthenticatedTestUser('alice') });
    expect(resolve(ctx)).toEqual({ tenant: 'acme', owner: 'alice' });
  });

  it("uses '' as the tenant when the call names none", () => {
    const ctx = new ServerCallContext({ user: new AuthenticatedTestUser('bob') });
    expect(defaultScopeResolver()(ctx)).toEqual({ tenant: '', owner: 'bob' });
  });

  it("'shared' (the default) maps unauthenticated calls to the anonymous owner and warns once", () => {
    const logger = recordingLogger();
    const resolve = defaultScopeResolver({ logger });
    for (const user of [undefined, new UnauthenticatedUser()]) {
      expect(resolve(new ServerCallContext({ tenant: 't', user }))).toEqual({
        tenant: 't',
        owner: ANONYMOUS_OWNER,
      });
    }
    expect(logger.messages).toHaveLength(1);
  });

  it('the warning never names the tenant', () => {
    const logger = recordingLogger();
    defaultScopeResolver({ logger })(new ServerCallContext({ tenant: 'secret-tenant-name' }));
    expect(logger.messages.join(' ')).not.toContain('secret-tenant-name');
  });

  it("'reject' throws ScopeResolutionError for unauthenticated calls and never warns", () => {
    const logger = recordingLogger();
    const resolve = defaultScopeResolver({ anonymous: 'reject', logger });
    expect(() => resolve(new ServerCallContext({ tenant: 't' }))).toThrow(ScopeResolutionError);
    expect(() => resolve(new ServerCallContext({ user: new UnauthenticatedUser() }))).toThrow(
      ScopeResolutionError,
    );
    expect(resolve(new ServerCallContext({ user: new AuthenticatedTestUser('carol') }))).toEqual({
      tenant: '',
      owner: 'carol',
    });
    expect(logger.messages).toEqual([]);
  });

  it('an authenticated user with an empty name is refused rather than made anonymous', () => {
    const ctx = new ServerCallContext({ user: new AuthenticatedTestUser('') });
    expect(() => defaultScopeResolver()(ctx)).toThrow(ScopeResolutionError);
  });

  it('refuses an unknown policy up front', () => {
    expect(() => defaultScopeResolver({ anonymous: 'open' as never })).toThrow(TypeError);
  });

  it('carries the stable code SCOPE_UNRESOLVED', () => {
    expect(() => defaultScopeResolver({ anonymous: 'reject' })(new ServerCallContext())).toThrow(
      expect.objectContaining({ code: 'SCOPE_UNRESOLVED', name: 'ScopeResolutionError' }),
    );
  });
});

describe('resolveScope', () => {
  const ctx = new ServerCallContext({ tenant: 'x', user: new AuthenticatedTestUser('y') });

  it('passes a valid custom scope through', () => {
    const byState: ScopeResolver = (c) => ({
      tenant: String(c.state.get('org') ?? 'none'),
      owner: 'svc',
    });
    expect(resolveScope(byState, ctx)).toEqual({ tenant: 'none', owner: 'svc' });
  });

  it.each([
    ['undefined', undefined],
    ['a non-string tenant', { tenant: 1, owner: 'o' }],
    ['a missing owner', { tenant: 't' }],
    ['an over-long tenant', { tenant: 't'.repeat(256), owner: 'o' }],
    ['an over-long owner', { tenant: 't', owner: 'o'.repeat(256) }],
  ])('refuses a resolver returning %s', (_, scope) => {
    expect(() => resolveScope(() => scope as never, ctx)).toThrow(ScopeResolutionError);
  });

  it('refuses a missing context', () => {
    expect(() => resolveScope(defaultScopeResolver(), undefined as never)).toThrow(
      ScopeResolutionError,
    );
  });
});
