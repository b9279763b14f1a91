import { TaskState } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import { makeTask } from '../src/conformance/index.js';
import {
  compareIds,
  DEFAULT_PAGE_SIZE,
  encodePageToken,
  InvalidInputError,
  isAfterCursor,
  MAX_PAGE_SIZE,
  normalizeListRequest,
  trimHistory,
} from '../src/index.js';

const scope = { tenant: 't', owner: 'o' };

describe('normalizeListRequest', () => {
  it('applies the defaults of the SDK reference store', () => {
    expect(normalizeListRequest(undefined, scope)).toEqual({
      contextId: '',
      state: 0,
      after: null,
      cursor: null,
      pageSize: DEFAULT_PAGE_SIZE,
      includeArtifacts: false,
      historyLength: undefined,
      binding: { scope, contextId: '', state: 0, after: null },
    });
    expect(DEFAULT_PAGE_SIZE).toBe(50);
    expect(MAX_PAGE_SIZE).toBe(100);
  });

  it('reads filters, shaping and the cursor', () => {
    const after = '2024-01-01T00:00:00.000Z';
    const binding = {
      scope,
      contextId: 'c',
      state: TaskState.TASK_STATE_COMPLETED,
      after: Date.parse(after),
    };
    const pageToken = encodePageToken({ sortKey: 5, id: 'x' }, binding);
    const query = normalizeListRequest(
      {
        contextId: 'c',
        status: TaskState.TASK_STATE_COMPLETED,
        statusTimestampAfter: after,
        pageSize: 7,
        pageToken,
        includeArtifacts: true,
        historyLength: 0,
      },
      scope,
    );
    expect(query).toEqual({
      contextId: 'c',
      state: TaskState.TASK_STATE_COMPLETED,
      after: Date.parse(after),
      binding,
      cursor: { sortKey: 5, id: 'x' },
      pageSize: 7,
      includeArtifacts: true,
      historyLength: 0,
    });
  });

  it('treats only includeArtifacts === true as true', () => {
    expect(normalizeListRequest({ includeArtifacts: 'yes' as never }, scope).includeArtifacts).toBe(
      false,
    );
  });

  it.each([0, 101, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10' as never])(
    'refuses pageSize %s',
    (pageSize) => {
      expect(() => normalizeListRequest({ pageSize }, scope)).toThrow(InvalidInputError);
    },
  );

  it.each([1, 50, 100])('accepts pageSize %s', (pageSize) => {
    expect(normalizeListRequest({ pageSize }, scope).pageSize).toBe(pageSize);
  });

  it.each([
    ['an unknown status', { status: 42 }],
    ['UNRECOGNIZED', { status: -1 }],
    ['an unparseable timestamp', { statusTimestampAfter: 'soon' }],
    ['a fractional historyLength', { historyLength: 0.5 }],
    ['a negative fractional historyLength', { historyLength: -1.5 }],
    ['a NaN historyLength', { historyLength: Number.NaN }],
    ['an over-long contextId', { contextId: 'c'.repeat(256) }],
    ['a non-string contextId', { contextId: 5 }],
    ['a garbage token', { pageToken: '???' }],
  ])('refuses %s', (_, request) => {
    expect(() => normalizeListRequest(request as never, scope)).toThrow(InvalidInputError);
  });

  it.each([-1, -100])('accepts historyLength %s, as the SDK handler does', (historyLength) => {
    expect(normalizeListRequest({ historyLength }, scope).historyLength).toBe(historyLength);
  });

  it('an empty pageToken means page one', () => {
    expect(normalizeListRequest({ pageToken: '' }, scope).cursor).toBeNull();
  });
});

describe('trimHistory', () => {
  it('keeps the last N messages, empties on 0, keeps all when undefined or larger', () => {
    const ids = (n: number | undefined) =>
      trimHistory(makeTask({ historyLength: 5 }), n).history.map((m) => m.messageId.split('-m')[1]);
    expect(ids(undefined)).toEqual(['0', '1', '2', '3', '4']);
    expect(ids(2)).toEqual(['3', '4']);
    expect(ids(0)).toEqual([]);
    // Like DefaultRequestHandler: any historyLength of 0 or less means no history.
    expect(ids(-1)).toEqual([]);
    expect(ids(-5)).toEqual([]);
    expect(ids(9)).toEqual(['0', '1', '2', '3', '4']);
  });
});

describe('compareIds', () => {
  it('orders by code point, like byte-wise UTF-8 collation', () => {
    const ids = ['b', 'a', 'B', 'a-', 'aa', '\ufffd', '😀', 'é', '10', '9', ''];
    const sorted = [...ids].sort(compareIds);
    const byBytes = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(sorted).toEqual(byBytes);
    expect(compareIds('\ufffd', '😀')).toBeLessThan(0);
    expect(compareIds('same', 'same')).toBe(0);
  });
});

describe('isAfterCursor', () => {
  it('is strict keyset order: smaller sortKey, or equal sortKey and smaller id', () => {
    const cursor = { sortKey: 10, id: 'm' };
    expect(isAfterCursor(9, 'z', cursor)).toBe(true);
    expect(isAfterCursor(10, 'l', cursor)).toBe(true);
    expect(isAfterCursor(10, 'm', cursor)).toBe(false);
    expect(isAfterCursor(10, 'n', cursor)).toBe(false);
    expect(isAfterCursor(11, 'a', cursor)).toBe(false);
  });
});
