import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentCard, type Message, Role, Task, TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutor,
  DefaultRequestHandler,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import { createMemoryStores, createPushUrlPolicy } from '@a2a-stores/core';
import { callContext, randomScope, textPart } from '@a2a-stores/core/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateLocalMasterKey,
  LocalAesKeyring,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '../src/index.js';

const SECRET_ANSWER = `SECRET-ANSWER-${Date.now()}`;
const TOKEN = `SECRET-TOKEN-${Date.now()}`;
const CREDENTIALS = `SECRET-CREDENTIALS-${Date.now()}`;

function message(taskId: string, contextId: string, role: Role, text: string): Message {
  return {
    messageId: `${role}-${Math.random()}`,
    contextId,
    taskId,
    role,
    parts: [textPart(text)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** Answers every message at once with a secret artifact and completes. */
class SecretExecutor implements AgentExecutor {
  execute = async (request: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId } = request;
    const now = new Date().toISOString();
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: now },
        history: [request.userMessage],
        artifacts: [],
        metadata: { plan: 'secret plan' },
      }),
    );
    bus.publish(
      AgentEvent.artifactUpdate({
        taskId,
        contextId,
        artifact: {
          artifactId: 'answer',
          name: 'answer',
          description: '',
          parts: [textPart(SECRET_ANSWER)],
          metadata: undefined,
          extensions: [],
        },
        append: false,
        lastChunk: true,
        metadata: undefined,
      }),
    );
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: {
          state: TaskState.TASK_STATE_COMPLETED,
          message: message(taskId, contextId, Role.ROLE_AGENT, `done: ${SECRET_ANSWER}`),
          timestamp: new Date().toISOString(),
        },
        metadata: undefined,
      }),
    );
  };
  cancelTask = async (): Promise<void> => {};
}

/** A webhook receiver on loopback, recording each notification's headers. */
async function startReceiver() {
  const received: IncomingHttpHeaders[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received.push(request.headers);
      response.writeHead(200).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Resolves once `count` notifications have arrived. */
    async waitFor(count: number) {
      while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const receiver = await startReceiver();
afterAll(() => receiver.close());

describe("through the SDK's DefaultRequestHandler", () => {
  it('stores ciphertext, answers plaintext, and delivers the real token to the webhook', async () => {
    const inner = createMemoryStores({
      pushUrlCheck: createPushUrlPolicy({ allowInsecureLocalhost: true }),
    });
    const stores = withEnvelopeEncryption(inner, {
      keyring: new LocalAesKeyring({ keys: { k: generateLocalMasterKey() }, primary: 'k' }),
      taskFields: TASK_FIELDS,
    });
    const card = AgentCard.fromJSON({
      name: 'kms test agent',
      description: 'envelope encryption under the SDK',
      version: '1.0.0',
      capabilities: { pushNotifications: true, streaming: true },
      defaultInputModes: ['text/plain'],
      defaultOutputModes: ['text/plain'],
    });
    const handler = new DefaultRequestHandler(
      card,
      stores.taskStore,
      new SecretExecutor(),
      undefined,
      stores.pushNotificationStore,
    );
    const ctx = callContext(randomScope());
    const result = await handler.sendMessage(
      {
        tenant: '',
        message: message('', '', Role.ROLE_USER, 'what is the secret?'),
        configuration: {
          acceptedOutputModes: [],
          taskPushNotificationConfig: {
            tenant: '',
            id: '',
            taskId: '',
            url: receiver.url,
            token: TOKEN,
            authentication: { scheme: 'Bearer', credentials: CREDENTIALS },
          },
          returnImmediately: false,
        },
        metadata: undefined,
      },
      ctx,
    );
    const taskId = (result as Task).id;

    const task = await handler.getTask({ tenant: '', id: taskId }, ctx);
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(JSON.stringify(Task.toJSON(task))).toContain(SECRET_ANSWER);
    const listed = await handler.listTaskPushNotificationConfigs(
      { tenant: '', taskId, pageSize: 10, pageToken: '' },
      ctx,
    );
    expect(listed.configs.map((c) => c.token)).toEqual([TOKEN]);
    expect(listed.configs[0]!.id).not.toBe('');

    const stored = JSON.stringify(Task.toJSON((await inner.taskStore.load(taskId, ctx))!));
    expect(stored).not.toContain(SECRET_ANSWER);
    expect(stored).not.toContain('what is the secret?');
    const storedConfigs = JSON.stringify(await inner.pushNotificationStore.load(taskId, ctx));
    expect(storedConfigs).not.toContain(TOKEN);
    expect(storedConfigs).not.toContain(CREDENTIALS);

    // One notification per event (task, artifact, status), each authenticated with the real
    // credentials opened from the sealed config (authentication takes priority over the token).
    await receiver.waitFor(3);
    expect(receiver.received.map((headers) => headers.authorization)).toEqual(
      Array(3).fill(`Bearer ${CREDENTIALS}`),
    );
  });
});
