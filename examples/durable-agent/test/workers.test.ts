import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@a2a-stores/test-backends';
import { afterAll, describe, expect, it } from 'vitest';
import { CLUSTER_STORES, type ClusterStore } from './support/cluster-stores.js';

// `A2A_AGENT_WORKERS=N` as `pnpm start` runs it: one parent forking N workers on consecutive
// ports, one cluster on the store, signals forwarded, all gone when the parent exits.
const EXAMPLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function startParent(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: EXAMPLE_DIR,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      A2A_PUBLIC_URL: '',
      A2A_AGENT_USERS: '',
      A2A_AGENT_DEV: '0',
      A2A_AGENT_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, exited, output: () => output };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port whose next two are free too (the workers take PORT, PORT+1, PORT+2). */
async function threeFreePorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = await freePort();
    if (base < 65_000 && (await portFree(base + 1)) && (await portFree(base + 2))) return base;
  }
  throw new Error('no three consecutive free ports found');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('A2A_AGENT_WORKERS', () => {
  const stores: ClusterStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.drop();
  });

  it('refuses several workers on a store only one process sees', async () => {
    for (const url of ['memory:', 'sqlite::memory:']) {
      const parent = startParent({ A2A_STORE_URL: url, A2A_AGENT_WORKERS: '3', PORT: '0' });
      expect(await parent.exited, parent.output()).toBe(1);
      expect(parent.output()).toContain('A2A_AGENT_WORKERS=3 needs a store the workers share');
    }
  });

  it('starts three workers on consecutive ports as one cluster; SIGTERM stops them all', async () => {
    const redis = CLUSTER_STORES.find((kind) => kind.name === 'redis');
    const store = await (redis as (typeof CLUSTER_STORES)[number]).create();
    stores.push(store);
    const base = await threeFreePorts();
    const parent = startParent({
      A2A_STORE_URL: store.url,
      A2A_AGENT_WORKERS: '3',
      PORT: String(base),
    });
    await waitFor(
      'the workers banner',
      async () => parent.output().includes('3 workers, one cluster on one store'),
      60_000,
    ).catch((error: Error) => {
      parent.child.kill('SIGKILL');
      throw new Error(`${error.message}\n${parent.output()}`);
    });
    const urls = [0, 1, 2].map((i) => `http://127.0.0.1:${base + i}`);
    for (const url of urls) {
      expect(parent.output()).toContain(url);
      const card = await fetch(`${url}/.well-known/agent-card.json`);
      expect(card.status).toBe(200);
    }
    const workerIds = [...parent.output().matchAll(/\(worker ([^)]+)\)/g)].map((m) => m[1]);
    expect(new Set(workerIds).size).toBe(3);
    expect(parent.output()).toMatch(/cluster: {4}worker \S+ over redis/);
    for (const url of urls) expect((await fetch(`${url}/livez`)).status).toBe(200);

    parent.child.kill('SIGTERM');
    expect(await parent.exited, parent.output()).toBe(0);
    for (const url of urls) {
      await expect(fetch(`${url}/livez`)).rejects.toThrow();
    }
    expect(pidAlive(parent.child.pid as number)).toBe(false);
  }, 90_000);
});
