import { randomUUID } from 'node:crypto';
import { AgentCard, type Message, Role, TaskState } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  createAuthenticatingFetchWithRetry,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import {
  AgentEvent,
  type AgentExecutor,
  DefaultRequestHandler,
  UnauthenticatedUser,
  type User,
} from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, type UserBuilder } from '@a2a-js/sdk/server/express';
import {
  createPushUrlPolicy,
  defaultScopeResolver,
  GuardedPushNotificationSender,
  ScopeGuardRequestHandler,
} from '@a2a-stores/core';
import { createSqliteStores } from '@a2a-stores/sqlite';
import express, { type Express } from 'express';

// 1. Authentication: the user goes on the call context, and the stores scope every task by it.
class ApiKeyUser implements User {
  constructor(readonly userName: string) {}
  get isAuthenticated(): boolean {
    return true;
  }
}

function apiKeyAuth(keys: ReadonlyMap<string, string>) {
  const users = new WeakMap<express.Request, User>();
  const middleware: express.RequestHandler = (req, res, next) => {
    const name = keys.get(req.header('x-api-key') ?? '');
    if (name === undefined) {
      res.status(401).json({ error: 'missing or unknown X-API-Key' });
      return;
    }
    users.set(req, new ApiKeyUser(name));
    next();
  };
  const userBuilder: UserBuilder = async (req) => users.get(req) ?? new UnauthenticatedUser();
  return { middleware, userBuilder };
}

// 2. The agent's work: here, one answer per message.
function textMessage(role: Role, text: string, taskId = '', contextId = ''): Message {
  const part = { content: { $case: 'text' as const, value: text }, metadata: undefined };
  return {
    messageId: randomUUID(),
    taskId,
    contextId,
    role,
    parts: [{ ...part, filename: '', mediaType: 'text/plain' }],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

const executor: AgentExecutor = {
  execute: async (request, bus) => {
    const { taskId, contextId } = request;
    const answer = textMessage(Role.ROLE_AGENT, 'Done.', taskId, contextId);
    const status = {
      state: TaskState.TASK_STATE_COMPLETED,
      message: answer,
      timestamp: new Date().toISOString(),
    };
    const history = [request.userMessage, answer];
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status,
        history,
        artifacts: [],
        metadata: undefined,
      }),
    );
  },
  cancelTask: async () => {},
};

/** Options of {@link createExpressAgent}. */
export interface ExpressAgentOptions {
  /** SQLite file of the stores; its directory must exist. */
  readonly filename: string;
  /** API key → user name. */
  readonly apiKeys: ReadonlyMap<string, string>;
  /** Base URL clients reach the agent at, advertised in its card. */
  readonly publicUrl: string;
}

/** An Express app serving an A2A agent on durable, per-user stores. */
export async function createExpressAgent(
  options: ExpressAgentOptions,
): Promise<{ app: Express; close(): Promise<void> }> {
  // 3. The stores, and one push URL policy shared by the push config store and the sender.
  // One scope resolver for the stores and the guard below, so both refuse the same calls.
  const pushUrlPolicy = createPushUrlPolicy();
  const scopeResolver = defaultScopeResolver({ anonymous: 'reject' });
  const stores = createSqliteStores(
    { filename: options.filename },
    { scopeResolver, pushUrlCheck: pushUrlPolicy },
  );
  await stores.migrate();

  const card: AgentCard = {
    name: 'My agent',
    description: 'Answers every message.',
    version: '1.0.0',
    supportedInterfaces: [
      {
        url: `${options.publicUrl}/a2a`,
        protocolBinding: 'JSONRPC',
        tenant: '',
        protocolVersion: '1.0',
      },
    ],
    capabilities: {
      streaming: false,
      pushNotifications: true,
      extensions: [],
      extendedAgentCard: false,
    },
    securitySchemes: {
      apiKey: {
        scheme: {
          $case: 'apiKeySecurityScheme',
          value: { description: '', location: 'header', name: 'X-API-Key' },
        },
      },
    },
    securityRequirements: [{ schemes: { apiKey: { list: [] } } }],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [],
    signatures: [],
    provider: undefined,
    documentationUrl: undefined,
    iconUrl: undefined,
  };

  // 4. The guarded sender re-checks each webhook before every POST and never follows redirects.
  const sender = new GuardedPushNotificationSender(stores.pushNotificationStore, {
    policy: pushUrlPolicy,
  });
  const handler = new DefaultRequestHandler(
    card,
    stores.taskStore,
    executor,
    undefined,
    stores.pushNotificationStore,
    sender,
  );
  // 5. Refuse unscopable calls (no user, a bad tenant) and messages to a task that is still
  // running as client errors, before the executor runs.
  const requestHandler = new ScopeGuardRequestHandler(handler, {
    scopeResolver,
    taskStore: stores.taskStore,
  });

  const auth = apiKeyAuth(options.apiKeys);
  const app = express();
  app.use(
    '/.well-known/agent-card.json',
    agentCardHandler({ agentCardProvider: async () => AgentCard.toJSON(card) as AgentCard }),
  );
  app.use(
    '/a2a',
    auth.middleware,
    jsonRpcHandler({ requestHandler, userBuilder: auth.userBuilder }),
  );
  return { app, close: () => stores.close() };
}

// 5. A client of the agent: the SDK's client, sending the API key on every call.
export async function askAgent(baseUrl: string, apiKey: string, text: string) {
  const fetchImpl = createAuthenticatingFetchWithRetry(fetch, {
    headers: async () => ({ 'X-API-Key': apiKey }),
    shouldRetryWithHeaders: async () => undefined,
  });
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
    }),
  );
  const client = await factory.createFromUrl(baseUrl);
  const message = textMessage(Role.ROLE_USER, text);
  return client.sendMessage({ tenant: '', message, configuration: undefined, metadata: undefined });
}
