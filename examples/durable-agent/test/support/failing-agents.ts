import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentExecutor, TaskStore } from '@a2a-js/sdk/server';
import { DefaultRequestHandler } from '@a2a-js/sdk/server';
import { jsonRpcHandler, restHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { createMemoryStores, type ScopedTaskStore } from '@a2a-stores/core';
import express from 'express';
import { buildAgentCard, JSONRPC_PATH, REST_PATH } from '../../src/agent-card.js';
import { parseUsers } from '../../src/auth.js';
import { createLogger } from '../../src/logger.js';
import { createAgentPushUrlPolicy } from '../../src/push-notifications.js';
import { createAgentServer } from '../../src/server.js';
import { agentStoreOptions } from '../../src/store-options.js';

/** What a client read for one failing `GetTask`, over each transport. */
export interface WireAnswer {
  readonly jsonRpc: { readonly code: number | undefined; readonly message: string | undefined };
  readonly rest: {
    readonly status: number;
    readonly statusName: string | undefined;
    readonly message: string | undefined;
  };
}

/** An agent on a loopback port whose task store's `load` throws whatever `fail` is set to. */
export interface FailingAgent {
  /** Throws `error` from `load` on the next `GetTask`, then asks over JSON-RPC and REST. */
  answerFor(error: Error): Promise<WireAnswer>;
  close(): Promise<void>;
}

const CAROL = 'carol:carol-secret';

async function listen(app: express.Express): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A task store whose `load` throws the error `failure()` holds; everything else is memory. */
function failingTaskStore(base: ScopedTaskStore, failure: () => Error): ScopedTaskStore {
  return Object.assign(Object.create(base), {
    load: async () => {
      throw failure();
    },
  });
}

async function ask(baseUrl: string, rpcPath: string, restPath: string): Promise<WireAnswer> {
  const headers = {
    'A2A-Version': '1.0',
    Authorization: `Bearer ${CAROL}`,
    'Content-Type': 'application/json',
  };
  // Both requests start together; Promise.all gives each its handler at once.
  const [rpc, rest] = await Promise.all([
    fetch(`${baseUrl}${rpcPath}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'task-1' } }),
    }),
    fetch(`${baseUrl}${restPath}/tasks/task-1`, { headers }),
  ]);
  const [rpcBody, restBody] = (await Promise.all([rpc.json(), rest.json()])) as [
    { error?: { code?: number; message?: string } },
    { error?: { status?: string; message?: string } },
  ];
  return {
    jsonRpc: { code: rpcBody.error?.code, message: rpcBody.error?.message },
    rest: {
      status: rest.status,
      statusName: restBody.error?.status,
      message: restBody.error?.message,
    },
  };
}

function failingAgent(
  start: (failure: () => Error) => Promise<{ server: Server; baseUrl: string }>,
  paths: { rpc: string; rest: string },
): Promise<FailingAgent> {
  let next: Error = new Error('no failure set');
  return start(() => next).then(({ server, baseUrl }) => ({
    answerFor: (error) => {
      next = error;
      return ask(baseUrl, paths.rpc, paths.rest);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  }));
}

/**
 * A plain agent: the SDK's `DefaultRequestHandler` over the store, mounted with the SDK's
 * express handlers, nothing of ours in between (no masking, no scope guard).
 */
export function startPlainAgent(): Promise<FailingAgent> {
  return failingAgent(
    async (failure) => {
      const stores = createMemoryStores();
      const executor: AgentExecutor = {
        execute: async () => {},
        cancelTask: async () => {},
      };
      const app = express();
      const listening = await listen(app);
      const handler = new DefaultRequestHandler(
        buildAgentCard(listening.baseUrl),
        failingTaskStore(stores.taskStore, failure) as TaskStore,
        executor,
      );
      const userBuilder = UserBuilder.noAuthentication;
      app.use('/jsonrpc', jsonRpcHandler({ requestHandler: handler, userBuilder }));
      app.use('/rest', restHandler({ requestHandler: handler, userBuilder }));
      return listening;
    },
    { rpc: '/jsonrpc', rest: '/rest' },
  );
}

/**
 * The durable agent of this example as `main.ts` builds it (`createAgentServer`: store error
 * masking, `ScopeGuardRequestHandler`, `PassportRequestHandler`), over a failing store.
 */
export function startDurableAgent(): Promise<FailingAgent> {
  return failingAgent(
    async (failure) => {
      const logger = createLogger('error', () => {});
      const policy = createAgentPushUrlPolicy(false);
      const storeOptions = agentStoreOptions(logger, policy);
      const stores = createMemoryStores(storeOptions);
      const app = express();
      const listening = await listen(app);
      const agent = createAgentServer({
        taskStore: failingTaskStore(stores.taskStore, failure),
        pushNotificationStore: stores.pushNotificationStore,
        scopeResolver: storeOptions.scopeResolver,
        pushUrlPolicy: policy,
        publicUrl: listening.baseUrl,
        users: parseUsers(CAROL),
        stepMs: 1,
        defaultSteps: 1,
        logger,
      });
      app.use(agent.app);
      return listening;
    },
    { rpc: JSONRPC_PATH, rest: REST_PATH },
  );
}
