import { randomUUID } from 'node:crypto';
import { type Message, Role, type Task, TaskState } from '@a2a-js/sdk';
import { ServerCallContext, type User } from '@a2a-js/sdk/server';

/** Fixed origin of every status timestamp, so list orderings are predictable. */
export const BASE_TIME = Date.UTC(2024, 0, 15, 12, 0, 0);

/** A tenant and an owner: the key every store partitions by. */
export interface BenchScope {
  readonly tenant: string;
  readonly owner: string;
}

class BenchUser implements User {
  readonly #userName: string;
  constructor(userName: string) {
    this.#userName = userName;
  }
  get isAuthenticated(): boolean {
    return true;
  }
  get userName(): string {
    return this.#userName;
  }
}

/** A fresh scope no other subject or run uses. */
export function randomScope(): BenchScope {
  return { tenant: `t-${randomUUID()}`, owner: `o-${randomUUID()}` };
}

/** The call context every store (ours and the SDK's) maps to `scope`. */
export function contextOf(scope: BenchScope): ServerCallContext {
  return new ServerCallContext({ tenant: scope.tenant, user: new BenchUser(scope.owner) });
}

/** A message of one text part, from the user on even turns and the agent on odd ones. */
export function textMessage(
  taskId: string,
  contextId: string,
  index: number,
  text: string,
): Message {
  return {
    messageId: randomUUID(),
    contextId,
    taskId,
    role: index % 2 === 0 ? Role.ROLE_USER : Role.ROLE_AGENT,
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: '' },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

function message(taskId: string, contextId: string, index: number, words: number): Message {
  return textMessage(taskId, contextId, index, `turn ${index}: ${'lorem ipsum '.repeat(words)}`);
}

/** What a seeded task shares with others: its context and its state. */
export interface TaskShape {
  /** Default: a context of its own. */
  readonly contextId?: string;
  /** Default: working. */
  readonly state?: TaskState;
}

/**
 * A task whose history serializes to about 2 KB (8 messages). Ids are UUIDs: the SDK's database
 * store keys them (and context ids) as varchar(36).
 */
export function makeTask(timestampOffsetMs: number, shape: TaskShape = {}): Task {
  const id = randomUUID();
  const contextId = shape.contextId ?? randomUUID();
  const history: Message[] = [];
  for (let i = 0; i < 8; i++) history.push(message(id, contextId, i, 16));
  return {
    id,
    contextId,
    status: {
      state: shape.state ?? TaskState.TASK_STATE_WORKING,
      message: undefined,
      timestamp: new Date(BASE_TIME + timestampOffsetMs).toISOString(),
    },
    artifacts: [],
    history,
    metadata: { source: 'bench' },
  };
}

/** `task` one step later: a new status (input required, later timestamp) and one more message. */
export function updatedTask(task: Task, laterByMs: number): Task {
  const stamp = Date.parse(task.status?.timestamp ?? new Date(BASE_TIME).toISOString());
  return {
    ...task,
    status: {
      state: TaskState.TASK_STATE_INPUT_REQUIRED,
      message: undefined,
      timestamp: new Date(stamp + laterByMs).toISOString(),
    },
    history: [...task.history, message(task.id, task.contextId, task.history.length, 4)],
  };
}
