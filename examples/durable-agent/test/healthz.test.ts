import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultScopeResolver } from '@a2a-stores/core';
import { createSqliteStores, type SqliteStoreBundle } from '@a2a-stores/sqlite';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseUsers } from '../src/auth.js';
import { createLogger } from '../src/logger.js';
import { createAgentPushUrlPolicy } from '../src/push-notifications.js';
import { createAgentServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'a2a-healthz-'));
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The agent in-process over `stores`, with their health() behind /healthz. */
async function serve(stores: SqliteStoreBundle, lines: string[]): Promise<string> {
  const scopeResolver = defaultScopeResolver({ anonymous: 'shared' });
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = createAgentServer({
    taskStore: stores.taskStore,
    pushNotificationStore: stores.pushNotificationStore,
    pushUrlPolicy: createAgentPushUrlPolicy(false),
    publicUrl: baseUrl,
    users: parseUsers('carol:carol-secret'),
    stepMs: 1,
    defaultSteps: 2,
    logger: createLogger('warn', (line) => lines.push(line)),
    storeHealth: () => stores.health(),
    scopeResolver,
  });
  server.on('request', agent.app);
  return baseUrl;
}

async function healthz(baseUrl: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}/healthz`);
  return { status: response.status, body: await response.json() };
}

describe('/healthz', () => {
  it("answers from the store's health: 503 before migrate(), 200 after, 503 once closed", async () => {
    const stores = createSqliteStores({ filename: join(dir, 'agent.db') });
    const lines: string[] = [];
    const baseUrl = await serve(stores, lines);
    const unmigrated = await healthz(baseUrl);
    expect(unmigrated.status).toBe(503);
    expect(unmigrated.body).toEqual({
      status: 'unhealthy',
      runningTasks: 0,
      store: { reachable: true, schemaCurrent: false, latencyMs: expect.any(Number) },
    });
    await stores.migrate();
    const ready = await healthz(baseUrl);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ok',
      runningTasks: 0,
      store: { reachable: true, schemaCurrent: true, latencyMs: expect.any(Number) },
    });
    await stores.close();
    const closed = await healthz(baseUrl);
    expect(closed.status).toBe(503);
    // Booleans and a latency only: no error message, path or database name in the body.
    expect(closed.body).toEqual({
      status: 'unhealthy',
      runningTasks: 0,
      store: { reachable: false, schemaCurrent: false, latencyMs: expect.any(Number) },
    });
    // The reasons go to the operator's log instead.
    expect(lines.some((line) => line.includes('SCHEMA_NOT_MIGRATED'))).toBe(true);
    expect(lines.some((line) => line.includes('STORE_CLOSED'))).toBe(true);
    // Liveness stays 200: the process serves, so an orchestrator keeps it and waits.
    const live = await fetch(`${baseUrl}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok', runningTasks: 0 });
  });
});
