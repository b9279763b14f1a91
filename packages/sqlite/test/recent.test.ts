import { join } from 'node:path';
import { type Message, Role, type Task, TaskState } from '@a2a-js/sdk';
import type { BackendListQuery, RecentHistory, Scope, TaskRow } from '@a2a-stores/core';
import {
  encodedAppend,
  encodedTask,
  backendListQuery as listQuery,
} from '@a2a-stores/core/conformance';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStores, type SqliteStoreBundle } from '../src/index.js';
import { migrationsFor } from '../src/migrations.js';
import { INLINE_BASE_LIMIT } from '../src/segments.js';
import { SqliteSession } from '../src/session.js';
import { schemaNames } from '../src/sql.js';
import { SqliteTaskBackend } from '../src/task-backend.js';
import { sqliteRawProbe } from '../src/testing/index.js';
import { contextFor, listRequest, makeTask, makeTempDir } from './helpers.js';

const names = schemaNames('a2a_');
const scope: Scope = { tenant: 't', owner: 'alice' };
/** A base too big for the row: it lives in the segments table as seq 0, as a large task's does. */
const bigBody = JSON.stringify({ head: 'x'.repeat(INLINE_BASE_LIMIT) });
const recentOf = (tag: string, reach: number): RecentHistory => ({
  text: JSON.stringify({ recent: tag }),
  reach,
});

describe('sqlite recent forms (backend)', () => {
  let cleanup: () => void;
  let db: Database.Database;
  let session: SqliteSession;
  let backend: SqliteTaskBackend;
  const executed: string[] = [];

  async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
    executed.length = 0;
    await run();
    return executed.splice(0);
  }
  const stored = (id: string) =>
    db.prepare(`SELECT recent, recent_reach AS reach FROM ${names.tasks} WHERE id = ?`).get(id);
  const listed = async (fields: Partial<BackendListQuery>) =>
    (await backend.list(scope, listQuery(fields))).rows;
  /** A big task with a recent form reaching 3 messages, then two appends that keep it. */
  async function putBigWithAppends(id: string, sortKey = 1000): Promise<void> {
    const big = encodedTask(id, { body: bigBody, artifacts: '[0]', sortKey });
    await backend.put(scope, { ...big, recent: recentOf(id, 3) }, null, 1);
    await backend.append(scope, encodedAppend(id, 1, { sortKey }), 1, 2);
    await backend.append(scope, encodedAppend(id, 2, { sortKey }), 2, 3);
  }

  beforeEach(() => {
    const temp = makeTempDir();
    cleanup = temp.cleanup;
    db = new Database(join(temp.dir, 'recent.db'), {
      verbose: (sql) => executed.push(String(sql)),
    });
    db.pragma('journal_mode = WAL');
    session = new SqliteSession(db, names, false);
    session.migrate(1);
    backend = new SqliteTaskBackend(session);
  });

  afterEach(async () => {
    await session.close();
    db.close();
    cleanup();
  });

  it('lists a row in its recent form when its reach answers historyLength, reading no segment body', async () => {
    await putBigWithAppends('big');
    await listed({ historyLength: 2 });
    let rows: readonly TaskRow[] = [];
    const statements = await statementsOf(async () => {
      rows = await listed({ historyLength: 2 });
    });
    expect(rows).toEqual([
      {
        id: 'big',
        recent: JSON.stringify({ recent: 'big' }),
        body: undefined,
        version: 3,
        sortKey: 1000,
        bytes: 102,
        lineage: encodedTask('big').lineage,
        // The base's artifacts (seq 0) and each appended segment's, without their bodies.
        artifacts: '[0]',
        segments: [
          { body: undefined, artifacts: '[1]' },
          { body: undefined, artifacts: '[2]' },
        ],
      },
    ]);
    const segmentReads = statements.filter((sql) => sql.includes(names.segments));
    expect(segmentReads).toHaveLength(1);
    expect(segmentReads[0]).toMatch(/SELECT task_id, seq, artifacts FROM/);
    // The reach is inclusive, and 0 is answered by any recent form.
    expect((await listed({ historyLength: 3 }))[0]?.recent).toBeDefined();
    expect((await listed({ historyLength: 0 }))[0]?.recent).toBeDefined();
  });

  it('reads no segment at all for a recent row when artifacts are not asked for', async () => {
    await putBigWithAppends('big');
    await listed({ historyLength: 2, includeArtifacts: false });
    let rows: readonly TaskRow[] = [];
    const statements = await statementsOf(async () => {
      rows = await listed({ historyLength: 2, includeArtifacts: false });
    });
    expect(statements.some((sql) => sql.includes(names.segments))).toBe(false);
    expect(rows[0]).toMatchObject({ recent: JSON.stringify({ recent: 'big' }), body: undefined });
    expect(rows[0]?.artifacts).toBeUndefined();
    expect(rows[0]?.segments).toBeUndefined();
  });

  it('returns the body as before when the reach is too small, there is no recent form or no historyLength', async () => {
    await putBigWithAppends('big', 3000);
    await backend.put(scope, encodedTask('small', { sortKey: 2000 }), null, 1);
    const short = encodedTask('short', { body: bigBody, sortKey: 1000 });
    await backend.put(scope, { ...short, recent: recentOf('short', 1) }, null, 1);
    const whole = (id: string, body: string, artifacts: string) =>
      expect.objectContaining({ id, body, artifacts });
    const rows = await listed({ historyLength: 2 });
    expect(rows.map((r) => r.id)).toEqual(['big', 'small', 'short']);
    expect(rows[0]).toMatchObject({ recent: JSON.stringify({ recent: 'big' }), body: undefined });
    expect(rows[1]).toEqual(whole('small', encodedTask('small').body, '[]'));
    expect(rows[2]).toEqual(whole('short', bigBody, '[]'));
    expect(rows.slice(1).map((r) => r.recent)).toEqual([undefined, undefined]);
    // Without a historyLength every row is read whole, its segments with their bodies.
    const full = await listed({});
    expect(full[0]).toEqual(whole('big', bigBody, '[0]'));
    expect(full.map((r) => r.recent)).toEqual([undefined, undefined, undefined]);
    expect(full[0]?.segments).toEqual([
      { body: '{"n":1}', artifacts: '[1]' },
      { body: '{"n":2}', artifacts: '[2]' },
    ]);
  });

  it('reads whole and recent rows of one page with their own segments', async () => {
    await putBigWithAppends('recent', 2000);
    await backend.put(scope, encodedTask('whole', { body: bigBody, sortKey: 1000 }), null, 1);
    await backend.append(scope, encodedAppend('whole', 1, { sortKey: 1000 }), 1, 2);
    const [recent, whole] = await listed({ historyLength: 2 });
    expect(recent?.segments).toEqual([
      { body: undefined, artifacts: '[1]' },
      { body: undefined, artifacts: '[2]' },
    ]);
    expect(whole).toMatchObject({
      body: bigBody,
      segments: [{ body: '{"n":1}', artifacts: '[1]' }],
    });
    expect(whole?.recent).toBeUndefined();
  });

  it('takes the artifacts from the row when a recent row keeps its base there', async () => {
    const small = encodedTask('inline', { artifacts: '["row"]' });
    await backend.put(scope, { ...small, recent: recentOf('inline', 5) }, null, 1);
    await backend.append(scope, encodedAppend('inline', 1), 1, 2);
    expect(await listed({ historyLength: 1 })).toEqual([
      expect.objectContaining({
        recent: JSON.stringify({ recent: 'inline' }),
        body: undefined,
        artifacts: '["row"]',
        segments: [{ body: undefined, artifacts: '[1]' }],
      }),
    ]);
  });

  it('stores NULL on a full write without a recent form, so an older one never outlives it', async () => {
    const big = encodedTask('big', { body: bigBody });
    await backend.put(scope, { ...big, recent: recentOf('old', 7) }, null, 1);
    expect(stored('big')).toEqual({ recent: JSON.stringify({ recent: 'old' }), reach: 7 });
    await backend.put(scope, big, 1, 2);
    expect(stored('big')).toEqual({ recent: null, reach: null });
    expect((await listed({ historyLength: 0 }))[0]).toMatchObject({ body: bigBody });
    // An upsert that inserts stores it too.
    await backend.put(scope, { ...encodedTask('new'), recent: recentOf('new', 2) }, null, 1);
    expect(stored('new')).toEqual({ recent: JSON.stringify({ recent: 'new' }), reach: 2 });
  });

  it('keeps the recent form on an append without one, replaces it with a value, drops it on null', async () => {
    const big = encodedTask('big', { body: bigBody });
    await backend.put(scope, { ...big, recent: recentOf('first', 2) }, null, 1);
    await backend.append(scope, encodedAppend('big', 1), 1, 2);
    expect(stored('big')).toEqual({ recent: JSON.stringify({ recent: 'first' }), reach: 2 });
    await backend.append(
      scope,
      { ...encodedAppend('big', 2), recent: recentOf('second', 4) },
      2,
      3,
    );
    expect(stored('big')).toEqual({ recent: JSON.stringify({ recent: 'second' }), reach: 4 });
    expect((await listed({ historyLength: 4 }))[0]?.recent).toBe(
      JSON.stringify({ recent: 'second' }),
    );
    // A refused append changes nothing, the recent form included.
    const refused = { ...encodedAppend('big', 3), recent: null };
    expect(await backend.append(scope, refused, 2, 4)).toEqual({ status: 'conflict' });
    expect(stored('big')).toEqual({ recent: JSON.stringify({ recent: 'second' }), reach: 4 });
    await backend.append(scope, { ...encodedAppend('big', 3), recent: null }, 3, 4);
    expect(stored('big')).toEqual({ recent: null, reach: null });
    const [row] = await listed({ historyLength: 0 });
    expect(row).toMatchObject({ body: bigBody, version: 4 });
    expect(row?.segments).toHaveLength(3);
  });

  it('the raw probe reads the recent form and corrupts it with the base', async () => {
    const big = encodedTask('big', { body: bigBody });
    await backend.put(scope, { ...big, recent: recentOf('secret', 2) }, null, 1);
    const probe = sqliteRawProbe(db);
    expect(await probe.readTaskRaw(scope, 'big')).toContain(JSON.stringify({ recent: 'secret' }));
    await probe.corruptTask(scope, 'big');
    expect(stored('big')).toMatchObject({ recent: expect.not.stringContaining('secret') });
  });
});

describe('sqlite recent forms migration', () => {
  it('upgrades a database with a large task: it lists whole until its next full write', async () => {
    const db = new Database(':memory:');
    const all = migrationsFor(names);
    expect(all.at(-1)?.id).toBe('0005_task_recent');
    const previous = all.slice(0, -1);
    db.exec(
      `CREATE TABLE ${names.ledger} (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`,
    );
    for (const migration of previous) {
      for (const statement of migration.statements) db.exec(statement);
      db.prepare(`INSERT INTO ${names.ledger} (id, applied_at) VALUES (?, 1)`).run(migration.id);
    }
    // A large task as the previous release stored it: base in seq 0, one appended segment.
    db.prepare(
      `INSERT INTO ${names.tasks} (tenant, owner, id, context_id, state, sort_key, version,
        updated_at, body, artifacts, segment_count, base_in_segments, bytes, lineage)
        VALUES ('t', 'alice', 'old', 'ctx-1', ?, 5, 2, 1, '', '', 1, 1, 9000, 'L')`,
    ).run(TaskState.TASK_STATE_WORKING);
    const segment = db.prepare(
      `INSERT INTO ${names.segments} (tenant, owner, task_id, seq, body, artifacts)
        VALUES ('t', 'alice', 'old', ?, ?, ?)`,
    );
    segment.run(0, bigBody, '[0]');
    segment.run(1, '{"n":1}', '[1]');
    const session = new SqliteSession(db, names, false);
    try {
      expect(session.migrate(2).applied).toEqual(['0005_task_recent']);
      const backend = new SqliteTaskBackend(session);
      const { rows } = await backend.list(scope, listQuery({ historyLength: 0 }));
      expect(rows[0]).toMatchObject({
        body: bigBody,
        artifacts: '[0]',
        segments: [{ body: '{"n":1}', artifacts: '[1]' }],
      });
      expect(rows[0]?.recent).toBeUndefined();
      const next = { ...encodedTask('old', { body: bigBody }), recent: recentOf('old', 1) };
      await backend.put(scope, next, 2, 3);
      const after = await backend.list(scope, listQuery({ historyLength: 1 }));
      expect(after.rows[0]?.recent).toBe(JSON.stringify({ recent: 'old' }));
    } finally {
      await session.close();
      db.close();
    }
  });
});

/** A message of `chars` characters, the `i`th of task `id`. */
function message(id: string, i: number, chars: number): Message {
  return {
    messageId: `${id}-m${i}`,
    contextId: 'ctx',
    taskId: id,
    role: i % 2 ? Role.ROLE_AGENT : Role.ROLE_USER,
    parts: [
      {
        content: { $case: 'text', value: `${i}:`.padEnd(chars, 'x') },
        metadata: undefined,
        filename: '',
        mediaType: '',
      },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

describe('sqlite recent forms (store)', () => {
  let db: Database.Database;
  let stores: SqliteStoreBundle;
  const ctx = contextFor('t', 'alice');

  beforeEach(async () => {
    db = new Database(':memory:');
    stores = createSqliteStores({ database: db });
    await stores.migrate();
  });

  afterEach(async () => {
    await stores.close();
    db.close();
  });

  /** What the full read gives, trimmed to the last `n` messages as `list` trims it. */
  async function fullTrimmed(id: string, n: number, includeArtifacts: boolean): Promise<Task> {
    const page = await stores.taskStore.list(listRequest({ includeArtifacts }), ctx);
    const task = page.tasks.find((t) => t.id === id) as Task;
    return { ...task, history: task.history.slice(-n) };
  }

  it('lists a 1,000-message task with historyLength 2 as its last 2 messages, from its recent form', async () => {
    const task = makeTask('long', { artifactText: 'result' });
    task.history = Array.from({ length: 1000 }, (_, i) => message('long', i, 1000));
    await stores.taskStore.save(task, ctx);
    const row = db.prepare('SELECT recent_reach, base_in_segments FROM a2a_tasks').get();
    expect(row).toEqual({ recent_reach: expect.any(Number), base_in_segments: 1 });
    for (const includeArtifacts of [false, true]) {
      const page = await stores.taskStore.list(
        listRequest({ historyLength: 2, includeArtifacts }),
        ctx,
      );
      expect(page.tasks).toHaveLength(1);
      expect(page.tasks[0]?.history.map((m) => m.messageId)).toEqual(['long-m998', 'long-m999']);
      expect(page.tasks[0]).toEqual(await fullTrimmed('long', 2, includeArtifacts));
    }
    // Proof the page never read the 1 MB base body: with it unreadable, a store that holds
    // nothing of the task lists it the same, while a full list reads the base and skips it.
    const expected = await fullTrimmed('long', 2, true);
    db.prepare(`UPDATE a2a_task_segments SET body = '{"unreadable' WHERE seq = 0`).run();
    const reader = createSqliteStores({ database: db });
    try {
      const short = await reader.taskStore.list(
        listRequest({ historyLength: 2, includeArtifacts: true }),
        ctx,
      );
      expect(short.tasks).toEqual([expected]);
      expect((await reader.taskStore.list(listRequest(), ctx)).tasks).toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it('keeps the recent form right through appended saves', async () => {
    // A new store each round forgets what it wrote, so every list reads the database.
    let task = makeTask('streamed', { artifactText: 'a' });
    task.history = Array.from({ length: 20 }, (_, i) => message('streamed', i, 1000));
    await stores.taskStore.save(task, ctx);
    for (let i = 20; i < 40; i++) {
      task = (await stores.taskStore.load('streamed', ctx)) as Task;
      task.history.push(message('streamed', i, 1000));
      await stores.taskStore.save(task, ctx);
    }
    const segments = db.prepare('SELECT COUNT(*) FROM a2a_task_segments WHERE seq > 0').pluck();
    expect(segments.get()).toBeGreaterThan(0);
    const reach = db.prepare('SELECT recent_reach FROM a2a_tasks').pluck().get();
    expect(reach).toBeGreaterThanOrEqual(3);
    const reader = createSqliteStores({ database: db });
    try {
      for (const historyLength of [0, 1, 2, 3]) {
        for (const includeArtifacts of [false, true]) {
          const page = await reader.taskStore.list(
            listRequest({ historyLength, includeArtifacts }),
            ctx,
          );
          const expected = await fullTrimmed('streamed', historyLength, includeArtifacts);
          if (historyLength === 0) expected.history = [];
          expect(page.tasks[0]).toEqual(expected);
        }
      }
    } finally {
      await reader.close();
    }
  });
});
