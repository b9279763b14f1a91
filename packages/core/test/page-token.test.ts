import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { describe, expect, it } from 'vitest';
import {
  decodePageToken,
  encodePageToken,
  InvalidInputError,
  MISSING_TIMESTAMP_KEY,
  type PageBinding,
  type PageCursor,
} from '../src/index.js';

const binding: PageBinding = {
  scope: { tenant: 'acme', owner: 'alice' },
  contextId: '',
  state: 0,
  after: null,
};
const cursor: PageCursor = { sortKey: Date.UTC(2024, 0, 1), id: 'task-42' };

function refused(token: string, b: PageBinding = binding): unknown {
  try {
    decodePageToken(token, b);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('page tokens', () => {
  it('round-trip the cursor under the same binding', () => {
    expect(decodePageToken(encodePageToken(cursor, binding), binding)).toEqual(cursor);
  });

  it('are opaque URL-safe text', () => {
    expect(encodePageToken(cursor, binding)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['a missing timestamp key', { sortKey: MISSING_TIMESTAMP_KEY, id: 'x' }],
    ['a negative sort key', { sortKey: -1, id: 'x' }],
    ['unicode ids', { sortKey: 0, id: 'tâche-🧪-ключ' }],
    ['255 CJK characters', { sortKey: 1, id: '漢'.repeat(255) }],
    ['255 control characters (longest JSON escape)', { sortKey: 1, id: '\u0001'.repeat(255) }],
    ['quotes and backslashes', { sortKey: 1, id: '"\\'.repeat(127) }],
  ])('round-trip cursors with %s', (_, c) => {
    expect(decodePageToken(encodePageToken(c, binding), binding)).toEqual(c);
  });

  it.each([
    ['another tenant', { ...binding, scope: { tenant: 'other', owner: 'alice' } }],
    ['another owner', { ...binding, scope: { tenant: 'acme', owner: 'bob' } }],
    ['the anonymous owner', { ...binding, scope: { tenant: 'acme', owner: '' } }],
    ['a contextId filter', { ...binding, contextId: 'ctx' }],
    ['a status filter', { ...binding, state: 3 }],
    ['a timestamp filter', { ...binding, after: 0 }],
  ])('are refused under %s', (_, other) => {
    const error = refused(encodePageToken(cursor, binding), other);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toBeInstanceOf(RequestMalformedError);
  });

  it('tenant and owner are bound apart (no concatenation ambiguity)', () => {
    const a: PageBinding = { ...binding, scope: { tenant: 'a:b', owner: 'c' } };
    const b: PageBinding = { ...binding, scope: { tenant: 'a', owner: 'b:c' } };
    expect(refused(encodePageToken(cursor, a), b)).toBeInstanceOf(InvalidInputError);
  });

  it('refuse any single altered character', () => {
    const token = encodePageToken(cursor, binding);
    // The last character may carry only padding bits; every other one carries data.
    for (let i = 0; i < token.length - 1; i++) {
      const replacement = token[i] === 'A' ? 'B' : 'A';
      const altered = token.slice(0, i) + replacement + token.slice(i + 1);
      expect(refused(altered), `position ${i}`).toBeInstanceOf(InvalidInputError);
    }
  });

  it('refuse a cursor moved by hand with the digest kept', () => {
    const [version, , , digest] = JSON.parse(
      Buffer.from(encodePageToken(cursor, binding), 'base64url').toString(),
    );
    const moved = Buffer.from(
      JSON.stringify([version, cursor.sortKey, 'task-43', digest]),
    ).toString('base64url');
    expect(refused(moved)).toBeInstanceOf(InvalidInputError);
  });

  it.each([
    ['empty-looking garbage', '!!!'],
    ['padding', 'abc='],
    ['spaces', 'a b'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['a JSON object', Buffer.from('{"a":1}').toString('base64url')],
    ['a short array', Buffer.from('[1,2,"x"]').toString('base64url')],
    ['another version', Buffer.from('[99,1,"x","d"]').toString('base64url')],
    ['a float sort key', Buffer.from('[2,1.5,"x","d"]').toString('base64url')],
    ['an unsafe sort key', Buffer.from('[2,1e300,"x","d"]').toString('base64url')],
    ['an empty id', Buffer.from('[2,1,"","d"]').toString('base64url')],
    ['a 256-character id', Buffer.from(`[2,1,"${'x'.repeat(256)}","d"]`).toString('base64url')],
    ['a numeric digest', Buffer.from('[2,1,"x",5]').toString('base64url')],
    [
      "the SDK's own token format",
      Buffer.from('2024-01-01T00:00:00.000Z|task-42').toString('base64'),
    ],
    ['an over-long token', 'A'.repeat(2401)],
  ])('refuse %s', (_, token) => {
    expect(refused(token)).toBeInstanceOf(InvalidInputError);
  });

  it('refuse non-string tokens', () => {
    expect(refused(42 as never)).toBeInstanceOf(InvalidInputError);
  });

  it('the longest valid token stays under the length limit', () => {
    const token = encodePageToken(
      { sortKey: MISSING_TIMESTAMP_KEY, id: '\u0001'.repeat(255) },
      binding,
    );
    expect(token.length).toBeLessThanOrEqual(2400);
  });
});
