import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import pg from 'pg';
import type { BackendName } from './options.js';

/** A store the agent runs on for one load run, and how to remove it afterwards. */
export interface StoreTarget {
  /** The agent's `A2A_STORE_URL`. */
  readonly url: string;
  /** What the report says about it (no password). */
  readonly description: string;
  dispose(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Loopback only: a load run must never send traffic off this machine. */
export function assertLoopbackUrl(url: string): void {
  const host = new URL(url).hostname;
  if (!LOOPBACK_HOSTS.has(host) && !/^127\.\d+\.\d+\.\d+$/.test(host)) {
    throw new Error(`refusing to load a database at ${host}: the load run talks to loopback only`);
  }
}

/** A fresh SQLite file in a temporary folder (WAL and its sidecars go with the folder). */
async function sqliteTarget(): Promise<StoreTarget> {
  const dir = await mkdtemp(path.join(tmpdir(), 'a2a-load-'));
  const file = path.join(dir, 'agent.db');
  return {
    url: `sqlite:${file}`,
    description: `sqlite, fresh file ${file} (WAL)`,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A fresh database on the PostgreSQL server `resolveTestBackend` finds (env URL, else the local
 * service, else a container). The agent takes no schema option, so a database of its own is
 * what keeps the run from sharing tables (and their sizes) with tests and other runs.
 */
async function postgresTarget(): Promise<StoreTarget> {
  const backend = await resolveTestBackend('postgres');
  assertLoopbackUrl(backend.url);
  const name = `a2a_load_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: backend.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end();
    await backend.stop();
    throw error;
  }
  const url = new URL(backend.url);
  url.pathname = `/${name}`;
  const server = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0];
  return {
    url: url.toString(),
    description: `postgres ${server?.server_version ?? '?'} (${backend.source} service at ${url.host}), fresh database ${name}`,
    dispose: async () => {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
        await backend.stop();
      }
    },
  };
}

/** Prepares an empty store of `backend` for the agent. */
export function prepareStore(backend: BackendName): Promise<StoreTarget> {
  switch (backend) {
    case 'sqlite':
      return sqliteTarget();
    case 'postgres':
      return postgresTarget();
  }
}
