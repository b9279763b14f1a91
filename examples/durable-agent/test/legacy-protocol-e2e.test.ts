import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TaskState } from '@a2a-js/sdk';
import { LegacyJsonRpcTransport, LegacyRestTransport } from '@a2a-js/sdk/compat/v0_3/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, userMessage } from './support/a2a-client.js';
import { type AgentProcess, startAgent } from './support/agent-process.js';

// A v0.3 client against the agent as a child process on a SQLite file, restarted between calls.
const directory = mkdtempSync(path.join(tmpdir(), 'durable-agent-v03-'));
const storeUrl = `sqlite:${path.join(directory, 'agent.db')}`;
let agent: AgentProcess | undefined;
const running = (): AgentProcess => {
  if (!agent) throw new Error('the agent is not running');
  return agent;
};
beforeAll(async () => {
  agent = await startAgent({ storeUrl, stepMs: 10, devMode: false });
});
afterAll(async () => {
  await agent?.stop('SIGTERM');
  rmSync(directory, { recursive: true, force: true });
});

/** A fetch that authenticates as `credentials` and, like a v0.3 client, sends no A2A-Version. */
function fetchAs(credentials: string): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('Authorization', `Bearer ${credentials}`);
    expect(headers.has('A2A-Version')).toBe(false);
    return fetch(input, { ...init, headers });
  };
}

/** What a v0.3 JSON-RPC client sends: v0.3 method name and message shape, no version header. */
async function rawLegacyCall(method: string, params: unknown, credentials = ALICE) {
  const response = await fetch(`${running().baseUrl}/a2a/jsonrpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${credentials}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    result?: { kind: string; id: string; status: { state: string }; artifacts?: unknown[] };
    error?: { code: number; message: string };
  };
}

describe('durable agent serves A2A v0.3 clients through the SDK compatibility layer', () => {
  it('answers a card request without A2A-Version with the v0.3 card, and 1.0 with the 1.0 card', async () => {
    const base = running().baseUrl;
    const legacy = await fetch(`${base}/.well-known/agent-card.json`);
    expect(legacy.headers.get('vary')).toContain('A2A-Version');
    expect(await legacy.json()).toMatchObject({
      protocolVersion: '0.3',
      url: `${base}/a2a/jsonrpc`,
      preferredTransport: 'JSONRPC',
      additionalInterfaces: [{ url: `${base}/a2a/rest`, transport: 'HTTP+JSON' }],
      securitySchemes: { bearer: { type: 'http', scheme: 'Bearer' } },
    });
    const current = await fetch(`${base}/.well-known/agent-card.json`, {
      headers: { 'A2A-Version': '1.0' },
    });
    expect(current.headers.get('vary')).toContain('A2A-Version');
    const card = (await current.json()) as Record<string, unknown>;
    expect(card.protocolVersion).toBeUndefined();
    expect(card.securitySchemes).toEqual({
      bearer: { httpAuthSecurityScheme: expect.objectContaining({ scheme: 'Bearer' }) },
    });
  });

  it('runs a raw v0.3 message/send, then finds the task with tasks/get after a restart', async () => {
    const sent = await rawLegacyCall('message/send', {
      message: {
        kind: 'message',
        messageId: `v03-${Date.now()}`,
        role: 'user',
        parts: [{ kind: 'text', text: 'write a report' }],
      },
      configuration: { blocking: true },
    });
    expect(sent.error).toBeUndefined();
    expect(sent.result).toMatchObject({ kind: 'task', status: { state: 'completed' } });
    const id = sent.result?.id ?? '';

    await running().stop('SIGTERM');
    agent = await startAgent({ storeUrl, stepMs: 10, devMode: false });

    const got = await rawLegacyCall('tasks/get', { id });
    expect(got.result).toMatchObject({ kind: 'task', id, status: { state: 'completed' } });
    expect(got.result?.artifacts).toHaveLength(1);
    // Scope holds for v0.3 callers too: another user's task reads as missing.
    const asBob = await rawLegacyCall('tasks/get', { id }, BOB);
    expect(asBob.result).toBeUndefined();
    expect(asBob.error?.code).toBe(-32001);
  });

  it("works with the SDK's own v0.3 JSON-RPC and REST client transports", async () => {
    const base = running().baseUrl;
    for (const transport of [
      new LegacyJsonRpcTransport({ endpoint: `${base}/a2a/jsonrpc`, fetchImpl: fetchAs(ALICE) }),
      new LegacyRestTransport({ endpoint: `${base}/a2a/rest`, fetchImpl: fetchAs(ALICE) }),
    ]) {
      const result = await transport.sendMessage({
        tenant: '',
        message: userMessage('write a report'),
        configuration: {
          acceptedOutputModes: [],
          returnImmediately: false,
          historyLength: undefined,
          taskPushNotificationConfig: undefined,
        },
        metadata: undefined,
      });
      if (!('status' in result)) throw new Error(`${transport.protocolName}: expected a task`);
      expect(result.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const read = await transport.getTask({ tenant: '', id: result.id, historyLength: undefined });
      expect(read.id).toBe(result.id);
    }
  });

  it('still refuses a v1.0 JSON-RPC method sent without A2A-Version', async () => {
    const answer = await rawLegacyCall('GetTask', { id: 'no-such-task' });
    expect(answer.error?.code).toBe(-32601);
  });
});
