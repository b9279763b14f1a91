// Latency of the PostgreSQL coordination transport on its own (no agent, no engine): a message
// published by worker A until worker B's listener has it, inline and through the spill table;
// a burst of unawaited publishes until the last is delivered; and the lease statements. Two
// backends on two pools stand for two workers on one host.
// Usage: pnpm --filter @a2a-stores/bench exec tsx src/coordination-postgres.ts [samples]
import { randomBytes } from 'node:crypto';
import { createPostgresCoordination, type PostgresCoordination } from '@a2a-stores/postgres';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import pg from 'pg';
import { summarize } from './stats.js';

const samples = Number(process.argv[2] ?? 1000);
const WARMUP = 50;

function row(name: string, ns: bigint[]): string {
  const s = summarize(ns);
  return `| ${name} | ${ns.length} | ${s.p50.toFixed(0)} | ${s.p99.toFixed(0)} | ${s.mean.toFixed(0)} |`;
}

async function main(): Promise<void> {
  const { url } = await resolveTestBackend('postgres');
  const schema = `a2a_bench_coord_${randomBytes(4).toString('hex')}`;
  const pools = [0, 1].map(() => {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    pool.on('error', () => {});
    return pool;
  });
  const [a, b] = pools.map((pool) =>
    createPostgresCoordination({ pool, schema, logger: { warn: () => {} } }),
  ) as [PostgresCoordination, PostgresCoordination];
  try {
    await a.migrate();
    let deliver: (() => void) | undefined;
    let delivered = 0;
    await b.subscribe('bench', () => {
      delivered++;
      deliver?.();
    });

    const roundTrip = async (message: string, count: number): Promise<bigint[]> => {
      const out: bigint[] = [];
      for (let i = 0; i < count + WARMUP; i++) {
        const arrived = new Promise<void>((resolve) => {
          deliver = resolve;
        });
        const start = process.hrtime.bigint();
        await a.publish('bench', message);
        await arrived;
        if (i >= WARMUP) out.push(process.hrtime.bigint() - start);
      }
      deliver = undefined;
      return out;
    };
    const inline = await roundTrip('x'.repeat(200), samples);
    const spilled = await roundTrip('y'.repeat(16 * 1024), Math.ceil(samples / 4));

    // Burst: unawaited publishes, ordered by the backend's chain, until B has them all.
    const burst = samples;
    const target = delivered + burst;
    const allIn = new Promise<void>((resolve) => {
      deliver = () => {
        if (delivered >= target) resolve();
      };
    });
    const burstStart = process.hrtime.bigint();
    const sends = Array.from({ length: burst }, () => a.publish('bench', 'z'.repeat(200)));
    await Promise.all(sends);
    await allIn;
    const burstMs = Number(process.hrtime.bigint() - burstStart) / 1e6;

    const lease = { scope: { tenant: 't', owner: 'o' }, taskId: 'task', holder: 'w-a' };
    const acquire: bigint[] = [];
    const renew: bigint[] = [];
    const release: bigint[] = [];
    const sweep: bigint[] = [];
    for (let i = 0; i < samples; i++) {
      const key = `k-${i}`;
      const token = `tok-${i}`;
      let start = process.hrtime.bigint();
      await a.acquireLease({ ...lease, key, token }, 30_000);
      acquire.push(process.hrtime.bigint() - start);
      start = process.hrtime.bigint();
      await a.renewLease(key, 'w-a', token, 30_000);
      renew.push(process.hrtime.bigint() - start);
      start = process.hrtime.bigint();
      await b.claimExpiredLeases('w-b', 'sweep', 30_000, 10);
      sweep.push(process.hrtime.bigint() - start);
      start = process.hrtime.bigint();
      await a.releaseLease(key, 'w-a', token);
      release.push(process.hrtime.bigint() - start);
    }

    console.log(`PostgreSQL coordination transport, ${url.replace(/\/\/[^@]*@/, '//')}`);
    console.log('| operation | samples | p50 µs | p99 µs | mean µs |');
    console.log('|---|---|---|---|---|');
    console.log(row('publish A → delivered on B, 200 B (NOTIFY)', inline));
    console.log(row('publish A → delivered on B, 16 KiB (spill table)', spilled));
    console.log(row('acquireLease (free key)', acquire));
    console.log(row('renewLease', renew));
    console.log(row('claimExpiredLeases (none expired)', sweep));
    console.log(row('releaseLease', release));
    console.log(
      `burst: ${burst} unawaited publishes of 200 B delivered in order in ${burstMs.toFixed(0)} ms (${((burst / burstMs) * 1000).toFixed(0)} msg/s)`,
    );
  } finally {
    await a.close();
    await b.close();
    await pools[0]!.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    for (const pool of pools) await pool.end();
  }
}

await main();
