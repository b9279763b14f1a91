import { randomUUID } from 'node:crypto';
import {
  type Message,
  type StreamResponse,
  type Task,
  type TaskState,
  taskStateToJSON,
} from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { sendRequest } from '@a2a-stores/test-backends';

// The SDK client and request builders are shared with the other suites that drive an agent.
export {
  connectA2aClient as connect,
  pushConfig,
  sendRequest,
  userMessage,
} from '@a2a-stores/test-backends';

/** The demo users the agent starts with (its default `A2A_AGENT_USERS`). */
export const ALICE = 'alice:alice-secret';
export const BOB = 'bob:bob-secret';

/** A fresh tenant, so runs against a shared database never see each other's tasks. */
export function newTenant(): string {
  return `e2e-${randomUUID()}`;
}

/** Sends and insists the answer is a task (this agent never answers with a bare message). */
export async function sendForTask(client: Client, tenant: string, message: Message): Promise<Task> {
  const result = await client.sendMessage(sendRequest(tenant, message));
  if (!('status' in result)) throw new Error('expected a task, got a message');
  return result;
}

/** Reads a task with its whole history. */
export function getTask(client: Client, tenant: string, id: string): Promise<Task> {
  return client.getTask({ tenant, id });
}

/** The text of every text part of a message or artifact. */
export function textOf(
  parts: { content?: { $case: string; value: unknown } | undefined }[],
): string {
  return parts
    .map((part) => (part.content?.$case === 'text' ? String(part.content.value) : ''))
    .join('');
}

/** A compact label per stream event, e.g. `task:SUBMITTED`, `status:WORKING`, `artifact:report`. */
export function labelOf(event: StreamResponse): string {
  const payload = event.payload;
  switch (payload?.$case) {
    case 'task':
      return `task:${stateName(payload.value.status?.state)}`;
    case 'statusUpdate':
      return `status:${stateName(payload.value.status?.state)}`;
    case 'artifactUpdate':
      return `artifact:${payload.value.artifact?.artifactId}`;
    case 'message':
      return 'message';
    default:
      return 'empty';
  }
}

function stateName(state: TaskState | undefined): string {
  return state === undefined ? 'NONE' : taskStateToJSON(state).replace(/^TASK_STATE_/, '');
}
