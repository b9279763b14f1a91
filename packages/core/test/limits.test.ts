import { TaskState } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import {
  assertValidId,
  DEFAULT_LIMITS,
  InvalidInputError,
  isStaleTransition,
  isTerminalState,
  MAX_ID_LENGTH,
  resolveLimits,
  resolveStoreOptions,
  TERMINAL_STATES,
} from '../src/index.js';

describe('limits', () => {
  it('defaults: 4 MiB tasks, 16 KiB push configs, 100 configs per task, 255-character ids', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxTaskBytes: 4 * 1024 * 1024,
      maxPushConfigBytes: 16 * 1024,
      maxPushConfigsPerTask: 100,
    });
    expect(MAX_ID_LENGTH).toBe(255);
    expect(resolveLimits(undefined)).toEqual(DEFAULT_LIMITS);
  });

  it('merges partial limits over the defaults', () => {
    expect(resolveLimits({ maxPushConfigsPerTask: 3 })).toEqual({
      ...DEFAULT_LIMITS,
      maxPushConfigsPerTask: 3,
    });
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10' as never])(
    'refuses a limit of %s',
    (value) => {
      expect(() => resolveLimits({ maxTaskBytes: value })).toThrow(TypeError);
    },
  );

  it.each(['a', 'x'.repeat(255), 'tâche-🧪', 'with spaces and / slashes'])(
    'accepts the id %j',
    (id) => {
      expect(() => assertValidId(id, 'id')).not.toThrow();
    },
  );

  it.each([
    ['empty', ''],
    ['256 characters', 'x'.repeat(256)],
    ['a NUL', 'a\u0000'],
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', 'a\udc00b'],
    ['a number', 5],
    ['undefined', undefined],
  ])('refuses an id with %s', (_, id) => {
    expect(() => assertValidId(id, 'id')).toThrow(InvalidInputError);
  });
});

describe('store options', () => {
  it("defaults to staleWrites 'ignore' and refuses unknown policies", () => {
    expect(resolveStoreOptions({ logger: { warn() {} } }).staleWrites).toBe('ignore');
    expect(() => resolveStoreOptions({ staleWrites: 'drop' as never })).toThrow(TypeError);
    expect(() => resolveStoreOptions({ anonymous: 'open' as never })).toThrow(TypeError);
  });
});

describe('terminal-state guard', () => {
  it('terminal states are completed, failed, canceled and rejected', () => {
    expect([...TERMINAL_STATES].sort()).toEqual(
      [
        TaskState.TASK_STATE_COMPLETED,
        TaskState.TASK_STATE_FAILED,
        TaskState.TASK_STATE_CANCELED,
        TaskState.TASK_STATE_REJECTED,
      ].sort(),
    );
    expect(isTerminalState(TaskState.TASK_STATE_INPUT_REQUIRED)).toBe(false);
    expect(isTerminalState(TaskState.TASK_STATE_AUTH_REQUIRED)).toBe(false);
  });

  it('a stale transition leaves a terminal state; the same state or a live stored state is fine', () => {
    expect(isStaleTransition(TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_WORKING)).toBe(
      true,
    );
    expect(isStaleTransition(TaskState.TASK_STATE_CANCELED, TaskState.TASK_STATE_COMPLETED)).toBe(
      true,
    );
    expect(isStaleTransition(TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_COMPLETED)).toBe(
      false,
    );
    expect(isStaleTransition(TaskState.TASK_STATE_WORKING, TaskState.TASK_STATE_COMPLETED)).toBe(
      false,
    );
    expect(
      isStaleTransition(TaskState.TASK_STATE_INPUT_REQUIRED, TaskState.TASK_STATE_WORKING),
    ).toBe(false);
  });
});
