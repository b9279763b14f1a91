import { Task } from '@a2a-js/sdk';
import { canonicalTask } from '@a2a-stores/core';
import { expect } from 'vitest';

/** The task as it goes on the wire (raw bytes as base64), for compact, readable diffs. */
function wireForm(task: Task): unknown {
  return JSON.parse(JSON.stringify(Task.toJSON(task)));
}

/** Deep copy where every byte array is a `Buffer`, as `Task.fromJSON` builds raw parts. */
function withBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(withBuffers);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withBuffers(v)]));
  }
  return value;
}

/**
 * Asserts `actual` is what a store must return after saving `saved`: core's `canonicalTask`,
 * compared on the wire form first (short diffs) and then field by field. A raw part may come
 * back as any `Uint8Array` (the SDK's own store returns structured clones of Buffers).
 */
export function expectSameTask(actual: Task | undefined, saved: Task): void {
  expect(actual, `task ${saved.id} should load`).toBeDefined();
  const expected = canonicalTask(saved);
  expect(wireForm(actual!)).toEqual(wireForm(expected));
  expect(withBuffers(actual)).toEqual(expected);
}

/** Awaits `promise` and returns the error it rejected with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the call to throw');
}
