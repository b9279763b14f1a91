/**
 * What an append costs through the KMS wrapper, which seals a task's sealed fields in one envelope
 * per record: every save re-seals (and the inner store rewrites) the whole record, so the n-th
 * 1 KB artifact chunk costs in proportion to n. Tasks get chunks one save at a time (one more
 * 1 KB part on their artifact); reported: the median save time at chunk counts around each of
 * `--at`, for `@a2a-stores/sqlite` alone and wrapped (cache on, every task field sealed). A
 * measurement for the docs, not a check.
 *
 *   pnpm --filter @a2a-stores/bench bench:kms-appends [-- --chunks 1000 --tasks 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Artifact, Part, Task } from '@a2a-js/sdk';
import type { TaskStore } from '@a2a-js/sdk/server';
import {
  generateLocalMasterKey,
  LocalAesKeyring,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '@a2a-stores/kms';
import { createSqliteStores } from '@a2a-stores/sqlite';
import Database from 'better-sqlite3';
import { contextOf, makeTask, randomScope } from './fixtures.js';
import { median } from './stats.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { chunks: { type: 'string' }, tasks: { type: 'string' }, at: { type: 'string' } },
});
const CHUNKS = Number(values.chunks ?? 1000);
const TASKS = Number(values.tasks ?? 5);
/** Chunk counts reported: the saves from 10 below each up to it (1: the first save alone). */
const AT = (values.at ?? '1,10,100,1000').split(',').map(Number);

const CHUNK = 'x'.repeat(1024);

function chunk(): Part {
  return {
    content: { $case: 'text', value: CHUNK },
    metadata: undefined,
    filename: '',
    mediaType: '',
  };
}

function withChunks(task: Task, parts: Part[]): Task {
  const artifact: Artifact = {
    artifactId: 'out',
    name: 'output',
    description: '',
    parts,
    metadata: undefined,
    extensions: [],
  };
  return { ...task, artifacts: [artifact] };
}

/** Per-save ns of each chunk count, over TASKS tasks; subjects take turns chunk by chunk. */
async function measure(subjects: readonly [string, TaskStore][]): Promise<Map<string, bigint[][]>> {
  const times = new Map(subjects.map(([name]) => [name, [] as bigint[][]]));
  const context = contextOf(randomScope());
  // Untimed: the first calls load and compile code paths that later calls only run.
  for (const [, store] of subjects) {
    const task = makeTask(0);
    const parts: Part[] = [];
    for (let n = 0; n < 20; n++) {
      parts.push(chunk());
      await store.save(withChunks(task, [...parts]), context);
    }
  }
  for (let t = 0; t < TASKS; t++) {
    const base = subjects.map(([name]) => ({ name, task: makeTask(t), parts: [] as Part[] }));
    for (let n = 1; n <= CHUNKS; n++) {
      for (let k = 0; k < subjects.length; k++) {
        const index = (n + k) % subjects.length;
        const [name, store] = subjects[index]!;
        const state = base[index]!;
        state.parts.push(chunk());
        const task = withChunks(state.task, [...state.parts]);
        const start = process.hrtime.bigint();
        await store.save(task, context);
        const ns = process.hrtime.bigint() - start;
        const perChunk = times.get(name)!;
        if (!perChunk[n - 1]) perChunk[n - 1] = [];
        perChunk[n - 1]!.push(ns);
      }
    }
  }
  return times;
}

const folder = mkdtempSync(join(tmpdir(), 'a2a-kms-appends-'));
const database = new Database(join(folder, 'appends.db'));
database.pragma('journal_mode = WAL');
database.pragma('synchronous = FULL');
try {
  const inner = createSqliteStores({ database });
  await inner.migrate();
  const keyring = new LocalAesKeyring({
    keys: { bench: generateLocalMasterKey() },
    primary: 'bench',
  });
  const wrapped = withEnvelopeEncryption(inner, { keyring, taskFields: TASK_FIELDS, cache: true });
  const times = await measure([
    ['@a2a-stores/sqlite', inner.taskStore],
    ['kms(sqlite), cache on', wrapped.taskStore],
  ]);
  const us = (ns: number) => `${(ns / 1000).toFixed(0)} µs`;
  console.log(
    `per-save p50 of a task getting its n-th 1 KB artifact chunk (${TASKS} tasks, SQLite)`,
  );
  console.log(`| n | ${[...times.keys()].join(' | ')} | wrapper extra |`);
  console.log(`| -- | ${[...times.keys()].map(() => '--').join(' | ')} | -- |`);
  for (const n of AT.filter((value) => value <= CHUNKS)) {
    const from = n === 1 ? 0 : Math.max(0, n - 10);
    const p50 = [...times.values()].map((perChunk) =>
      median(perChunk.slice(from, n).flat().map(Number)),
    );
    console.log(`| ${n} | ${p50.map(us).join(' | ')} | ${us(p50[1]! - p50[0]!)} |`);
  }
  await wrapped.close();
  keyring.close();
} finally {
  database.close();
  rmSync(folder, { recursive: true, force: true });
}
