import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@a2a-stores/test-backends';
import { afterAll, describe, expect, it } from 'vitest';
import { ALICE, connect, newTenant, sendForTask, userMessage } from './support/a2a-client.js';
import { type AgentProcess, startAgent } from './support/agent-process.js';

const dir = mkdtempSync(join(tmpdir(), 'a2a-metrics-'));
let agent: AgentProcess | undefined;
afterAll(async () => {
  await agent?.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Sum of the samples of `name` whose label set contains every `labels` pair. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

describe('durable agent: Prometheus metrics (A2A_AGENT_METRICS_PORT)', () => {
  it('serves the store histograms and a2a_stores counters after a few requests', async () => {
    const metricsPort = await freePort();
    agent = await startAgent({
      storeUrl: `sqlite:${join(dir, 'agent.db')}`,
      stepMs: 1,
      devMode: false,
      extra: { A2A_AGENT_METRICS_PORT: String(metricsPort), A2A_AGENT_ANONYMOUS: 'reject' },
    });
    expect(agent.output()).toContain(`metrics:    http://127.0.0.1:${metricsPort}/metrics`);
    const tenant = newTenant();
    const client = await connect(agent.baseUrl, ALICE);
    const task = await sendForTask(client, tenant, userMessage('secret-task-text-31337'));
    await client.getTask({ tenant, id: task.id });
    // An unauthenticated call refused by the scope policy.
    const anonymous = await connect(agent.baseUrl, undefined);
    await expect(sendForTask(anonymous, tenant, userMessage('hello'))).rejects.toThrow();

    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const sqlite = { db_system_name: 'sqlite', db_collection_name: 'a2a_tasks' };
    expect(
      sample(text, 'db_client_operation_duration_count', {
        ...sqlite,
        db_operation_name: 'save',
      }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'db_client_operation_duration_count', {
        ...sqlite,
        db_operation_name: 'load',
      }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'a2a_stores_scope_refusals_total', {
        a2a_stores_scope_failure: 'unauthenticated',
      }),
    ).toBeGreaterThan(0);
    expect(text).toContain('# HELP a2a_stores_scope_refusals_total');
    for (const secret of [tenant, 'alice-secret', 'secret-task-text-31337', task.id]) {
      expect(text).not.toContain(secret);
    }
  });
});
