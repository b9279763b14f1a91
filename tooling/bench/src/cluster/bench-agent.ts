import { randomUUID } from 'node:crypto';
import { type AgentCard, type Message, Role, TaskState } from '@a2a-js/sdk';
import type { AgentExecutor, ExecutionEventBus } from '@a2a-js/sdk/server';

// The agent the cluster benchmarks drive: it publishes when told, so latency is the transport's.
export const CARD = {
  name: 'bench',
  description: 'cluster latency',
  version: '1.0.0',
  capabilities: { streaming: true, pushNotifications: false },
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
  skills: [],
} as unknown as AgentCard;

/** Publishes WORKING events on demand, each stamped with its publish time; stops on cancel. */
export class BenchExecutor implements AgentExecutor {
  readonly buses = new Map<
    string,
    { bus: ExecutionEventBus; contextId: string; stop: () => void }
  >();
  readonly canceledAt = new Map<string, number>();

  execute = async (context: { taskId: string; contextId: string }, bus: ExecutionEventBus) => {
    const { taskId, contextId } = context;
    bus.publish({
      kind: 'task',
      data: {
        id: taskId,
        contextId,
        status: {
          state: TaskState.TASK_STATE_WORKING,
          message: undefined,
          timestamp: new Date().toISOString(),
        },
        artifacts: [],
        history: [],
        metadata: {},
      },
    });
    await new Promise<void>((resolve) => {
      this.buses.set(taskId, { bus, contextId, stop: resolve });
    });
  };

  emit(taskId: string): void {
    const entry = this.buses.get(taskId)!;
    entry.bus.publish({
      kind: 'statusUpdate',
      data: {
        taskId,
        contextId: entry.contextId,
        status: {
          state: TaskState.TASK_STATE_WORKING,
          message: undefined,
          timestamp: new Date().toISOString(),
        },
        metadata: { sentAt: performance.now() },
      },
    });
  }

  cancelTask = async (taskId: string, bus: ExecutionEventBus) => {
    this.canceledAt.set(taskId, performance.now());
    const entry = this.buses.get(taskId);
    bus.publish({
      kind: 'statusUpdate',
      data: {
        taskId,
        contextId: entry?.contextId ?? '',
        status: {
          state: TaskState.TASK_STATE_CANCELED,
          message: undefined,
          timestamp: new Date().toISOString(),
        },
        metadata: {},
      },
    });
    entry?.stop();
    this.buses.delete(taskId);
  };
}

export function message(): Message {
  return {
    role: Role.ROLE_USER,
    messageId: randomUUID(),
    taskId: '',
    contextId: '',
    parts: [
      {
        content: { $case: 'text', value: 'go' },
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

export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('bench: condition not reached in 10 s');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * `promise`, or a failure naming `what` after 10 s. The timer also keeps the process alive: the
 * polling transports' timers are unref'd, so a lost delivery would otherwise end the run with
 * Node's "unsettled top-level await" instead of saying which step never finished.
 */
export async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: ${what} not done in 10 s`)), 10_000);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
