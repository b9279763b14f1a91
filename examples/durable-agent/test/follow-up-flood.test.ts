import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createMemoryStores, type ScopedTaskStore } from '@a2a-stores/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseUsers } from '../src/auth.js';
import { createLogger } from '../src/logger.js';
import { createAgentPushUrlPolicy } from '../src/push-notifications.js';
import { type AgentServer, createAgentServer } from '../src/server.js';
import { agentStoreOptions } from '../src/store-options.js';

// An anonymous caller floods a running task with large follow-up messages. The SDK alone lets
// each one join the run, append to the task and re-save it on every event; the agent must refuse
// them as client errors without re-entering the executor, while other users are served as usual.
const FOLLOW_UPS = 12;
const FOLLOW_UP_BYTES = 97 * 1024;
const CAROL = 'Bearer carol:carol-secret';

const servers: Server[] = [];
const agents: AgentServer[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) agent.executor.stopAll();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** The agent in-process on memory stores whose `save` calls are counted (the real store runs). */
async function serve() {
  const lines: string[] = [];
  const logger = createLogger('warn', (line) => lines.push(line));
  const policy = createAgentPushUrlPolicy(false);
  const storeOptions = agentStoreOptions(logger, policy);
  const stores = createMemoryStores(storeOptions);
  const counts = { saves: 0 };
  const taskStore = new Proxy(stores.taskStore, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property !== 'save') return value.bind(target);
      return (...args: unknown[]) => {
        counts.saves += 1;
        return value.apply(target, args);
      };
    },
  }) as ScopedTaskStore;
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
    // One step takes a minute: the task stays `working` for the whole test, whatever the load.
    stepMs: 60_000,
    defaultSteps: 5,
    logger,
  });
  agents.push(agent);
  server.on('request', agent.app);
  return { baseUrl, agent, counts, lines, taskStore };
}

async function rpc(baseUrl: string, method: string, params: unknown, auth?: string) {
  const response = await fetch(`${baseUrl}/a2a/jsonrpc`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'A2A-Version': '1.0',
      ...(auth ? { Authorization: auth } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      result?: { task?: { id: string; status: { state: string }; history?: unknown[] } };
      error?: { code: number; message: string };
    },
  };
}

function message(text: string, taskId?: string) {
  return { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }], taskId };
}

async function timedList(baseUrl: string): Promise<number> {
  const started = performance.now();
  const answer = await rpc(baseUrl, 'ListTasks', { tenant: 'other' }, CAROL);
  expect(answer.body.error).toBeUndefined();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

describe('follow-up messages to a running task', () => {
  it('are refused as UnsupportedOperation without re-entering the executor or growing the task', async () => {
    const { baseUrl, agent, counts, lines } = await serve();
    const started = await rpc(baseUrl, 'SendMessage', {
      tenant: 'flood',
      message: message('write a report'),
      configuration: { returnImmediately: true },
    });
    const taskId = started.body.result?.task?.id as string;
    // Submitted or working: either way not waiting for input.
    expect(['TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING']).toContain(
      started.body.result?.task?.status.state,
    );
    expect(agent.executor.executeCalls).toBe(1);

    const baseline: number[] = [];
    for (let i = 0; i < 5; i += 1) baseline.push(await timedList(baseUrl));
    const savesBefore = counts.saves;
    const heapBefore = process.memoryUsage().heapUsed;

    const big = 'x'.repeat(FOLLOW_UP_BYTES);
    const followUps = Array.from({ length: FOLLOW_UPS }, () => message(big, taskId));
    const underAttack: number[] = [];
    // The flood and another user's lists run at once, joined by one Promise.all.
    const [answers] = await Promise.all([
      Promise.all(
        followUps.map((followUp) =>
          rpc(baseUrl, 'SendMessage', {
            tenant: 'flood',
            message: followUp,
            configuration: { returnImmediately: true },
          }),
        ),
      ),
      (async () => {
        for (let i = 0; i < 5; i += 1) underAttack.push(await timedList(baseUrl));
      })(),
    ]);
    const restAnswer = await fetch(`${baseUrl}/a2a/rest/flood/message:send`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0' },
      body: JSON.stringify({ message: message(big, taskId) }),
    });
    const heapAfter = process.memoryUsage().heapUsed;

    expect(answers.map((a) => [a.status, a.body.error?.code])).toEqual(
      Array.from({ length: FOLLOW_UPS }, () => [200, -32004]),
    );
    expect(answers[0]?.body.error?.message).toContain('not waiting for input');
    expect(restAnswer.status).toBe(400);
    expect(((await restAnswer.json()) as { error: { status: string } }).error.status).toBe(
      'FAILED_PRECONDITION',
    );
    // Not one execution, not one write: the refused messages were never stored.
    expect(agent.executor.executeCalls).toBe(1);
    expect(counts.saves).toBe(savesBefore);
    const stored = (await rpc(baseUrl, 'GetTask', { tenant: 'flood', id: taskId })).body
      .result as unknown as { status: { state: string }; history: { messageId: string }[] };
    expect(['TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING']).toContain(stored.status.state);
    const refusedIds = new Set<string>(followUps.map((m) => m.messageId));
    expect(stored.history.filter((m) => refusedIds.has(m.messageId))).toEqual([]);
    expect(JSON.stringify(stored).length).toBeLessThan(FOLLOW_UP_BYTES);
    expect(lines.filter((line) => line.includes(' error: '))).toEqual([]);

    // Generous bounds against this run's own baseline: a loaded machine cannot make them flake,
    // an unbounded flood (seconds per list, hundreds of MB) still fails them.
    const heapGrowthMb = (heapAfter - heapBefore) / 2 ** 20;
    console.info(
      `follow-up flood: ListTasks median ${median(baseline).toFixed(1)} ms before, ${median(underAttack).toFixed(1)} ms during; heap +${heapGrowthMb.toFixed(1)} MB`,
    );
    expect(median(underAttack)).toBeLessThan(median(baseline) * 50 + 2000);
    expect(heapGrowthMb).toBeLessThan(200);
  });
});
