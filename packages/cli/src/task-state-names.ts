import { TaskState } from '@a2a-js/sdk';
import { UsageError } from './exit-codes.js';

/** State names operators type, as the A2A JSON wire spells them. */
const STATE_BY_NAME: Readonly<Record<string, TaskState>> = {
  submitted: TaskState.TASK_STATE_SUBMITTED,
  working: TaskState.TASK_STATE_WORKING,
  'input-required': TaskState.TASK_STATE_INPUT_REQUIRED,
  'auth-required': TaskState.TASK_STATE_AUTH_REQUIRED,
  completed: TaskState.TASK_STATE_COMPLETED,
  failed: TaskState.TASK_STATE_FAILED,
  canceled: TaskState.TASK_STATE_CANCELED,
  rejected: TaskState.TASK_STATE_REJECTED,
};

/** Known state names, for help texts. */
export const TASK_STATE_NAMES: readonly string[] = Object.keys(STATE_BY_NAME);

/** Parses `completed,failed` into TaskState numbers; an unknown name is a usage error. */
export function parseStateNames(text: string, option: string): TaskState[] {
  const names = text
    .split(',')
    .map((name) => name.trim().toLowerCase().replace(/_/g, '-'))
    .filter((name) => name !== '');
  if (names.length === 0) throw new UsageError(`${option}: give at least one state`);
  return [
    ...new Set(
      names.map((name) => {
        const state = STATE_BY_NAME[name];
        if (state === undefined) {
          throw new UsageError(
            `${option}: unknown state ${JSON.stringify(name)} (known: ${TASK_STATE_NAMES.join(', ')})`,
          );
        }
        return state;
      }),
    ),
  ];
}
