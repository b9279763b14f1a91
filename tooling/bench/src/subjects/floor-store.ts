import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';

/** What a floor reads with: a select by key and a keyset page over its own table. */
export interface FloorReads {
  load(taskId: string, context: ServerCallContext): Task | undefined | Promise<Task | undefined>;
  list(
    request: ListTasksRequest,
    context: ServerCallContext,
  ): ListTasksResponse | Promise<ListTasksResponse>;
}

/**
 * A raw floor (plain or guarded): its own `save`, and the reads its database's floors share.
 * Subclasses set `reads` once their table exists (the reads prepare against it).
 */
export abstract class FloorTaskStore implements TaskStore {
  protected abstract readonly reads: FloorReads;

  abstract save(task: Task, context: ServerCallContext): Promise<void>;

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    return this.reads.load(taskId, context);
  }

  async list(request: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return this.reads.list(request, context);
  }
}
