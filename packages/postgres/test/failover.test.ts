import { StoreUnavailableError } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  makeTask,
  randomScope,
  rejectionOf,
  silentLogger,
} from '@a2a-stores/core/conformance';
import {
  type PostgresInstance,
  startPostgresInstance,
  startPostgresStandby,
  waitFor,
} from '@a2a-stores/test-backends';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStores, type PostgresStoreBundle } from '../src/index.js';

// A primary and a synchronous streaming standby, both private to this file, on free loopback
// ports. Each case builds its own pair: a promoted standby cannot follow anyone again.

const QUIET = { pushUrlCheck: conformancePushUrlCheck(), logger: silentLogger() };
/** Writes acknowledged before the primary is killed, and after the standby took over. */
const WRITES_BEFORE = 150;
const WRITES_AFTER = 100;
const WORKERS = 4;

async function replicatedPair(synchronousCommit: string) {
  const primary = await startPostgresInstance({
    settings: { synchronous_standby_names: 'standby', synchronous_commit: synchronousCommit },
  });
  let standby: PostgresInstance | undefined;
  try {
    standby = await startPostgresStandby(primary, { applicationName: 'standby' });
    const admin = new pg.Client({ connectionString: primary.url });
    await admin.connect();
    try {
      // Until the standby streams as the synchronous one, commits would wait for it.
      await waitFor('the standby to stream synchronously', async () => {
        const { rows } = await admin.query(
          "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'",
        );
        return rows[0]?.sync_state === 'sync';
      });
    } finally {
      await admin.end();
    }
  } catch (error) {
    await standby?.stop();
    await primary.stop();
    throw error;
  }
  return { primary, standby };
}

function bothHosts(primary: PostgresInstance, standby: PostgresInstance): string {
  return `postgresql://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/postgres?target_session_attrs=read-write`;
}

interface LoadReport {
  acknowledged: string[];
  /** When each acknowledged call started and ended (ms since epoch), in acknowledged's order. */
  timings: { started: number; ended: number }[];
  errors: unknown[];
  slowestFailureMs: number;
}

/** WORKERS loops saving new tasks until `stop()`; failures are kept, never thrown. */
function writeLoad(stores: PostgresStoreBundle, ctx: ReturnType<typeof callContext>) {
  const report: LoadReport = { acknowledged: [], timings: [], errors: [], slowestFailureMs: 0 };
  let running = true;
  const worker = async () => {
    while (running) {
      const task = makeTask();
      const started = Date.now();
      try {
        await stores.taskStore.save(task, ctx);
        report.acknowledged.push(task.id);
        report.timings.push({ started, ended: Date.now() });
      } catch (error) {
        report.errors.push(error);
        report.slowestFailureMs = Math.max(report.slowestFailureMs, Date.now() - started);
        // Pacing, not synchronisation: a refused call returns at once on loopback.
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const done = Promise.all(Array.from({ length: WORKERS }, worker));
  done.catch(() => {});
  return {
    report,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

describe('primary + streaming standby', () => {
  it('a write sent to the standby is a typed, retryable error (SQLSTATE 25006)', async () => {
    const { primary, standby } = await replicatedPair('on');
    const stores = createPostgresStores({ connectionString: primary.url }, QUIET);
    const onStandby = createPostgresStores({ connectionString: standby.url }, QUIET);
    try {
      await stores.migrate();
      const ctx = callContext(randomScope());
      const task = makeTask();
      await stores.taskStore.save(task, ctx);
      // synchronous_commit = on waits for the standby's flush, not its replay: wait to read it.
      await waitFor('the task to replay on the standby', async () =>
        Boolean(await onStandby.taskStore.load(task.id, ctx)),
      );
      const error = await rejectionOf(onStandby.taskStore.save(makeTask(), ctx));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain('25006');
      expect((error as Error).message).toContain('may be retried');
    } finally {
      await stores.close();
      await onStandby.close();
      await standby.stop();
      await primary.stop();
    }
  });

  for (const synchronousCommit of ['on', 'remote_apply']) {
    it(`promotion mid-load with synchronous_commit = ${synchronousCommit}: no acknowledged write lost, typed errors, the same store recovers`, async () => {
      const { primary, standby } = await replicatedPair(synchronousCommit);
      const stores = createPostgresStores(
        {
          connectionString: bothHosts(primary, standby),
          poolConfig: { max: WORKERS, connectionTimeoutMillis: 2_000 },
        },
        QUIET,
      );
      try {
        await stores.migrate();
        const scope = randomScope();
        const ctx = callContext(scope);
        const load = writeLoad(stores, ctx);
        try {
          await waitFor(
            'writes on the primary',
            async () => load.report.acknowledged.length >= WRITES_BEFORE,
          );
          // Primary gone without a shutdown checkpoint, then the standby takes over.
          const killedAt = Date.now();
          const ackedBeforeKill = load.report.acknowledged.length;
          await primary.kill();
          await standby.promote();
          const promotedAt = Date.now();
          const afterKill = () => load.report.acknowledged.length - ackedBeforeKill;
          await waitFor('writes on the promoted standby', async () => afterKill() >= WRITES_AFTER);
          await load.stop();
          const { acknowledged, timings, errors, slowestFailureMs } = load.report;
          // Recovered: the first write that started after the kill and was acknowledged.
          const firstAfter = Math.min(
            ...timings.filter((t) => t.started >= killedAt).map((t) => t.ended),
          );
          const recoverySeconds = (firstAfter - killedAt) / 1000;

          const reader = new pg.Client({ connectionString: standby.url });
          await reader.connect();
          let found = 0;
          try {
            const { rows } = await reader.query<{ id: string }>(
              'SELECT id FROM public.a2a_tasks WHERE tenant = $1 AND owner = $2 AND id = ANY($3)',
              [scope.tenant, scope.owner, acknowledged],
            );
            found = rows.length;
          } finally {
            await reader.end();
          }
          console.info(
            `failover (synchronous_commit=${synchronousCommit}): acknowledged=${acknowledged.length} found=${found} lost=${acknowledged.length - found} errors=${errors.length} promote=${((promotedAt - killedAt) / 1000).toFixed(2)}s recovered=${recoverySeconds.toFixed(2)}s slowest failed call=${slowestFailureMs}ms; messages: ${[...new Set(errors.map((e) => (e as Error).message))].join(' | ')}`,
          );
          expect(found).toBe(acknowledged.length);
          for (const error of errors) expect(error).toBeInstanceOf(StoreUnavailableError);
          // Failing fast: bounded by the pool's connect timeout per host, not hanging.
          expect(slowestFailureMs).toBeLessThan(10_000);
          // The same store object reads every acknowledged task back on the new primary.
          for (const id of acknowledged.slice(-5)) {
            expect((await stores.taskStore.load(id, ctx))?.id).toBe(id);
          }
        } finally {
          await load.stop();
        }
      } finally {
        await stores.close();
        await standby.stop();
        await primary.stop();
      }
    }, 60_000);
  }
});
