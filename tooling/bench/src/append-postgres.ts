// What a streamed save costs on PostgreSQL now that a save that only appends is stored as a
// segment (issue #20): an agent streams chunks onto a task whose artifacts are ~16 KB or ~1 MB,
// saving the whole task after each chunk as the SDK's request handler does. Reports the save
// latency, the WAL written per save and how much the tasks table's TOAST relation grew (an
// append that rewrote the artifacts would add ~1 MB of TOAST and WAL per save).
// Usage: pnpm --filter @a2a-stores/bench exec tsx src/append-postgres.ts [chunks]
import { randomBytes } from 'node:crypto';
import { callContext, makeTask, randomScope, textPart } from '@a2a-stores/core/conformance';
import { createPostgresStores } from '@a2a-stores/postgres';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import pg from 'pg';
import { summarize } from './stats.js';

const chunks = Number(process.argv[2] ?? 300);

async function main(): Promise<void> {
  const { url } = await resolveTestBackend('postgres');
  const schema = `a2a_bench_append_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  const stores = createPostgresStores({ pool }, { schema, logger: { warn: () => {} } });
  const lsn = async () =>
    (await pool.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0]!.l;
  const toast = async () =>
    Number(
      (
        await pool.query<{ n: string }>(
          'SELECT pg_relation_size(reltoastrelid) AS n FROM pg_class WHERE oid = $1::regclass',
          [`"${schema}".a2a_tasks`],
        )
      ).rows[0]!.n,
    );
  try {
    await stores.migrate();
    console.log('| artifacts | saves | p50 µs | p99 µs | WAL per save | TOAST growth |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const size of [16 * 1024, 1024 * 1024]) {
      const ctx = callContext(randomScope());
      const task = makeTask({ artifactCount: 1 });
      // Incompressible, so TOAST stores it at full size.
      task.artifacts[0]!.parts = [textPart(randomBytes((size * 3) / 4).toString('base64'))];
      await stores.taskStore.save(task, ctx);
      const ns: bigint[] = [];
      const [toastBefore, walBefore] = [await toast(), await lsn()];
      for (let i = 0; i < chunks; i++) {
        task.artifacts[0]!.parts.push(textPart(`chunk ${i} `.padEnd(200, '.')));
        const start = process.hrtime.bigint();
        await stores.taskStore.save(task, ctx);
        ns.push(process.hrtime.bigint() - start);
      }
      const wal = await pool.query<{ d: string }>('SELECT pg_wal_lsn_diff($1, $2) AS d', [
        await lsn(),
        walBefore,
      ]);
      const s = summarize(ns);
      const walPerSave = Number(wal.rows[0]!.d) / chunks;
      console.log(
        `| ${size / 1024} KB | ${chunks} | ${s.p50.toFixed(0)} | ${s.p99.toFixed(0)} | ${walPerSave.toFixed(0)} B | ${(await toast()) - toastBefore} B |`,
      );
    }
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await stores.close();
    await pool.end();
  }
}

await main();
