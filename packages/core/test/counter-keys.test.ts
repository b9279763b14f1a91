import { describe, expect, it } from 'vitest';
import { counterKeyForList, taskCounterChanges, taskCounterKeys } from '../src/index.js';

const WORKING = 3;
const INPUT_REQUIRED = 6;

describe('task counter keys', () => {
  it('counts a task in its scope, its state and its context', () => {
    expect(taskCounterKeys(WORKING, 'c1')).toEqual([
      { contextId: '', state: 0 },
      { contextId: '', state: WORKING },
      { contextId: 'c1', state: 0 },
    ]);
  });

  it('leaves out the state key of a task without state and the context key without context', () => {
    expect(taskCounterKeys(0, '')).toEqual([{ contextId: '', state: 0 }]);
  });

  it('names the counter of every list that has one, and none for combined filters', () => {
    const none = { contextId: '', state: 0, after: null };
    expect(counterKeyForList(none)).toEqual({ contextId: '', state: 0 });
    expect(counterKeyForList({ ...none, state: WORKING })).toEqual({
      contextId: '',
      state: WORKING,
    });
    expect(counterKeyForList({ ...none, contextId: 'c1' })).toEqual({ contextId: 'c1', state: 0 });
    expect(counterKeyForList({ ...none, contextId: 'c1', state: WORKING })).toBeUndefined();
    expect(counterKeyForList({ ...none, after: 5 })).toBeUndefined();
  });
});

describe('task counter changes', () => {
  it('adds an inserted task to each of its counters', () => {
    expect(taskCounterChanges(undefined, { state: WORKING, contextId: 'c1' })).toEqual(
      taskCounterKeys(WORKING, 'c1').map((key) => ({ ...key, delta: 1 })),
    );
  });

  it('takes a deleted task out of each of its counters', () => {
    expect(taskCounterChanges({ state: WORKING, contextId: 'c1' }, undefined)).toEqual(
      taskCounterKeys(WORKING, 'c1').map((key) => ({ ...key, delta: -1 })),
    );
  });

  it('moves only the state counter when the state changes', () => {
    const changes = taskCounterChanges(
      { state: WORKING, contextId: 'c1' },
      { state: INPUT_REQUIRED, contextId: 'c1' },
    );
    expect(changes).toEqual([
      { contextId: '', state: WORKING, delta: -1 },
      { contextId: '', state: INPUT_REQUIRED, delta: 1 },
    ]);
  });

  it('moves only the context counter when the context changes', () => {
    const changes = taskCounterChanges(
      { state: WORKING, contextId: 'c1' },
      { state: WORKING, contextId: 'c2' },
    );
    expect(changes).toEqual([
      { contextId: 'c1', state: 0, delta: -1 },
      { contextId: 'c2', state: 0, delta: 1 },
    ]);
  });

  it('changes nothing when state and context stay', () => {
    const task = { state: WORKING, contextId: 'c1' };
    expect(taskCounterChanges(task, { ...task })).toEqual([]);
  });

  it('keeps every counter balanced over any sequence of writes', () => {
    const states = [0, WORKING, INPUT_REQUIRED];
    const contexts = ['', 'c1', 'c2'];
    const totals = new Map<string, number>();
    let current: { state: number; contextId: string } | undefined;
    for (let step = 0; step < 200; step++) {
      const next =
        step % 7 === 6
          ? undefined
          : { state: states[(step * 5) % 3]!, contextId: contexts[(step * 2) % 3]! };
      for (const change of taskCounterChanges(current, next)) {
        const id = `${change.contextId}|${change.state}`;
        totals.set(id, (totals.get(id) ?? 0) + change.delta);
      }
      current = next;
      const expected = current ? taskCounterKeys(current.state, current.contextId) : [];
      for (const [id, n] of totals) {
        const counted = expected.some((key) => `${key.contextId}|${key.state}` === id);
        expect(n, `counter ${id} after step ${step}`).toBe(counted ? 1 : 0);
      }
    }
  });
});
