import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreBundle, StoreHealth } from '@a2a-stores/core';
import { callContext, makeTask, randomScope } from '@a2a-stores/core/conformance';
import { createMysqlStores } from '@a2a-stores/mysql';
import { createPostgresStores } from '@a2a-stores/postgres';
import { createSqliteStores } from '@a2a-stores/sqlite';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';

const dir = mkdtempSync(join(tmpdir(), 'a2a-stores-cli-sql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a database's own command-line client with `script` on stdin; rejects on failure. */
function applyWith(command: string, args: readonly string[], script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr}`)),
    );
    child.stdin.end(script);
  });
}

async function scriptFor(...args: string[]): Promise<string> {
  const run = await runBin(['migrate', '--sql', ...args], { env: { A2A_STORE_URL: '' } });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/INSERT INTO/);
  return run.stdout;
}

/** The adapter accepts the hand-applied schema: current, and a task round-trips. */
async function expectAccepted(stores: StoreBundle & { health(): Promise<StoreHealth> }) {
  try {
    expect(await stores.health()).toMatchObject({ healthy: true, pendingMigrations: [] });
    const ctx = callContext(randomScope());
    const task = makeTask();
    await stores.taskStore.save(task, ctx);
    expect((await stores.taskStore.load(task.id, ctx))?.id).toBe(task.id);
    expect((await stores.migrate()).applied).toEqual([]);
  } finally {
    await stores.close();
  }
}

describe('a2a-stores migrate --sql --dialect (offline)', () => {
  it('sqlite: the script applied by sqlite3 gives a database the adapter finds current', async () => {
    const filename = join(dir, 'by-hand.db');
    await applyWith('sqlite3', [filename], await scriptFor('--dialect', 'sqlite'));
    await expectAccepted(createSqliteStores({ filename }));
  });

  it('postgres: the script creates the schema and the ledger; psql applies it', async () => {
    const backend = await resolveTestBackend('postgres');
    const schema = `cli_sql_${randomBytes(4).toString('hex')}`;
    try {
      const script = await scriptFor('--dialect', 'postgres', '--schema', schema);
      expect(script).toContain(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await applyWith('psql', [backend.url, '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], script);
      await expectAccepted(createPostgresStores({ connectionString: backend.url }, { schema }));
    } finally {
      const pool = new pg.Pool({ connectionString: backend.url });
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });

  it('mysql: the mysql client applies the script, ledger rows included', async () => {
    const backend = await resolveTestBackend('mysql');
    const prefix = `cli_sql_${randomBytes(4).toString('hex')}_`;
    const url = new URL(backend.url);
    const client = [
      `--host=${url.hostname}`,
      `--port=${url.port || '3306'}`,
      `--user=${decodeURIComponent(url.username)}`,
      ...(url.password ? [`--password=${decodeURIComponent(url.password)}`] : []),
      url.pathname.slice(1),
    ];
    const stores = createMysqlStores({ uri: backend.url }, { tablePrefix: prefix });
    try {
      await applyWith(
        'mysql',
        client,
        await scriptFor('--dialect', 'mysql', '--table-prefix', prefix),
      );
      await expectAccepted(createMysqlStores({ uri: backend.url }, { tablePrefix: prefix }));
    } finally {
      const [rows] = await stores.pool.query<import('mysql2').RowDataPacket[]>(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?',
        [`${prefix}%`],
      );
      for (const row of rows) await stores.pool.query(`DROP TABLE \`${String(row.name)}\``);
      await stores.close();
    }
  });

  it('needs a known --dialect and no --url', async () => {
    const none = await runBin(['migrate', '--sql'], { env: { A2A_STORE_URL: '' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--dialect postgres, mysql or sqlite/);
    const url = await runBin(['migrate', '--sql', '--dialect', 'sqlite', '--url', 'sqlite:x.db']);
    expect(url.code).toBe(2);
  });
});
