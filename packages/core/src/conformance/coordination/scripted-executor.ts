import { randomUUID } from 'node:crypto';
import { type Message, Role, type Task, TaskState } from '@a2a-js/sdk';
import type { AgentExecutor, ExecutionEventBus, RequestContext } from '@a2a-js/sdk/server';

/** One `execute` call of the {@link ScriptedExecutor}, stepped by the test. */
export class ScriptedRun {
  readonly taskId: string;
  readonly contextId: string;
  /** Steps published so far (a cancel stops it where it is). */
  stepsTaken = 0;
  canceled = false;
  completed = false;
  #permits = 0;
  #waiter: (() => void) | undefined;

  constructor(taskId: string, contextId: string) {
    this.taskId = taskId;
    this.contextId = contextId;
  }

  /** Lets the executor take its next step. */
  advance(): void {
    if (this.#waiter) {
      const resolve = this.#waiter;
      this.#waiter = undefined;
      resolve();
    } else {
      this.#permits += 1;
    }
  }

  cancel(): void {
    this.canceled = true;
    this.advance();
  }

  gate(): Promise<void> {
    if (this.#permits > 0) {
      this.#permits -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }
}

function agentMessage(taskId: string, contextId: string, text: string): Message {
  return {
    role: Role.ROLE_AGENT,
    messageId: randomUUID(),
    taskId,
    contextId,
    parts: [
      {
        content: { $case: 'text', value: text },
        mediaType: 'text/plain',
        filename: '',
        metadata: {},
      },
    ],
    metadata: {},
    extensions: [],
    referenceTaskIds: [],
  } as Message;
}

/** The message text that makes the {@link ScriptedExecutor} ask for input instead of working. */
export const ASK = 'ask';

function textOf(message: Message | undefined): string | undefined {
  const content = message?.parts?.[0]?.content;
  return content?.$case === 'text' ? content.value : undefined;
}

/**
 * An executor the cluster suite drives step by step: it publishes the task WORKING, then one
 * WORKING status per {@link ScriptedRun.advance} (`step 1`, `step 2`, ...), then COMPLETED on
 * the advance after the last step (a message {@link ASK} publishes INPUT_REQUIRED instead and
 * returns on the next advance). `cancelTask` stops the run where it is and publishes
 * CANCELED, so a test can prove no step ran after the cancel reached it.
 */
export class ScriptedExecutor implements AgentExecutor {
  readonly runs: ScriptedRun[] = [];
  readonly #steps: number;

  constructor(steps = 3) {
    this.#steps = steps;
  }

  /** The latest run of `taskId`. */
  runOf(taskId: string): ScriptedRun | undefined {
    return this.runs.filter((run) => run.taskId === taskId).at(-1);
  }

  execute = async (context: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const run = new ScriptedRun(context.taskId, context.contextId);
    this.runs.push(run);
    const task: Task = {
      id: run.taskId,
      contextId: run.contextId,
      status: {
        state: TaskState.TASK_STATE_WORKING,
        message: undefined,
        timestamp: new Date().toISOString(),
      },
      artifacts: [],
      history: context.task ? [] : [context.userMessage],
      metadata: {},
    } as Task;
    bus.publish({ kind: 'task', data: task });
    if (textOf(context.userMessage) === ASK) {
      // Asks the user, then returns only on the next advance: the SDK has answered the client
      // by then, so an answer can arrive (on any worker) while this executor still runs.
      this.#status(bus, run, TaskState.TASK_STATE_INPUT_REQUIRED, 'your name?');
      await run.gate();
      return;
    }
    for (let step = 1; step <= this.#steps; step += 1) {
      await run.gate();
      if (run.canceled) return;
      run.stepsTaken = step;
      this.#status(bus, run, TaskState.TASK_STATE_WORKING, `step ${step}`);
    }
    await run.gate();
    if (run.canceled) return;
    run.completed = true;
    this.#status(bus, run, TaskState.TASK_STATE_COMPLETED, 'done');
  };

  cancelTask = async (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    const run = this.runs.filter((r) => r.taskId === taskId && !r.completed && !r.canceled).at(-1);
    if (!run) return;
    run.cancel();
    this.#status(bus, run, TaskState.TASK_STATE_CANCELED, 'canceled');
  };

  #status(bus: ExecutionEventBus, run: ScriptedRun, state: TaskState, text: string): void {
    bus.publish({
      kind: 'statusUpdate',
      data: {
        taskId: run.taskId,
        contextId: run.contextId,
        status: {
          state,
          message: agentMessage(run.taskId, run.contextId, text),
          timestamp: new Date().toISOString(),
        },
        metadata: {},
      },
    });
  }
}
