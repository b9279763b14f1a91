import { setTimeout as delay } from 'node:timers/promises';
import { TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import { textPart } from '@a2a-stores/core/conformance';
import type { Random } from './random.js';

interface Run {
  readonly controller: AbortController;
  readonly contextId: string;
  readonly done: Promise<void>;
}

/**
 * A small agent for the race checks: a few working steps with random pauses (so cancel and
 * follow-ups land at varying points), then an artifact and `completed`. Cancel aborts the run at
 * once and publishes `canceled`, as the durable agent does. A message on a task that is already
 * running joins the run instead of starting a second one.
 */
export class RaceExecutor implements AgentExecutor {
  readonly #running = new Map<string, Run>();
  /** Context of every task this executor ran, for a cancel that arrives after its run ended. */
  readonly #contexts = new Map<string, string>();

  constructor(
    private readonly steps: number,
    private readonly random: Random,
    private readonly maxPauseMs: number,
  ) {}

  /** True when no execution is in progress. */
  get idle(): boolean {
    return this.#running.size === 0;
  }

  execute = async (request: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId } = request;
    const already = this.#running.get(taskId);
    if (already) {
      await already.done;
      return;
    }
    let finish = () => {};
    const run: Run = {
      controller: new AbortController(),
      contextId,
      done: new Promise<void>((resolve) => {
        finish = resolve;
      }),
    };
    this.#running.set(taskId, run);
    this.#contexts.set(taskId, contextId);
    try {
      const now = new Date().toISOString();
      const existing = request.task;
      bus.publish(
        AgentEvent.task(
          existing
            ? {
                ...existing,
                status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: now },
              }
            : {
                id: taskId,
                contextId,
                status: {
                  state: TaskState.TASK_STATE_SUBMITTED,
                  message: undefined,
                  timestamp: now,
                },
                history: [request.userMessage],
                artifacts: [],
                metadata: undefined,
              },
        ),
      );
      for (let step = 1; step <= this.steps; step++) {
        this.#publish(bus, taskId, contextId, TaskState.TASK_STATE_WORKING);
        try {
          await delay(this.random.int(0, this.maxPauseMs), undefined, {
            signal: run.controller.signal,
          });
        } catch {
          return;
        }
      }
      if (run.controller.signal.aborted) return;
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: {
            artifactId: 'result',
            name: 'result.txt',
            description: '',
            parts: [textPart('done')],
            metadata: undefined,
            extensions: [],
          },
          append: false,
          lastChunk: true,
          metadata: undefined,
        }),
      );
      this.#publish(bus, taskId, contextId, TaskState.TASK_STATE_COMPLETED);
    } finally {
      this.#running.delete(taskId);
      finish();
    }
  };

  cancelTask = async (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    const run = this.#running.get(taskId);
    run?.controller.abort();
    // Published here, not by the aborted run: the SDK's cancel call waits for this event.
    this.#publish(
      bus,
      taskId,
      run?.contextId ?? this.#contexts.get(taskId) ?? '',
      TaskState.TASK_STATE_CANCELED,
    );
  };

  #publish(bus: ExecutionEventBus, taskId: string, contextId: string, state: TaskState): void {
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: { state, message: undefined, timestamp: new Date().toISOString() },
        metadata: undefined,
      }),
    );
  }
}
