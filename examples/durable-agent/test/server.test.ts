import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TaskState } from '@a2a-js/sdk';
import { createMemoryStores, type PushUrlPolicy } from '@a2a-stores/core';
import { startWebhookReceiver, type WebhookReceiver, waitFor } from '@a2a-stores/test-backends';
import { afterEach, describe, expect, it } from 'vitest';
import { parseUsers } from '../src/auth.js';
import { createLogger } from '../src/logger.js';
import { createAgentPushUrlPolicy } from '../src/push-notifications.js';
import { createAgentServer } from '../src/server.js';
import { agentStoreOptions } from '../src/store-options.js';
import { connect, newTenant, pushConfig, sendForTask, userMessage } from './support/a2a-client.js';

// createAgentServer in-process, on core's memory stores: what the agent wires around the stores.
const servers: Server[] = [];
const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const receiver of receivers.splice(0)) await receiver.close();
});

/**
 * The agent in-process. `storePolicy` is what the push config store checks at registration,
 * `senderPolicy` what the sender checks before each POST; the agent passes one policy to both,
 * and a test may split them to replay configs stored under another policy (an agent restarted
 * out of development mode on the same database).
 */
async function serve(
  storePolicy: PushUrlPolicy = createAgentPushUrlPolicy(false),
  senderPolicy: PushUrlPolicy = storePolicy,
) {
  const lines: string[] = [];
  const logger = createLogger('debug', (line) => lines.push(line));
  const storeOptions = agentStoreOptions(logger, storePolicy);
  const stores = createMemoryStores(storeOptions);
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = createAgentServer({
    ...stores,
    scopeResolver: storeOptions.scopeResolver,
    pushUrlPolicy: senderPolicy,
    publicUrl: baseUrl,
    users: parseUsers('carol:carol-secret'),
    stepMs: 1,
    defaultSteps: 2,
    logger,
  });
  server.on('request', agent.app);
  return { baseUrl, lines };
}

describe('createAgentServer', () => {
  it('serves the card in proto JSON form, which the SDK client reads back intact', async () => {
    const { baseUrl } = await serve();
    const response = await fetch(`${baseUrl}/.well-known/agent-card.json`, {
      headers: { 'A2A-Version': '1.0' },
    });
    const wire = (await response.json()) as {
      securitySchemes: Record<string, Record<string, { scheme: string }>>;
    };
    expect(wire.securitySchemes.bearer?.httpAuthSecurityScheme?.scheme).toBe('Bearer');
    const client = await connect(baseUrl, 'carol:carol-secret');
    const card = await client.getAgentCard();
    expect(card.securitySchemes.bearer?.scheme?.$case).toBe('httpAuthSecurityScheme');
    expect(card.capabilities).toMatchObject({ streaming: true, pushNotifications: true });
  });

  it('runs tasks for the configured users and reports running executions on /healthz', async () => {
    const { baseUrl } = await serve();
    const carol = await connect(baseUrl, 'carol:carol-secret');
    const task = await sendForTask(carol, newTenant(), userMessage('write a report'));
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(task.history).toHaveLength(4);
    const health = await (await fetch(`${baseUrl}/healthz`)).json();
    expect(health).toEqual({ status: 'ok', runningTasks: 0 });
    const alice = await fetch(`${baseUrl}/a2a/rest/tasks`, {
      headers: { Authorization: 'Bearer alice:alice-secret', 'A2A-Version': '1.0' },
    });
    expect(alice.status).toBe(401);
  });

  it('routes the anonymous-scope warning through the agent logger, without names', async () => {
    const { baseUrl, lines } = await serve();
    const anonymous = await connect(baseUrl, undefined);
    const tenant = newTenant();
    await sendForTask(anonymous, tenant, userMessage('write a report'));
    const warnings = lines.filter((line) => line.includes(' warn: '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('anonymous scope');
    expect(lines.join('\n')).not.toContain(tenant);
  });

  it('in development mode delivers to a loopback webhook and logs it without token, path, tenant or owner', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const { baseUrl, lines } = await serve(createAgentPushUrlPolicy(true));
    const carol = await connect(baseUrl, 'carol:carol-secret');
    const tenant = newTenant();
    const asked = await sendForTask(carol, tenant, userMessage('ask me'));
    const url = receiver.newHookUrl('carol');
    await carol.createTaskPushNotificationConfig(
      pushConfig(tenant, asked.id, 'hook', url, 'sekret-token'),
    );
    await sendForTask(
      carol,
      tenant,
      userMessage('Ada', { taskId: asked.id, contextId: asked.contextId }),
    );
    const received = await receiver.waitFor(url, (got) => got.length >= 4);
    expect(received[0]?.headers.authorization).toBe('Bearer cred-sekret-token');

    const delivered = lines.filter((line) => line.includes('push notification delivered'));
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    expect(delivered[0]).toMatch(/^\[durable-agent\] debug: /);
    expect(delivered[0]).toContain(`"origin":"${receiver.origin}"`);
    expect(delivered[0]).toContain('"configId":"hook"');
    const log = lines.join('\n');
    // The client registered over v1.0, so the sender had a serialiser for it (no fallback warning).
    expect(log).not.toContain('No push notification serializer');
    for (const secret of ['sekret-token', new URL(url).pathname, tenant, 'carol']) {
      expect(log).not.toContain(secret);
    }
  });

  it('reports a failing or redirecting webhook at warn level with origin and reason, and never follows the redirect', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const { baseUrl, lines } = await serve(createAgentPushUrlPolicy(true));
    const carol = await connect(baseUrl, 'carol:carol-secret');
    const tenant = newTenant();
    const asked = await sendForTask(carol, tenant, userMessage('ask me'));
    const broken = receiver.newHookUrl('broken');
    const moved = receiver.newHookUrl('moved');
    const elsewhere = receiver.newHookUrl('elsewhere');
    receiver.answer(broken, 500);
    receiver.answer(moved, 307, { location: elsewhere });
    await carol.createTaskPushNotificationConfig(
      pushConfig(tenant, asked.id, 'broken', broken, 'token-b'),
    );
    await carol.createTaskPushNotificationConfig(
      pushConfig(tenant, asked.id, 'moved', moved, 'token-m'),
    );
    await sendForTask(
      carol,
      tenant,
      userMessage('Ada', { taskId: asked.id, contextId: asked.contextId }),
    );
    await receiver.waitFor(broken, (got) => got.length >= 4);
    await receiver.waitFor(moved, (got) => got.length >= 4);
    expect(receiver.receivedAt(elsewhere)).toEqual([]);

    const warnings = lines.filter((line) => line.includes(' warn: Push notification'));
    expect(warnings.some((line) => line.includes('http-status'))).toBe(true);
    expect(warnings.some((line) => line.includes('redirect'))).toBe(true);
    expect(lines.some((line) => /push notification failed .*"reason":"redirect"/.test(line))).toBe(
      true,
    );
    const log = lines.join('\n');
    for (const secret of ['token-b', 'token-m', new URL(broken).pathname, tenant, 'carol']) {
      expect(log).not.toContain(secret);
    }
  });

  it('re-checks at send time: a loopback webhook stored in development mode is refused once the agent is strict', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const { baseUrl, lines } = await serve(
      createAgentPushUrlPolicy(true),
      createAgentPushUrlPolicy(false),
    );
    const carol = await connect(baseUrl, 'carol:carol-secret');
    const tenant = newTenant();
    const asked = await sendForTask(carol, tenant, userMessage('ask me'));
    // http to loopback: accepted only under the development opt-in.
    const url = receiver.newHookUrl('stale');
    await carol.createTaskPushNotificationConfig(
      pushConfig(tenant, asked.id, 'stale', url, 'token-s'),
    );
    const done = await sendForTask(
      carol,
      tenant,
      userMessage('Ada', { taskId: asked.id, contextId: asked.contextId }),
    );
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const refusals = () =>
      lines.filter((line) => /push notification refused .*"reason":"insecure-scheme"/.test(line));
    await waitFor('a refusal per notification', async () => refusals().length >= 4, 10_000);
    expect(refusals().every((line) => line.includes('"configId":"stale"'))).toBe(true);
    expect(receiver.all()).toEqual([]);
  });
});
