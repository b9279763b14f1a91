import { describe, expect, it } from 'vitest';
import { MessageCursor } from '../src/index.js';

describe('MessageCursor', () => {
  it('advances past contiguous ids at once and refuses ids it handled', () => {
    const cursor = new MessageCursor(10, 1000);
    expect([11, 12, 13].map((id) => cursor.accept(id))).toEqual([true, true, true]);
    cursor.settle(0);
    expect(cursor.position).toBe(13);
    expect(cursor.pending).toBe(0);
    expect(cursor.accept(12)).toBe(false);
  });

  it('waits for a hole, takes the late row once, and moves past a hole that never fills', () => {
    const cursor = new MessageCursor(0, 1000);
    // Id 2 was handed out before 3 but commits after it.
    expect(cursor.accept(1)).toBe(true);
    expect(cursor.accept(3)).toBe(true);
    cursor.settle(0);
    expect(cursor.position).toBe(1);
    // The re-read of the tail brings 3 again: not delivered twice.
    expect(cursor.accept(3)).toBe(false);
    expect(cursor.accept(2)).toBe(true);
    cursor.settle(10);
    expect(cursor.position).toBe(3);

    // Id 4 rolled back: the cursor waits gapWaitMs, then moves on.
    expect(cursor.accept(5)).toBe(true);
    cursor.settle(100);
    expect(cursor.position).toBe(3);
    cursor.settle(1099);
    expect(cursor.position).toBe(3);
    cursor.settle(1100);
    expect(cursor.position).toBe(5);
    expect(cursor.pending).toBe(0);
    expect(cursor.accept(4)).toBe(false);
  });

  it('moves past holes in steps, each after its own wait (ids skipped by an increment > 1)', () => {
    const cursor = new MessageCursor(0, 50);
    cursor.accept(3);
    cursor.settle(0);
    cursor.accept(6);
    cursor.settle(30);
    expect(cursor.position).toBe(0);
    cursor.settle(50);
    expect(cursor.position).toBe(3);
    cursor.settle(80);
    expect(cursor.position).toBe(6);
  });
});
