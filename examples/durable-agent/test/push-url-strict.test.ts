import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TaskState } from '@a2a-js/sdk';
import { startWebhookReceiver, type WebhookReceiver } from '@a2a-stores/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  connect,
  newTenant,
  pushConfig,
  sendForTask,
  sendRequest,
  userMessage,
} from './support/a2a-client.js';
import { STEP_MS } from './support/agent-fixture.js';
import { type AgentProcess, startAgent } from './support/agent-process.js';

// The agent as it runs by default (not in development mode), on a SQLite file: registering a
// webhook on this machine or on a metadata address through the A2A API is refused, with the
// invalid-params error of each transport, and nothing is stored. The refused loopback URL points
// at a real local receiver, so a delivery that slipped through would be seen.
const directory = mkdtempSync(path.join(tmpdir(), 'durable-agent-strict-'));
let agent: AgentProcess;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  agent = await startAgent({
    storeUrl: `sqlite:${path.join(directory, 'agent.db')}`,
    stepMs: STEP_MS,
    devMode: false,
    // An explicit A2A_AGENT_DEV=0 wins over NODE_ENV: this proves it.
    extra: { NODE_ENV: 'development' },
  });
});

afterAll(async () => {
  await agent?.stop('SIGKILL');
  await receiver?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('durable agent outside development mode', () => {
  it('says so at startup: https webhooks to public hosts only', () => {
    expect(agent.output()).toContain('webhooks:   https to public hosts only');
    expect(agent.output()).not.toContain('DEVELOPMENT MODE');
  });

  it('refuses loopback and metadata webhooks over JSON-RPC (-32602) and REST (400), storing nothing', async () => {
    const tenant = newTenant();
    const alice = await connect(agent.baseUrl, ALICE);
    const viaRest = await connect(agent.baseUrl, ALICE, 'HTTP+JSON');
    // A task waiting for input: any config stored on it would be called when it resumes.
    const asked = await sendForTask(alice, tenant, userMessage('ask me, then write a report'));
    expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);

    const refused: Array<[string, string]> = [
      [`${receiver.origin}/hook`, 'insecure-scheme'],
      [`https://127.0.0.1:${new URL(receiver.origin).port}/hook`, 'loopback-address'],
      ['https://localhost/hook', 'loopback-address'],
      ['https://169.254.169.254/', 'cloud-metadata'],
      ['https://[::ffff:169.254.169.254]/latest', 'cloud-metadata'],
      ['https://2852039166/', 'cloud-metadata'],
    ];
    for (const [url, reason] of refused) {
      const config = pushConfig(tenant, asked.id, 'hostile', url, 'token');
      await expect(alice.createTaskPushNotificationConfig(config), url).rejects.toMatchObject({
        name: 'RequestMalformedError',
        envelopeCode: -32602,
        message: expect.stringContaining(reason),
      });
      await expect(viaRest.createTaskPushNotificationConfig(config), url).rejects.toMatchObject({
        name: 'RequestMalformedError',
        statusCode: 400,
      });
    }

    // The same URL given with a send refuses the send before any task is created.
    const request = sendRequest(tenant, userMessage('write a report'));
    request.configuration = {
      acceptedOutputModes: ['text/plain'],
      returnImmediately: false,
      taskPushNotificationConfig: pushConfig(tenant, '', '', `${receiver.origin}/hook`, 'token'),
    };
    await expect(alice.sendMessage(request)).rejects.toMatchObject({
      name: 'RequestMalformedError',
      envelopeCode: -32602,
    });

    const listRequest = { tenant, taskId: asked.id, pageSize: 0, pageToken: '' };
    expect((await alice.listTaskPushNotificationConfig(listRequest)).configs).toEqual([]);
    expect((await viaRest.listTaskPushNotificationConfig(listRequest)).configs).toEqual([]);
    await expect(
      alice.getTaskPushNotificationConfig({ tenant, taskId: asked.id, id: 'hostile' }),
    ).rejects.toMatchObject({
      name: 'TaskNotFoundError',
      message: expect.stringContaining('Push'),
    });
    const tasks = await alice.listTasks({
      tenant,
      contextId: '',
      status: TaskState.TASK_STATE_UNSPECIFIED,
      pageToken: '',
      statusTimestampAfter: undefined,
    });
    expect(tasks.tasks.map((task) => task.id)).toEqual([asked.id]);

    // Resuming the task emits every event a stored config would have been sent.
    const done = await sendForTask(
      alice,
      tenant,
      userMessage('Ada', { taskId: asked.id, contextId: asked.contextId }),
    );
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(receiver.all()).toEqual([]);
    expect(agent.output()).not.toContain('push notification');
  });
});
