import { randomUUID } from 'node:crypto';
import {
  type Message,
  Role,
  type SendMessageRequest,
  type StreamResponse,
  type Task,
  type TaskPushNotificationConfig,
  type TaskState,
  taskStateToJSON,
} from '@a2a-js/sdk';
import {
  type CallInterceptor,
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  createAuthenticatingFetchWithRetry,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client';

/** The demo users the agent starts with (its default `A2A_AGENT_USERS`). */
export const ALICE = 'alice:alice-secret';
export const BOB = 'bob:bob-secret';

/**
 * An SDK client for the agent at `baseUrl`, sending `Authorization: Bearer <credentials>` on every
 * call (none for an anonymous client). `transport` picks JSON-RPC (the card's first) or REST;
 * `interceptors` run on every call, in order (e.g. a Secure Passport interceptor).
 */
export async function connect(
  baseUrl: string,
  credentials: string | undefined,
  transport: 'JSONRPC' | 'HTTP+JSON' = 'JSONRPC',
  interceptors: CallInterceptor[] = [],
): Promise<Client> {
  const fetchImpl = credentials
    ? createAuthenticatingFetchWithRetry(fetch, {
        headers: async () => ({ Authorization: `Bearer ${credentials}` }),
        shouldRetryWithHeaders: async () => undefined,
      })
    : fetch;
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [
        new JsonRpcTransportFactory({ fetchImpl }),
        new RestTransportFactory({ fetchImpl }),
      ],
      preferredTransports: [transport],
      clientConfig: { interceptors },
    }),
  );
  return factory.createFromUrl(baseUrl);
}

/** A fresh tenant, so runs against a shared database never see each other's tasks. */
export function newTenant(): string {
  return `e2e-${randomUUID()}`;
}

/** A user message; pass `taskId`/`contextId` to continue a task. */
export function userMessage(
  text: string,
  on: { taskId?: string; contextId?: string } = {},
): Message {
  return {
    messageId: randomUUID(),
    contextId: on.contextId ?? '',
    taskId: on.taskId ?? '',
    role: Role.ROLE_USER,
    parts: [
      {
        content: { $case: 'text', value: text },
        metadata: undefined,
        filename: '',
        mediaType: 'text/plain',
      },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** A send request in `tenant`. */
export function sendRequest(tenant: string, message: Message): SendMessageRequest {
  return {
    tenant,
    message,
    configuration: {
      acceptedOutputModes: ['text/plain'],
      taskPushNotificationConfig: undefined,
      returnImmediately: false,
    },
    metadata: undefined,
  };
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

/**
 * A push config with a webhook `url` (a hook of the tests' local receiver), `token`, and, unless
 * `withAuthentication` is false, `authentication` (which the sender prefers over the token).
 */
export function pushConfig(
  tenant: string,
  taskId: string,
  id: string,
  url: string,
  token: string,
  withAuthentication = true,
): TaskPushNotificationConfig {
  return {
    tenant,
    id,
    taskId,
    url,
    token,
    authentication: withAuthentication
      ? { scheme: 'Bearer', credentials: `cred-${token}` }
      : undefined,
  };
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
