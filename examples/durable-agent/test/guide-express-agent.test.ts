import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TaskState } from '@a2a-js/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askAgent, createExpressAgent } from '../src/guide/express-agent.js';

// The code of docs/express-agent.md, run as written: one server on a fresh SQLite file.
const directory = mkdtempSync(path.join(tmpdir(), 'express-guide-'));
const server: Server = createServer();
let baseUrl = '';
let close: () => Promise<void> = async () => {};

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = await createExpressAgent({
    filename: path.join(directory, 'agent.db'),
    apiKeys: new Map([
      ['key-of-ann', 'ann'],
      ['key-of-ben', 'ben'],
    ]),
    publicUrl: baseUrl,
  });
  close = agent.close;
  server.on('request', agent.app);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await close();
  rmSync(directory, { recursive: true, force: true });
});

/** A raw JSON-RPC GetTask as `apiKey` (the guide's client only sends). */
async function getTaskAs(apiKey: string, id: string) {
  const response = await fetch(`${baseUrl}/a2a`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0', 'X-API-Key': apiKey },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the Express agent of docs/express-agent.md', () => {
  it("answers an authenticated SDK client and keeps the task in that user's scope", async () => {
    const result = await askAgent(baseUrl, 'key-of-ann', 'hello');
    if (!('status' in result)) throw new Error('expected a task');
    expect(result.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);

    const asAnn = await getTaskAs('key-of-ann', result.id);
    expect(asAnn.body.result).toMatchObject({ id: result.id });
    const asBen = await getTaskAs('key-of-ben', result.id);
    expect(asBen.body.result).toBeUndefined();
    expect(asBen.body.error).toMatchObject({ code: -32001 });
  });

  it('refuses a call without a known API key before the A2A handler runs', async () => {
    expect((await getTaskAs('', 'any')).status).toBe(401);
    await expect(askAgent(baseUrl, 'not-a-key', 'hello')).rejects.toThrow(/401/);
  });
});

describe('docs/express-agent.md', () => {
  it('shows examples/durable-agent/src/guide/express-agent.ts as it is', () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const source = readFileSync(path.join(here, '../src/guide/express-agent.ts'), 'utf8');
    const guide = readFileSync(path.join(here, '../../../docs/express-agent.md'), 'utf8');
    const blocks = [...guide.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
    expect(blocks).toContain(source);
  });
});
