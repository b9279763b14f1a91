import { randomUUID } from 'node:crypto';
import {
  type Message,
  type Part,
  Role,
  type SendMessageRequest,
  type TaskPushNotificationConfig,
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

/**
 * An SDK client for the agent at `baseUrl`, sending `Authorization: Bearer <credentials>` on every
 * call (none when `credentials` is empty or absent). `transport` picks JSON-RPC or REST;
 * `interceptors` run on every call, in order (e.g. a Secure Passport interceptor).
 */
export async function connectA2aClient(
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

/** A `text/plain` text part. */
export function plainTextPart(text: string): Part {
  return {
    content: { $case: 'text', value: text },
    metadata: undefined,
    filename: '',
    mediaType: 'text/plain',
  };
}

/**
 * A user message with one text part. `extra` overrides any field; pass `taskId`/`contextId` to
 * continue a task (an absent or undefined one stays `''`: a new task).
 */
export function userMessage(text: string, extra: Partial<Message> = {}): Message {
  return {
    messageId: randomUUID(),
    role: Role.ROLE_USER,
    parts: [plainTextPart(text)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
    ...extra,
    contextId: extra.contextId ?? '',
    taskId: extra.taskId ?? '',
  };
}

/** Options of {@link sendRequest}. */
export interface SendRequestOptions {
  /** Answer at once instead of waiting for the task to finish or interrupt (default false). */
  readonly returnImmediately?: boolean;
  /** A webhook registered with the send. */
  readonly pushConfig?: TaskPushNotificationConfig;
}

/** A send of `message` in `tenant`, accepting text answers. */
export function sendRequest(
  tenant: string,
  message: Message,
  options: SendRequestOptions = {},
): SendMessageRequest {
  return {
    tenant,
    message,
    configuration: {
      acceptedOutputModes: ['text/plain'],
      taskPushNotificationConfig: options.pushConfig,
      returnImmediately: options.returnImmediately ?? false,
    },
    metadata: undefined,
  };
}

/**
 * A push config on `taskId` (empty with a send) pointing at `url`, with `token` and, unless
 * `withAuthentication` is false, bearer `authentication` (which the sender prefers over the token).
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
