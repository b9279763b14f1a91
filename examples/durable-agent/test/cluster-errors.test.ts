import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMemoryCoordination,
  createMemoryStores,
  type MemoryCoordinationBackend,
} from '@a2a-stores/core';
import { waitFor } from '@a2a-stores/test-backends';
import { afterEach, describe, expect, it } from 'vitest';
import { parseUsers } from '../src/auth.js';
import { CLUSTER_UNAVAILABLE_MESSAGE } from '../src/cluster-errors.js';
import { createLogger } from '../src/logger.js';
import { createAgentPushUrlPolicy } from '../src/push-notifications.js';
import { type AgentServer, createAgentServer } from '../src/server.js';
import { agentStoreOptions } from '../src/store-options.js';

// Two workers in this process on shared memory stores and the memory coordination hub, whose
// backends can be cut off: what a client reads when a call needs the other worker and the
// workers cannot reach each other, and that it recovers without a restart.
const ALICE = 'Bearer alice:alice-secret';

const servers: Server[] = [];
const agents: AgentServer[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) {
    agent.executor.stopAll();
    await agent.cluster?.close();
  }
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function twoWorkers() {
  const logger = createLogger('error');
  const policy = createAgentPushUrlPolicy(false);
  const storeOptions = agentStoreOptions(logger, policy);
  const stores = createMemoryStores(storeOptions);
  const hub = createMemoryCoordination();
  const start = async (name: string) => {
    const backend = hub.connect(name);
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = createAgentServer({
      taskStore: stores.taskStore,
      pushNotificationStore: stores.pushNotificationStore,
      scopeResolver: storeOptions.scopeResolver,
      pushUrlPolicy: policy,
      publicUrl: baseUrl,
      users: parseUsers('alice:alice-secret'),
      // A step lasts a minute: the task is still running whenever the test acts on it.
      stepMs: 60_000,
      defaultSteps: 3,
      logger,
      cluster: { backend, leaseTtlMs: 5000, sweepIntervalMs: 1000, recovery: 'fail' },
    });
    agents.push(agent);
    await agent.cluster?.start();
    server.on('request', agent.app);
    return { baseUrl, agent, backend };
  };
  return { a: await start('a'), b: await start('b') };
}

async function rpc(baseUrl: string, method: string, params: unknown) {
  const response = await fetch(`${baseUrl}/a2a/jsonrpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0', Authorization: ALICE },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await response.json()) as {
    result?: { task?: { id: string; status: { state: string } }; status?: { state: string } };
    error?: { code: number; message: string };
  };
}

function message(text: string) {
  return { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }] };
}

async function restCancel(baseUrl: string, taskId: string) {
  const response = await fetch(`${baseUrl}/a2a/rest/t/tasks/${taskId}:cancel`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0', Authorization: ALICE },
    body: '{}',
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function setReachable(backend: MemoryCoordinationBackend, reachable: boolean) {
  backend.setReachable(reachable);
}

describe('a cluster whose coordination is unreachable', () => {
  it('answers cross-worker cancel with a retryable 503-class error, serves local calls, and recovers', async () => {
    const { a, b } = await twoWorkers();
    const started = await rpc(a.baseUrl, 'SendMessage', {
      tenant: 't',
      message: message('write a report'),
      configuration: { returnImmediately: true },
    });
    const taskId = started.result?.task?.id as string;
    expect(taskId).toBeTruthy();
    await waitFor('the task running on A', async () => a.agent.executor.runningCount === 1, 5000);

    setReachable(b.backend, false);
    const viaRpc = await rpc(b.baseUrl, 'CancelTask', { tenant: 't', id: taskId });
    expect(viaRpc.error).toMatchObject({ code: -32603, message: CLUSTER_UNAVAILABLE_MESSAGE });
    const viaRest = await restCancel(b.baseUrl, taskId);
    expect(viaRest.status).toBe(503);
    expect(JSON.stringify(viaRest.body)).toContain(CLUSTER_UNAVAILABLE_MESSAGE);
    expect(JSON.stringify(viaRest.body)).not.toContain('memory coordination');
    // Local calls on B keep working: reading the task, starting one of its own.
    expect(
      (await rpc(b.baseUrl, 'GetTask', { tenant: 't', id: taskId })).result?.status?.state,
    ).toMatch(/SUBMITTED|WORKING/);
    const local = await rpc(b.baseUrl, 'SendMessage', {
      tenant: 't',
      message: message('another report'),
      configuration: { returnImmediately: true },
    });
    expect(local.error).toBeUndefined();
    expect(a.agent.executor.runningCount).toBe(1);

    // Back: the same cancel on B now reaches A's executor.
    setReachable(b.backend, true);
    const canceled = await rpc(b.baseUrl, 'CancelTask', { tenant: 't', id: taskId });
    expect(canceled.error).toBeUndefined();
    expect(canceled.result?.status?.state).toBe('TASK_STATE_CANCELED');
    await waitFor(
      'A to stop the canceled run',
      async () => a.agent.executor.runningCount === 0,
      5000,
    );
  });
});
