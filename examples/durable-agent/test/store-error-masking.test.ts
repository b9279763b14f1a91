import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMemoryStores,
  InvalidInputError,
  type ScopedTaskStore,
  StoreConfigurationError,
  StoreError,
  StoreUnavailableError,
} from '@a2a-stores/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseUsers } from '../src/auth.js';
import { createLogger } from '../src/logger.js';
import { createAgentPushUrlPolicy } from '../src/push-notifications.js';
import { createAgentServer } from '../src/server.js';
import { agentStoreOptions } from '../src/store-options.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** What an adapter throws when its database is down: the driver's text names host and port. */
const DRIVER_TEXT = 'PostgreSQL is unreachable: connect ECONNREFUSED 10.1.2.3:5999';

/** The agent in-process over a task store whose `load` fails with `failure`. */
async function serveFailingLoad(failure: Error) {
  const lines: string[] = [];
  const logger = createLogger('debug', (line) => lines.push(line));
  const policy = createAgentPushUrlPolicy(false);
  const storeOptions = agentStoreOptions(logger, policy);
  const stores = createMemoryStores(storeOptions);
  const taskStore: ScopedTaskStore = Object.assign(Object.create(stores.taskStore), {
    load: async () => {
      throw failure;
    },
  });
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = createAgentServer({
    taskStore,
    pushNotificationStore: stores.pushNotificationStore,
    scopeResolver: storeOptions.scopeResolver,
    pushUrlPolicy: policy,
    publicUrl: baseUrl,
    users: parseUsers('carol:carol-secret'),
    stepMs: 1,
    defaultSteps: 1,
    logger,
  });
  server.on('request', agent.app);
  return { baseUrl, lines };
}

async function getTaskOverJsonRpc(baseUrl: string) {
  const response = await fetch(`${baseUrl}/a2a/jsonrpc`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: 'Bearer carol:carol-secret',
      'A2A-Version': '1.0',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'task-1' } }),
  });
  return (await response.json()) as { error?: { code: number; message: string } };
}

describe('store failures seen by clients', () => {
  it('answer a generic A2A error that names no database, host or port; the log keeps the detail', async () => {
    const { baseUrl, lines } = await serveFailingLoad(new StoreUnavailableError(DRIVER_TEXT));
    const body = await getTaskOverJsonRpc(baseUrl);
    expect(body.error?.code).toBe(-32603);
    expect(body.error?.message).toBe('Task storage is temporarily unavailable; retry later');
    expect(JSON.stringify(body)).not.toMatch(/PostgreSQL|ECONNREFUSED|10\.1\.2\.3|5999/);
    expect(lines.join('\n')).toContain('ECONNREFUSED');
  });

  it.each([
    [
      'a configuration error',
      new StoreConfigurationError('PostgreSQL', 'authentication', `SQLSTATE 28P01 ${DRIVER_TEXT}`),
    ],
    [
      'a failed decryption',
      new StoreError('DECRYPTION_FAILED', `sealed field token: ${DRIVER_TEXT}`),
    ],
    ['an unusable key', new StoreError('KEY_UNAVAILABLE', `key disabled: ${DRIVER_TEXT}`)],
    ['a key service outage', new StoreError('KMS_UNAVAILABLE', `KMS unreachable: ${DRIVER_TEXT}`)],
  ])('mask %s the same way', async (_, failure) => {
    const { baseUrl, lines } = await serveFailingLoad(failure);
    const body = await getTaskOverJsonRpc(baseUrl);
    expect(body.error?.message).toBe('Task storage is temporarily unavailable; retry later');
    expect(JSON.stringify(body)).not.toMatch(/PostgreSQL|ECONNREFUSED|10\.1\.2\.3|5999|SQLSTATE/);
    expect(lines.join('\n')).toContain('ECONNREFUSED');
  });

  it('leave client errors (bad input) as they are', async () => {
    const { baseUrl } = await serveFailingLoad(new InvalidInputError('taskId is too long'));
    const body = await getTaskOverJsonRpc(baseUrl);
    expect(body.error?.code).toBe(-32602);
    expect(body.error?.message).toBe('taskId is too long');
  });
});
