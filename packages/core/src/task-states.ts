import { TaskState } from '@a2a-js/sdk';

/** States a task never leaves: completed, failed, canceled, rejected. */
export const TERMINAL_STATES: readonly TaskState[] = Object.freeze([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);

const terminal = new Set<number>(TERMINAL_STATES);

/** True for completed, failed, canceled and rejected. */
export function isTerminalState(state: number): boolean {
  return terminal.has(state);
}

/**
 * The write guard every backend enforces atomically: a stored terminal task accepts only writes
 * that keep its state (e.g. a final artifact), never a move to another state.
 */
export function isStaleTransition(storedState: number, attemptedState: number): boolean {
  return terminal.has(storedState) && storedState !== attemptedState;
}
