import { describe, expect, it } from 'vitest';
import { authenticate, DEMO_USERS, parseUsers } from '../src/auth.js';

describe('parseUsers', () => {
  it('reads the demo users', () => {
    expect([...parseUsers(DEMO_USERS).keys()]).toEqual(['alice', 'bob']);
  });

  it('keeps colons inside secrets and refuses malformed entries', () => {
    expect(authenticate('Bearer carol:a:b', parseUsers('carol:a:b'))).toMatchObject({
      kind: 'user',
    });
    expect(() => parseUsers('nobody')).toThrow(/name:secret/);
    expect(() => parseUsers(':secret')).toThrow(/name:secret/);
    expect(() => parseUsers('a:1,a:2')).toThrow(/twice/);
    expect(() => parseUsers(' , ')).toThrow(/no user/);
  });
});

describe('authenticate', () => {
  const users = parseUsers(DEMO_USERS);

  it('maps a valid bearer token to an authenticated SDK user', () => {
    const outcome = authenticate('Bearer alice:alice-secret', users);
    expect(outcome.kind).toBe('user');
    if (outcome.kind !== 'user') return;
    expect(outcome.user.isAuthenticated).toBe(true);
    expect(outcome.user.userName).toBe('alice');
    expect(authenticate('bearer bob:bob-secret', users)).toMatchObject({ kind: 'user' });
  });

  it('treats a missing header as anonymous', () => {
    expect(authenticate(undefined, users)).toEqual({ kind: 'anonymous' });
    expect(authenticate('', users)).toEqual({ kind: 'anonymous' });
  });

  it('refuses wrong secrets, unknown users, other schemes and malformed tokens', () => {
    for (const header of [
      'Bearer alice:bob-secret',
      'Bearer mallory:alice-secret',
      'Bearer alice:',
      'Bearer alice',
      'Bearer :alice-secret',
      'Basic YWxpY2U6YWxpY2Utc2VjcmV0',
      'Bearer alice:alice-secret extra',
    ]) {
      expect(authenticate(header, users), header).toEqual({ kind: 'invalid' });
    }
  });
});
