/**
 * Probe, not part of the report: the mixed cycle by N concurrent clients in ONE scope on one
 * SQLite file, for raw better-sqlite3 (floor) and for @a2a-stores/sqlite opened from a filename
 * (as a user opens it). Prints p50/p99 per operation kind, to find why loads wait behind writes.
 *
 *   pnpm --filter @a2a-stores/bench exec tsx src/probes/sqlite-one-scope.ts [clients] [ops]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '@a2a-js/sdk';
import type { TaskStore } from '@a2a-js/sdk/server';
import { createSqliteStores } from '@a2a-stores/sqlite';
import Database from 'better-sqlite3';
import { contextOf, makeTask, randomScope, updatedTask } from '../fixtures.js';
import { listRequest } from '../list-request.js';
import { MIXED_CYCLE } from '../mixed.js';
import { quantile } from '../stats.js';
import { SqliteFloorTaskStore } from '../subjects/sqlite-floor.js';
import { canonicalTask, checkLoaded } from '../verify.js';

const clients = Number(process.argv[2] ?? 32);
const ops = Number(process.argv[3] ?? 3200);

type Lat = Record<string, number[]>;

async function mixedOneScope(name: string, store: TaskStore): Promise<Lat> {
  const context = contextOf(randomScope());
  const lat: Lat = { save: [], update: [], load: [], list: [] };
  const run = async (c: number) => {
    const tasks: Task[] = [];
    let created = 0;
    let turn = 0;
    for (let i = 0; i < 20; i++) {
      const task = makeTask(c * 1_000_000 + created++ * 1000);
      await store.save(task, context);
      tasks.push(task);
    }
    let t = 0;
    for (let op = c; op < ops; op += clients) {
      const kind = MIXED_CYCLE[t++ % MIXED_CYCLE.length]!;
      const start = process.hrtime.bigint();
      const took = () => lat[kind]!.push(Number(process.hrtime.bigint() - start) / 1000);
      if (kind === 'save') {
        const task = makeTask(c * 1_000_000 + created++ * 1000);
        await store.save(task, context);
        took();
        tasks.push(task);
      } else if (kind === 'update') {
        const i = turn++ % tasks.length;
        const next = updatedTask(tasks[i]!, 500);
        await store.save(next, context);
        took();
        tasks[i] = next;
      } else if (kind === 'load') {
        const task = tasks[turn++ % tasks.length]!;
        const loaded = await store.load(task.id, context);
        took();
        checkLoaded(name, task.id, loaded, canonicalTask(task));
      } else {
        await store.list(listRequest(), context);
        took();
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, c) => run(c)));
  lat.seconds = [(performance.now() - start) / 1000];
  return lat;
}

function report(name: string, lat: Lat): void {
  const seconds = lat.seconds?.[0] ?? 0;
  delete lat.seconds;
  const parts = Object.entries(lat).map(([kind, values]) => {
    const sorted = values.sort((a, b) => a - b);
    const f = (q: number) => (quantile(sorted, q) / 1000).toFixed(2);
    return `${kind} p50 ${f(0.5)} p99 ${f(0.99)}`;
  });
  const opsPerSec = (ops + clients * 20) / seconds;
  console.log(`${name.padEnd(22)} ${opsPerSec.toFixed(0)} ops/s; ms: ${parts.join(' | ')}`);
}

const folder = mkdtempSync(join(process.env.PROBE_DIR ?? tmpdir(), 'a2a-probe-'));
try {
  for (let round = 0; round < 3; round++) {
    const floorDb = new Database(join(folder, `floor-${round}.db`));
    floorDb.pragma('journal_mode = WAL');
    floorDb.pragma('synchronous = FULL');
    report('floor', await mixedOneScope('floor', new SqliteFloorTaskStore(floorDb)));
    floorDb.close();
    const ours = createSqliteStores({ filename: join(folder, `ours-${round}.db`) });
    await ours.migrate();
    report('@a2a-stores/sqlite', await mixedOneScope('ours', ours.taskStore));
    await ours.close();
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
