import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';

/**
 * The SDK's own store behind one event-loop turn per call, as any database would be: other
 * requests interleave between a handler's load and its save. Used as the reference the races
 * are compared with; it has no terminal-state guard.
 */
export class LatentTaskStore implements TaskStore {
  constructor(private readonly inner: TaskStore) {}

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    await yieldToLoop();
    return this.inner.load(taskId, context);
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    await yieldToLoop();
    return this.inner.save(task, context);
  }

  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    await yieldToLoop();
    return this.inner.list(params, context);
  }
}
