import { waitFor } from '@a2a-stores/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_USER, type AgentProcess, startAgent } from '../src/agent-process.js';
import { settleWithin } from '../src/bounded.js';
import { callAgent, type JsonRpcReply, sendParams, taskOf } from '../src/json-rpc.js';
import { OUTAGE_CALL_LIMIT_MS } from '../src/outage-probe.js';
import { type PrivateServer, type ServerKind, startPrivateServer } from '../src/private-server.js';
import { writeResult } from '../src/results.js';

for (const kind of ['postgres', 'mysql', 'redis'] as const satisfies readonly ServerKind[]) {
  describe(`${kind}: the durable agent while its database is down`, () => {
    let server: PrivateServer | undefined;
    let agent: AgentProcess | undefined;

    beforeAll(async () => {
      server = await startPrivateServer(kind);
      agent = await startAgent(server.url);
    }, 120_000);

    afterAll(async () => {
      await agent?.stop();
      await server?.destroy();
    });

    it('answers JSON-RPC errors (no crash, no hang) and serves again on its own once the database is back', async () => {
      const base = agent!.baseUrl;
      const pid = agent!.pid;
      const before = await callAgent(
        base,
        'SendMessage',
        sendParams('before the outage, steps: 2'),
      );
      const taskId = taskOf(before).id!;
      expect(taskOf(before).status?.state).toBe('TASK_STATE_COMPLETED');

      await server!.kill();
      const calls: [string, Record<string, unknown>][] = [
        ['GetTask', { id: taskId }],
        ['SendMessage', sendParams('during the outage, steps: 2')],
        ['ListTasks', {}],
        ['CancelTask', { id: taskId }],
      ];
      const replies = await Promise.all(
        calls.map(async ([method, params]) => ({
          method,
          outcome: await settleWithin(
            callAgent(base, method, params, AbortSignal.timeout(OUTAGE_CALL_LIMIT_MS + 5_000)),
            OUTAGE_CALL_LIMIT_MS,
          ),
        })),
      );
      const rest = await settleWithin(
        fetch(`${base}/a2a/rest/tasks/${taskId}`, {
          headers: { 'A2A-Version': '1.0', Authorization: `Bearer ${AGENT_USER}` },
        }).then(async (response) => ({ status: response.status, body: await response.text() })),
        OUTAGE_CALL_LIMIT_MS,
      );
      const [health, live] = await Promise.all([
        fetch(`${base}/healthz`).then(async (r) => ({ status: r.status, body: await r.json() })),
        fetch(`${base}/livez`).then((r) => r.status),
      ]);

      const errors = replies.map(({ method, outcome }) => {
        expect(outcome.status, method).toBe('fulfilled');
        const reply = (outcome as { value: JsonRpcReply }).value;
        expect(reply.httpStatus, method).toBe(200);
        expect(reply.body.jsonrpc, method).toBe('2.0');
        expect(reply.body.result, method).toBeUndefined();
        expect(typeof reply.body.error?.code, method).toBe('number');
        expect(typeof reply.body.error?.message, method).toBe('string');
        // The client learns that storage is down, never which database or where it lives.
        expect(reply.body.error?.message, method).not.toMatch(
          /127\.0\.0\.1|ECONNREFUSED|PostgreSQL|MySQL|MariaDB|Redis|:\d{4,5}\b/i,
        );
        return {
          method,
          code: reply.body.error?.code,
          ms: outcome.ms,
          message: reply.body.error?.message,
        };
      });
      expect(rest.status).toBe('fulfilled');
      const restReply = (rest as { value: { status: number; body: string } }).value;
      expect(restReply.status).toBeGreaterThanOrEqual(500);
      expect(() => JSON.parse(restReply.body)).not.toThrow();
      expect(restReply.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|PostgreSQL|MySQL|Redis/i);
      // Readiness follows the store; liveness follows the process.
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'unhealthy', store: { reachable: false } });
      expect(JSON.stringify(health.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
      expect(live).toBe(200);
      expect(agent!.alive).toBe(true);

      await server!.restart();
      const restartedAt = performance.now();
      await waitFor(
        'the same agent process to serve the task again',
        async () => taskOf(await callAgent(base, 'GetTask', { id: taskId })).id === taskId,
        60_000,
      );
      const recoveredMs = Math.round(performance.now() - restartedAt);
      const after = await callAgent(base, 'SendMessage', sendParams('after the outage, steps: 2'));
      expect(taskOf(after).status?.state).toBe('TASK_STATE_COMPLETED');
      const listed = await callAgent(base, 'ListTasks', { pageSize: 100 });
      const ids = ((listed.body.result?.tasks as { id: string }[] | undefined) ?? []).map(
        (t) => t.id,
      );
      expect(ids).toEqual(expect.arrayContaining([taskId, taskOf(after).id]));
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(agent!.alive).toBe(true);
      expect(agent!.pid).toBe(pid);

      writeResult(`outage-agent-${kind}`, {
        jsonRpcErrors: errors,
        restStatus: restReply.status,
        maxCallMs: Math.max(...errors.map((e) => e.ms), rest.ms),
        callLimitMs: OUTAGE_CALL_LIMIT_MS,
        recoveredMsAfterRestart: recoveredMs,
        sameProcess: agent!.pid === pid,
      });
    }, 180_000);
  });
}
