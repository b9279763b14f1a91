import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentProcess, startAgent } from './support/agent-process.js';

// The real agent process (memory store), once per NODE_ENV value: Express's own error page
// depends on NODE_ENV, the agent's answers must not. Anonymous callers are refused here
// (A2A_AGENT_ANONYMOUS=reject), as every adapter README example configures its stores.
const CAROL = 'Bearer carol:carol-secret';
const LONG_TENANT = 't'.repeat(256);
// A stack frame as Node prints it; no client error may put one in the agent's output.
const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

function restMessage(text: string) {
  return { message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }] } };
}

async function rest(
  agent: AgentProcess,
  method: 'GET' | 'POST',
  path: string,
  options: { auth?: string; body?: string } = {},
) {
  const response = await fetch(`${agent.baseUrl}${path}`, {
    method,
    headers: {
      'A2A-Version': '1.0',
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(options.auth ? { Authorization: options.auth } : {}),
    },
    body: options.body,
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text: await response.text(),
  };
}

async function jsonRpc(agent: AgentProcess, method: string, params: unknown, auth?: string) {
  const answer = await rest(agent, 'POST', '/a2a/jsonrpc', {
    auth,
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
  });
  return {
    status: answer.status,
    body: JSON.parse(answer.text) as { error?: { code: number; message: string } },
  };
}

function executorRuns(agent: AgentProcess): number {
  return agent
    .output()
    .split('\n')
    .filter((line) => line.includes('debug: task started')).length;
}

for (const nodeEnv of ['development', 'production']) {
  describe(`the agent process with NODE_ENV=${nodeEnv}`, () => {
    let agent: AgentProcess;
    beforeAll(async () => {
      agent = await startAgent({
        storeUrl: 'memory:',
        stepMs: 1,
        devMode: false,
        extra: {
          NODE_ENV: nodeEnv,
          A2A_AGENT_ANONYMOUS: 'reject',
          A2A_AGENT_USERS: 'carol:carol-secret',
        },
      });
    });
    afterAll(async () => {
      await agent?.stop('SIGKILL');
    });

    it('answers a malformed path and an oversized body with JSON that names no file', async () => {
      const malformed = await rest(agent, 'GET', '/a2a/rest/tasks/%E9', { auth: CAROL });
      const oversized = await rest(agent, 'POST', '/a2a/rest/message:send', {
        auth: CAROL,
        body: JSON.stringify(restMessage('x'.repeat(300_000))),
      });
      const oversizedRpc = await rest(agent, 'POST', '/a2a/jsonrpc', {
        auth: CAROL,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'SendMessage',
          params: 'x'.repeat(300_000),
        }),
      });
      const unknown = await rest(agent, 'GET', '/no/such/route');
      expect([malformed.status, oversized.status, oversizedRpc.status, unknown.status]).toEqual([
        400, 413, 413, 404,
      ]);
      for (const answer of [malformed, oversized, oversizedRpc, unknown]) {
        expect(answer.type).toMatch(/json/);
        expect(() => JSON.parse(answer.text)).not.toThrow();
        expect(answer.text).not.toMatch(/<html|<pre>|node_modules|\/work\/|at [A-Za-z.]+ \(/i);
      }
      expect(JSON.parse(malformed.text)).toEqual({
        error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Malformed request', details: [] },
      });
      expect(JSON.parse(oversizedRpc.text)).toEqual({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'Request body too large' },
      });
      expect(agent.output()).not.toMatch(STACK_FRAME);
    });

    it('refuses unscopable tenants and anonymous callers as client errors before the executor runs', async () => {
      const before = executorRuns(agent);
      const send = JSON.stringify(restMessage('write a report'));
      const restAnswers = [
        await rest(agent, 'GET', '/a2a/rest/%00/tasks', { auth: CAROL }),
        await rest(agent, 'POST', '/a2a/rest/%00/message:send', { auth: CAROL, body: send }),
        await rest(agent, 'GET', `/a2a/rest/${LONG_TENANT}/tasks`, { auth: CAROL }),
        await rest(agent, 'POST', `/a2a/rest/${LONG_TENANT}/message:send`, {
          auth: CAROL,
          body: send,
        }),
      ];
      expect(restAnswers.map((a) => a.status)).toEqual([400, 400, 400, 400]);
      for (const answer of restAnswers) {
        expect(JSON.parse(answer.text).error.status).toBe('INVALID_ARGUMENT');
      }

      const anonymousRest = [
        await rest(agent, 'POST', '/a2a/rest/message:send', { body: send }),
        await rest(agent, 'GET', '/a2a/rest/tasks'),
        await rest(agent, 'GET', '/a2a/rest/acme/tasks/some-task'),
      ];
      expect(anonymousRest.map((a) => a.status)).toEqual([401, 401, 401]);
      expect(JSON.parse(anonymousRest[0]?.text ?? '').error.message).toMatch(
        /Authentication required/,
      );

      const rpcSend = (tenant: unknown) => ({ ...restMessage('write a report'), tenant });
      const rpcAnswers = [
        await jsonRpc(agent, 'SendMessage', rpcSend('\u0000'), CAROL),
        await jsonRpc(agent, 'SendMessage', rpcSend(LONG_TENANT), CAROL),
        await jsonRpc(agent, 'SendMessage', rpcSend('\ud800'), CAROL),
        await jsonRpc(agent, 'SendMessage', rpcSend(42), CAROL),
        await jsonRpc(agent, 'ListTasks', { tenant: '\ud800' }, CAROL),
        await jsonRpc(agent, 'GetTask', { tenant: { x: 1 }, id: 'some-task' }, CAROL),
        await jsonRpc(agent, 'SendMessage', rpcSend('acme')),
        await jsonRpc(agent, 'ListTasks', {}),
      ];
      expect(rpcAnswers.map((a) => [a.status, a.body.error?.code])).toEqual(
        Array.from({ length: 8 }, () => [200, -32602]),
      );
      expect(rpcAnswers[6]?.body.error?.message).toMatch(/Authentication required/);

      expect(executorRuns(agent)).toBe(before);
      expect(agent.output()).not.toMatch(STACK_FRAME);
      // Carol is still served, and the refused sends stored nothing for her.
      const served = await rest(agent, 'POST', '/a2a/rest/acme/message:send', {
        auth: CAROL,
        body: send,
      });
      expect(served.status).toBe(200);
      expect(executorRuns(agent)).toBe(before + 1);
      const listed = await rest(agent, 'GET', '/a2a/rest/acme/tasks', { auth: CAROL });
      expect(JSON.parse(listed.text).tasks).toHaveLength(1);
    });
  });
}
