import type { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { StoreUnavailableError, VersionConflictError } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  listRequest,
  makeMessage,
  makeTask,
  randomScope,
  runStoreConformance,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { type GaleraCluster, startGaleraCluster, waitFor } from '@a2a-stores/test-backends';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStores, type MysqlStores } from '../src/index.js';
import { mysqlHarness, randomPrefix } from './support/mysql-harness.js';

// A 3-node MariaDB Galera cluster started by this file (rsync SST, loopback ports). Takes about
// 15 s to start; the whole file about a minute.
let galera: GaleraCluster;
const opened: MysqlStores[] = [];

function storesOn(node: number, tablePrefix: string): MysqlStores {
  const stores = createMysqlStores(
    { uri: galera.nodes[node]!.url, poolOptions: { connectionLimit: 6 } },
    { tablePrefix, logger: silentLogger(), pushUrlCheck: conformancePushUrlCheck() },
  );
  opened.push(stores);
  return stores;
}

async function sql(node: number, text: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const connection = await createConnection({ uri: galera.nodes[node]!.url });
  try {
    return (await connection.query<RowDataPacket[]>(text, params))[0];
  } finally {
    await connection.end();
  }
}

beforeAll(async () => {
  galera = await startGaleraCluster(3);
  console.info(`[galera] 3 nodes Synced in ${galera.startSeconds} s`);
}, 90_000);

afterAll(async () => {
  for (const stores of opened) await stores.close().catch(() => {});
  await galera?.stop();
});

describe('MariaDB Galera: the conformance suite through one node', () => {
  runStoreConformance(mysqlHarness('mysql on galera', async () => galera.nodes[0]!.url));
});

describe('MariaDB Galera: migrate()', () => {
  it('GET_LOCK is per node on Galera, so migrate() detects wsrep_on and locks with a certified row', async () => {
    const first = await createConnection({ uri: galera.nodes[0]!.url });
    const second = await createConnection({ uri: galera.nodes[1]!.url });
    try {
      const [a] = await first.query<RowDataPacket[]>("SELECT GET_LOCK('a2a-probe', 0) AS got");
      const [b] = await second.query<RowDataPacket[]>("SELECT GET_LOCK('a2a-probe', 0) AS got");
      // Both nodes grant the "same" lock: it would not serialise migrations across nodes.
      expect([a[0]?.got, b[0]?.got]).toEqual([1, 1]);
    } finally {
      await first.end();
      await second.end();
    }

    const prefix = randomPrefix();
    const lockTable = `${prefix}migration_lock`;
    // A lock row held (as if by a worker migrating through node 1) until `expires`.
    await sql(
      1,
      `CREATE TABLE ${lockTable} (id TINYINT UNSIGNED NOT NULL PRIMARY KEY, token CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, expires_at BIGINT NOT NULL) ENGINE=InnoDB`,
    );
    const expires = Date.now() + 2_000;
    await sql(
      1,
      `INSERT INTO ${lockTable} VALUES (1, 'held-by-another-worker-000000000', ${expires})`,
    );
    const results = await Promise.all([
      storesOn(0, prefix).migrate(),
      storesOn(1, prefix).migrate(),
      storesOn(2, prefix).migrate(),
    ]);
    // Nobody migrated while the row was held, and each step was applied exactly once.
    expect(Date.now()).toBeGreaterThanOrEqual(expires);
    const applied = results.flatMap((result: { applied: readonly string[] }) => result.applied);
    expect(applied.toSorted()).toEqual([
      '0001_tasks',
      '0002_push_configs',
      '0003_task_counts',
      '0004_coordination',
      '0005_task_segments',
      '0006_recent_history',
    ]);
    const ledger = await sql(2, `SELECT id FROM ${prefix}migrations ORDER BY id`);
    expect(ledger.map((row) => row.id)).toEqual(applied.toSorted());
    expect(await sql(0, `SELECT * FROM ${lockTable}`)).toEqual([]);
  }, 60_000);
});

describe('MariaDB Galera: writes through two nodes at once', () => {
  const prefix = randomPrefix();
  let a: MysqlStores;
  let b: MysqlStores;
  let c: MysqlStores;

  beforeAll(async () => {
    a = storesOn(0, prefix);
    b = storesOn(1, prefix);
    c = storesOn(2, prefix);
    await a.migrate();
  });

  it('compare-and-set on one task from two nodes: exactly one write wins each round, the other is a VersionConflictError', async () => {
    const ctx = callContext(randomScope());
    const task = makeTask({ historyLength: 0 });
    await a.taskStore.save(task, ctx);
    const certBefore = await certFailures();
    const rounds = 30;
    const winners: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const [fromA, fromB] = await Promise.all([
        // Both read the same, latest version (each node may apply the last write a moment late).
        waitForVersion(a, task.id, ctx, winners.length + 1),
        waitForVersion(b, task.id, ctx, winners.length + 1),
      ]);
      const attempt = (
        stores: MysqlStores,
        loaded: { task: Task; version: number },
        who: string,
      ) => {
        const marker = `${who}-${round}`;
        const message = { ...makeMessage(task.id, task.contextId, round), messageId: marker };
        const next: Task = { ...loaded.task, history: [...(loaded.task.history ?? []), message] };
        return stores.taskStore.saveIfVersion(next, ctx, loaded.version).then(() => marker);
      };
      const outcomes = await Promise.allSettled([attempt(a, fromA, 'a'), attempt(b, fromB, 'b')]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o) => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((o) => (o as PromiseRejectedResult).reason)).toEqual([
        expect.any(VersionConflictError),
      ]);
      winners.push((won[0] as PromiseFulfilledResult<string>).value);
    }
    const final = await waitForVersion(c, task.id, ctx, rounds + 1);
    // No lost update: the history holds every winning write, in order, and nothing else.
    expect(final.task.history?.map((m) => m.messageId)).toEqual(winners);
    console.info(
      `[galera cas] rounds=${rounds} wins=${winners.length} conflicts=${rounds} certFailures=${(await certFailures()) - certBefore}`,
    );
  }, 60_000);

  it('new tasks in one scope through two nodes at once: totalSize equals the rows written (count-row conflicts retried)', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    let written = 0;
    const refused: unknown[] = [];
    // Two writers per node on one scope: every insert updates the scope's count row, so the
    // nodes' transactions conflict at certification; the losers are retried by the store.
    const writer = async (stores: MysqlStores) => {
      for (let i = 0; i < 30; i++) {
        try {
          await stores.taskStore.save(makeTask(), ctx);
          written++;
        } catch (error) {
          refused.push(error);
        }
      }
    };
    const certBefore = await certFailures();
    await Promise.all([writer(a), writer(a), writer(b), writer(b)]);
    // A write that ran out of retries is a typed, retryable error, and was rolled back.
    for (const error of refused) expect(error).toBeInstanceOf(StoreUnavailableError);
    const rowsOn = async (node: number) =>
      Number(
        (
          await sql(
            node,
            `SELECT COUNT(*) AS n FROM ${prefix}tasks WHERE tenant = ? AND owner = ?`,
            [scope.tenant, scope.owner],
          )
        )[0]?.n,
      );
    await waitFor('node 3 to apply every write', async () => (await rowsOn(2)) === written, 30_000);
    for (const [node, stores] of [a, b, c].entries()) {
      expect(await rowsOn(node)).toBe(written);
      expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(written);
    }
    console.info(
      `[galera counters] attempted=120 written=${written} refusedAfterRetries=${refused.length} certFailures=${(await certFailures()) - certBefore}`,
    );
  }, 60_000);

  it('a node SIGKILLed under load: the other two keep serving, nothing acknowledged is lost, calls to the dead node fail typed', async () => {
    const acked: { id: string; ctx: ServerCallContext }[] = [];
    const untyped: unknown[] = [];
    let errors = 0;
    let survivorErrors = 0;
    let stopped = false;
    let killedAt = 0;
    let ackedAfterKill = 0;
    let firstAckAfterKill = 0;
    const writer = async (stores: MysqlStores, ctx: ServerCallContext, survivor: boolean) => {
      while (!stopped) {
        const task = makeTask();
        const startedAt = Date.now();
        try {
          await stores.taskStore.save(task, ctx);
          acked.push({ id: task.id, ctx });
          if (survivor && killedAt && startedAt >= killedAt) {
            ackedAfterKill++;
            firstAckAfterKill ||= Date.now();
          }
        } catch (error) {
          errors++;
          if (survivor) survivorErrors++;
          if (!(error instanceof StoreUnavailableError)) untyped.push(error);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    // allSettled: a handler from the start (a writer catches its own errors; this is a backstop).
    const workers = Promise.allSettled([
      ...[0, 1].map(() => writer(a, callContext(randomScope()), true)),
      ...[0, 1].map(() => writer(b, callContext(randomScope()), true)),
      ...[0, 1].map(() => writer(c, callContext(randomScope()), false)),
    ]);
    await waitFor('150 acknowledged writes', async () => acked.length >= 150, 30_000);
    killedAt = Date.now();
    await galera.nodes[2]!.kill();
    await waitFor(
      '150 writes acknowledged by the survivors after the kill',
      async () => ackedAfterKill >= 150,
      45_000,
    );
    stopped = true;
    expect((await workers).filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    expect(await galera.clusterSize(galera.nodes[0]!.port)).toBe(2);

    let found = 0;
    for (const { id, ctx } of acked) if ((await a.taskStore.load(id, ctx))?.id === id) found++;
    console.info(
      `[galera node kill] acknowledged=${acked.length} found=${found} lost=${acked.length - found} errors=${errors} (on the survivors: ${survivorErrors}) secondsToFirstAckAfterKill=${(firstAckAfterKill - killedAt) / 1000}`,
    );
    expect(untyped).toEqual([]);
    expect(found).toBe(acked.length);
    await expect(c.taskStore.load('any', callContext(randomScope()))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  }, 90_000);

  async function waitForVersion(
    stores: MysqlStores,
    id: string,
    ctx: ServerCallContext,
    version: number,
  ): Promise<{ task: Task; version: number }> {
    let seen: { task: Task; version: number } | undefined;
    await waitFor(
      `version ${version} on another node`,
      async () => {
        seen = await stores.taskStore.loadVersioned(id, ctx);
        return seen?.version === version;
      },
      10_000,
    );
    return seen!;
  }
});

async function certFailures(): Promise<number> {
  let total = 0;
  for (const node of [0, 1]) {
    const rows = await sql(node, "SHOW GLOBAL STATUS LIKE 'wsrep_local_cert_failures'");
    total += Number(rows[0]?.Value ?? 0);
  }
  return total;
}
