import { type Message, TaskState } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import { FollowUpRefusedError } from '../errors.js';
import type { Scope } from '../scope.js';

/** The states in which a task waits for the client's next message (A2A "interrupted" states). */
const WAITING_FOR_INPUT: ReadonlySet<TaskState> = new Set([
  TaskState.TASK_STATE_INPUT_REQUIRED,
  TaskState.TASK_STATE_AUTH_REQUIRED,
]);

/**
 * Admits at most one message at a time to an existing task, and only while the task waits for
 * input. Without it, the SDK's `DefaultRequestHandler` lets any number of messages join a running
 * task: each appends to its history, re-runs the executor on the shared event bus and adds a
 * result path that reloads and re-saves the whole task (and re-sends every push notification) on
 * every event, so memory and store load grow with the number of follow-ups.
 *
 * The claim is per process: several workers behind one store each admit one message, and the
 * store-level state check still refuses anything sent after the task started working again.
 */
export class FollowUpGate {
  readonly #taskStore: TaskStore;
  readonly #claimed = new Set<string>();

  constructor(taskStore: TaskStore) {
    this.#taskStore = taskStore;
  }

  /**
   * Claims the message's task, or returns `undefined` for a message that starts a new task.
   * Throws {@link FollowUpRefusedError} when the task is busy or not waiting for input; a task
   * that does not exist (in this scope) is left to the inner handler, which answers
   * TaskNotFound. The caller must call {@link FollowUpGate.release} with the returned key.
   */
  async claim(
    message: Message | undefined,
    scope: Scope,
    context: ServerCallContext,
  ): Promise<string | undefined> {
    const taskId = message?.taskId;
    if (typeof taskId !== 'string' || taskId === '') return undefined;
    // The whole scope is in the key: a task id only names a task inside one scope.
    const key = JSON.stringify([scope.tenant, scope.owner, taskId]);
    if (this.#claimed.has(key)) {
      throw new FollowUpRefusedError(taskId, 'another message on this task is being processed');
    }
    // Claimed before the first await, so two concurrent messages cannot both pass the check.
    this.#claimed.add(key);
    try {
      const task = await this.#taskStore.load(taskId, context);
      const state = task?.status?.state;
      if (task && (state === undefined || !WAITING_FOR_INPUT.has(state))) {
        throw new FollowUpRefusedError(taskId, 'it is not waiting for input');
      }
    } catch (error) {
      this.#claimed.delete(key);
      throw error;
    }
    return key;
  }

  /** Releases a claim (no-op for `undefined`). */
  release(key: string | undefined): void {
    if (key !== undefined) this.#claimed.delete(key);
  }
}
