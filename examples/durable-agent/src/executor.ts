import { setTimeout as delay } from 'node:timers/promises';
import { type Task, TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import type { AgentLogger } from './logger.js';
import { agentMessage, textOf, textPart } from './messages.js';
import { preferredCurrency } from './passport.js';

/**
 * Task metadata key holding the plan and the last step reached, so a follow-up turn (even after a
 * restart) or another worker recovering the task can carry on where the work stopped.
 */
export const PLAN_METADATA_KEY = 'durableAgent';
export const MAX_STEPS = 100;
const STEPS_HINT = /\bsteps?\s*[:=]\s*(\d{1,3})\b/i;
const ASK_HINT = /\bask me\b/i;
const QUESTION = 'Who is this report for? Reply on this task with a name.';
const ACTIVITIES = ['gathering notes', 'drafting', 'checking facts', 'polishing', 'formatting'];
// Echoed user text is capped: the report should not become a mirror for arbitrary payloads.
const MAX_ECHO_CHARS = 80;

/** What a task will do, decided from its first message and kept in the task's metadata. */
export interface TaskPlan {
  readonly steps: number;
  readonly ask: boolean;
}

export interface DemoExecutorOptions {
  /** Pause after each work step, in ms. */
  readonly stepMs: number;
  /** Steps when the request does not say `steps: N`. */
  readonly defaultSteps: number;
  readonly logger: AgentLogger;
}

/** What the task's metadata holds under {@link PLAN_METADATA_KEY}. */
export interface StoredProgress extends TaskPlan {
  /** Steps done so far; absent on tasks written before the agent kept it. */
  readonly step?: number;
}

interface RunningTask {
  readonly controller: AbortController;
  readonly contextId: string;
  readonly plan: TaskPlan;
  readonly steps: number;
  step: number;
  readonly done: Promise<void>;
}

/** Reads `steps: N` and `ask me` from a request. */
export function planFor(text: string, defaultSteps: number): TaskPlan {
  const requested = Number(STEPS_HINT.exec(text)?.[1] ?? defaultSteps);
  const steps = Math.min(MAX_STEPS, Math.max(1, requested));
  return { steps, ask: ASK_HINT.test(text) };
}

function storedPlan(task: Task | undefined): TaskPlan | undefined {
  const plan = task?.metadata?.[PLAN_METADATA_KEY] as Partial<TaskPlan> | undefined;
  if (!plan || !Number.isInteger(plan.steps) || typeof plan.ask !== 'boolean') return undefined;
  return { steps: Math.min(MAX_STEPS, Math.max(1, plan.steps as number)), ask: plan.ask };
}

/** The last step a task's stored metadata records as done (0 when it records none). */
export function storedStep(task: Task | undefined): number {
  const step = (task?.metadata?.[PLAN_METADATA_KEY] as Partial<StoredProgress> | undefined)?.step;
  return Number.isInteger(step) && (step as number) > 0 ? Math.min(MAX_STEPS, step as number) : 0;
}

function hasAsked(task: Task | undefined): boolean {
  return Boolean(task?.history.some((message) => textOf(message) === QUESTION));
}

function isRunningState(state: TaskState | undefined): boolean {
  return state === TaskState.TASK_STATE_SUBMITTED || state === TaskState.TASK_STATE_WORKING;
}

/**
 * The demo agent: works through a few steps (a status update each), then emits a report artifact
 * and completes. "ask me" makes it stop in input-required after the first step; the next message
 * on the task is the answer. Cancel aborts the work at once and publishes `canceled`.
 */
export class DemoExecutor implements AgentExecutor {
  readonly #options: DemoExecutorOptions;
  readonly #running = new Map<string, RunningTask>();
  /** Tasks parked in input-required by this process (their event bus stays alive). */
  readonly #waiting = new Map<string, string>();
  #executeCalls = 0;

  constructor(options: DemoExecutorOptions) {
    this.#options = options;
  }

  /** How many times the SDK called `execute` (follow-ups included): for tests and metrics. */
  get executeCalls(): number {
    return this.#executeCalls;
  }

  /** Executions in progress in this process. */
  get runningCount(): number {
    return this.#running.size;
  }

  execute = async (request: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    this.#executeCalls += 1;
    const { taskId, contextId } = request;
    const already = this.#running.get(taskId);
    if (already) {
      // A second message while the task runs shares its event bus: it sees the run's events.
      // Returning early would let the SDK settle (close) the bus under the first run.
      await already.done;
      return;
    }
    this.#waiting.delete(taskId);
    const existing = request.task;
    const answering = existing?.status?.state === TaskState.TASK_STATE_INPUT_REQUIRED;
    // Only a recovery hands the executor a task that is still running (the scope guard refuses
    // follow-ups to it): the steps already done, as stored, are not done again.
    const resuming = isRunningState(existing?.status?.state);
    const plan =
      storedPlan(existing) ?? planFor(textOf(request.userMessage), this.#options.defaultSteps);
    bus.publish(AgentEvent.task(this.#firstSnapshot(request, plan)));

    let finish = () => {};
    const run: RunningTask = {
      controller: new AbortController(),
      contextId,
      plan,
      steps: plan.steps,
      // The first step ran before the question.
      step: answering ? 1 : resuming ? Math.min(storedStep(existing), plan.steps) : 0,
      done: new Promise<void>((resolve) => {
        finish = resolve;
      }),
    };
    this.#running.set(taskId, run);
    this.#options.logger.debug('task started', {
      taskId,
      steps: plan.steps,
      resumed: Boolean(existing),
      fromStep: run.step,
    });
    try {
      // A resumed task whose question was already answered goes on with its steps.
      const asked = resuming && hasAsked(existing);
      if (plan.ask && !answering && !asked) {
        if (!(await this.#work(bus, taskId, run, 1))) return;
        this.#waiting.set(taskId, contextId);
        this.#publishState(bus, taskId, contextId, TaskState.TASK_STATE_INPUT_REQUIRED, QUESTION);
        return;
      }
      if (!(await this.#work(bus, taskId, run, plan.steps))) return;
      const audience = answering ? textOf(request.userMessage).slice(0, MAX_ECHO_CHARS) : 'you';
      // From this call's Secure Passport (verified, or unsigned: a display preference only).
      const currency = preferredCurrency(request.context);
      const prices = currency ? ` Prices shown in ${currency}.` : '';
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: {
            artifactId: 'report',
            name: 'report.txt',
            description: 'The report this task produced',
            parts: [
              textPart(
                `Report for ${audience}: ${plan.steps} step(s) of careful work, all done.${prices}`,
              ),
            ],
            metadata: undefined,
            extensions: [],
          },
          append: false,
          lastChunk: true,
          metadata: undefined,
        }),
      );
      this.#publishState(bus, taskId, contextId, TaskState.TASK_STATE_COMPLETED, 'Report ready.');
    } finally {
      this.#running.delete(taskId);
      finish();
    }
  };

  cancelTask = async (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    const run = this.#running.get(taskId);
    run?.controller.abort();
    const contextId = run?.contextId ?? this.#waiting.get(taskId) ?? '';
    this.#waiting.delete(taskId);
    const where = run ? ` at step ${run.step}/${run.steps}` : '';
    this.#options.logger.debug('task canceled', { taskId, running: Boolean(run) });
    // Published here, not by the aborted loop: the SDK's cancel call waits for this event.
    this.#publishState(bus, taskId, contextId, TaskState.TASK_STATE_CANCELED, `Canceled${where}.`);
  };

  /** Aborts every execution without publishing: used at shutdown, tasks keep their last state. */
  stopAll(): void {
    for (const run of this.#running.values()) run.controller.abort();
  }

  #firstSnapshot(request: RequestContext, plan: TaskPlan): Task {
    const now = new Date().toISOString();
    const existing = request.task;
    if (existing) {
      return {
        ...existing,
        status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: now },
      };
    }
    return {
      id: request.taskId,
      contextId: request.contextId,
      status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: now },
      history: [request.userMessage],
      artifacts: [],
      metadata: { [PLAN_METADATA_KEY]: { ...plan } },
    };
  }

  /**
   * Runs steps `run.step + 1 .. until`, one status update and one pause each. Resolves false when
   * the run was aborted meanwhile: by cancelTask (which has published `canceled`) or by stopAll.
   */
  async #work(
    bus: ExecutionEventBus,
    taskId: string,
    run: RunningTask,
    until: number,
  ): Promise<boolean> {
    while (run.step < until) {
      run.step += 1;
      const activity = ACTIVITIES[(run.step - 1) % ACTIVITIES.length];
      // The step reached goes into the task's metadata with the update that announces it, so a
      // worker recovering the task after a crash knows where to carry on.
      const progress: StoredProgress = { ...run.plan, step: run.step };
      this.#publishState(
        bus,
        taskId,
        run.contextId,
        TaskState.TASK_STATE_WORKING,
        `Step ${run.step}/${run.steps}: ${activity}`,
        { [PLAN_METADATA_KEY]: progress },
      );
      try {
        await delay(this.#options.stepMs, undefined, { signal: run.controller.signal });
      } catch {
        return false;
      }
    }
    return !run.controller.signal.aborted;
  }

  #publishState(
    bus: ExecutionEventBus,
    taskId: string,
    contextId: string,
    state: TaskState,
    text: string,
    metadata?: Record<string, unknown>,
  ): void {
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: {
          state,
          message: agentMessage(taskId, contextId, text),
          timestamp: new Date().toISOString(),
        },
        metadata,
      }),
    );
  }
}
