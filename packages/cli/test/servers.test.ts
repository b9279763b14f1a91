import { randomBytes } from 'node:crypto';
import { TaskState } from '@a2a-js/sdk';
import { callContext, makeTask, randomScope } from '@a2a-stores/core/conformance';
import { createPostgresStores } from '@a2a-stores/postgres';
import { freePort, resolveTestBackend, type TestBackend } from '@a2a-stores/test-backends';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';

const DAY_MS = 86_400_000;
const PASSWORD = `cli-pw-${randomBytes(6).toString('hex')}`;

/** The URL with a password in it: the local servers trust loopback, so it is never checked. */
function withPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') return url;
  parsed.password = PASSWORD;
  if (parsed.username === '') parsed.username = 'default';
  return parsed.toString();
}

function secretOf(url: string): string {
  return decodeURIComponent(new URL(url).password);
}

describe('a2a-stores on postgres', () => {
  let backend: TestBackend;
  let url: string;
  const schema = `cli_${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    backend = await resolveTestBackend('postgres');
    url = withPassword(backend.url);
  });
  afterAll(async () => {
    const pool = new pg.Pool({ connectionString: backend.url });
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
    await backend.stop();
  });

  it('migrate is idempotent and never prints the password', async () => {
    const first = await runBin(['migrate', '--url', url, '--schema', schema]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied \d+ migration/);
    const second = await runBin(['migrate', '--url', url, '--schema', schema, '--json']);
    expect(second.code).toBe(0);
    const result = JSON.parse(second.stdout);
    expect(result.applied).toEqual([]);
    expect(result.current.length).toBeGreaterThan(0);
    expect(result.target).toContain('***');
    for (const run of [first, second]) {
      expect(run.stdout + run.stderr).not.toContain(secretOf(url));
    }
    const status = await runBin(['migrate', 'status', '--url', url, '--schema', schema, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ applied: result.current, pending: [] });
  });

  it('purge removes old finished tasks in every scope and keeps the others', async () => {
    const scopes = [randomScope(), randomScope()];
    const old = createPostgresStores(
      { connectionString: backend.url },
      { schema, now: () => Date.now() - 40 * DAY_MS },
    );
    const current = createPostgresStores({ connectionString: backend.url }, { schema });
    const kept: Array<[string, ReturnType<typeof callContext>]> = [];
    const purged: Array<[string, ReturnType<typeof callContext>]> = [];
    try {
      await old.migrate();
      for (const scope of scopes) {
        const context = callContext(scope);
        const oldDone = makeTask({ state: TaskState.TASK_STATE_CANCELED });
        const oldWaiting = makeTask({ state: TaskState.TASK_STATE_AUTH_REQUIRED });
        const recentDone = makeTask({ state: TaskState.TASK_STATE_COMPLETED });
        await old.taskStore.save(oldDone, context);
        await old.taskStore.save(oldWaiting, context);
        await current.taskStore.save(recentDone, context);
        purged.push([oldDone.id, context]);
        kept.push([oldWaiting.id, context], [recentDone.id, context]);
      }
      const purgeArgs = ['purge', '--url', url, '--schema', schema, '--older-than', '30d'];
      const dry = await runBin([...purgeArgs, '--batch-size', '1', '--dry-run', '--json']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, wouldDelete: 2 });
      for (const [id, context] of purged) {
        expect((await current.taskStore.load(id, context))?.id).toBe(id);
      }
      const run = await runBin([
        'purge',
        '--url',
        url,
        '--schema',
        schema,
        '--older-than',
        '30d',
        '--batch-size',
        '1',
        '--json',
      ]);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ deleted: 2 });
      expect(run.stdout + run.stderr).not.toContain(secretOf(url));
      for (const [id, context] of purged) {
        expect(await current.taskStore.load(id, context)).toBeUndefined();
      }
      for (const [id, context] of kept) {
        expect((await current.taskStore.load(id, context))?.id).toBe(id);
      }
    } finally {
      await old.close();
      await current.close();
    }
  });

  it('an unreachable server exits 3 without printing the password', async () => {
    const port = await freePort();
    const target = `postgres://app:${PASSWORD}@127.0.0.1:${port}/app`;
    const run = await runBin(['migrate', '--url', target]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/unreachable/);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });
});

describe('a2a-stores on mysql and redis', () => {
  it('mysql: migrate twice with a fresh table prefix, second run applies nothing', async () => {
    const backend = await resolveTestBackend('mysql');
    const prefix = `cli_${randomBytes(4).toString('hex')}_`;
    const url = backend.url;
    try {
      const first = await runBin(['migrate', '--url', url, '--table-prefix', prefix, '--json']);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout).applied.length).toBeGreaterThan(0);
      const second = await runBin(['migrate', '--url', url, '--table-prefix', prefix, '--json']);
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout).applied).toEqual([]);
      const dry = await runBin(['migrate', '--dry-run', '--url', url, '--table-prefix', prefix]);
      expect(dry.stdout).toMatch(/nothing would run/);
      const purgeDry = await runBin([
        ...['purge', '--dry-run', '--older-than', '1d', '--json'],
        ...['--url', url, '--table-prefix', prefix],
      ]);
      expect(purgeDry.code, purgeDry.stderr).toBe(0);
      expect(JSON.parse(purgeDry.stdout)).toMatchObject({ dryRun: true, wouldDelete: 0 });
    } finally {
      const { createPool } = await import('mysql2/promise');
      const pool = createPool({ uri: url });
      const [rows] = await pool.query<import('mysql2').RowDataPacket[]>(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?',
        [`${prefix}%`],
      );
      for (const row of rows) await pool.query(`DROP TABLE \`${String(row.name)}\``);
      await pool.end();
      await backend.stop();
    }
  });

  it('redis: migrate twice with a fresh key prefix; dry run says there is no SQL', async () => {
    const backend = await resolveTestBackend('redis');
    const prefix = `cli-${randomBytes(4).toString('hex')}:`;
    try {
      const first = await runBin([
        'migrate',
        '--url',
        backend.url,
        '--key-prefix',
        prefix,
        '--json',
      ]);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout).applied.length).toBeGreaterThan(0);
      const second = await runBin([
        'migrate',
        '--url',
        backend.url,
        '--key-prefix',
        prefix,
        '--json',
      ]);
      expect(JSON.parse(second.stdout).applied).toEqual([]);
      const dry = await runBin([
        'migrate',
        '--dry-run',
        '--url',
        backend.url,
        '--key-prefix',
        prefix,
      ]);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/redis has no SQL migrations/);
    } finally {
      const { Redis } = await import('ioredis');
      const client = new Redis(backend.url);
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys);
      client.disconnect();
      await backend.stop();
    }
  });

  it('redis: on a fresh prefix status and --dry-run report redis-format-3 pending, truthfully', async () => {
    const backend = await resolveTestBackend('redis');
    const prefix = `cli-${randomBytes(4).toString('hex')}:`;
    const target = ['--url', backend.url, '--key-prefix', prefix];
    try {
      const status = await runBin(['migrate', 'status', ...target, '--json']);
      expect(status.code).toBe(4);
      expect(JSON.parse(status.stdout)).toMatchObject({ pending: ['redis-format-3'] });
      const dry = await runBin(['migrate', '--dry-run', ...target]);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/Pending: redis-format-3/);
      const migrated = await runBin(['migrate', ...target, '--json']);
      expect(JSON.parse(migrated.stdout).applied).toEqual(['redis-format-3']);
      const after = await runBin(['migrate', 'status', ...target]);
      expect(after.code).toBe(0);
      expect(after.stdout).toMatch(/up to date/);
    } finally {
      const { Redis } = await import('ioredis');
      const client = new Redis(backend.url);
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys);
      client.disconnect();
      await backend.stop();
    }
  });

  it('redis: a database index the server lacks is refused (exit 3), nothing written', async () => {
    const backend = await resolveTestBackend('redis');
    const prefix = `cli-${randomBytes(4).toString('hex')}:`;
    const url = new URL(backend.url);
    url.pathname = '/99';
    try {
      const run = await runBin(['migrate', '--url', url.toString(), '--key-prefix', prefix]);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/database index 99 is out of range/);
      const { Redis } = await import('ioredis');
      const client = new Redis(backend.url);
      expect(await client.keys(`${prefix}*`)).toEqual([]);
      client.disconnect();
    } finally {
      await backend.stop();
    }
  });
});
