import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskState } from '@a2a-js/sdk';
import { callContext, makeTask, randomScope } from '@a2a-stores/core/conformance';
import { createSqliteStores } from '@a2a-stores/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';

const DAY_MS = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'a2a-stores-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
function freshDatabase(): string {
  fileCounter += 1;
  return join(dir, `store-${fileCounter}.db`);
}

describe('a2a-stores on sqlite', () => {
  it('migrate applies the schema once; a second run applies nothing', async () => {
    const url = `sqlite:${freshDatabase()}`;
    const first = await runBin(['migrate', '--url', url, '--json']);
    expect(first.code).toBe(0);
    const firstResult = JSON.parse(first.stdout);
    expect(firstResult.applied.length).toBeGreaterThan(0);
    expect(firstResult.current).toEqual(firstResult.applied);

    const second = await runBin(['migrate', '--url', url, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ applied: [], current: firstResult.current });
  });

  it('reads the target from A2A_STORE_URL', async () => {
    const url = `sqlite:${freshDatabase()}`;
    const run = await runBin(['migrate'], { env: { A2A_STORE_URL: url } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/applied [1-9]\d* migrations?/);
  });

  it('migrate status and --dry-run show pending steps and change nothing', async () => {
    const filename = freshDatabase();
    await createSqliteStores({ filename }).close();
    const url = `sqlite:${filename}`;
    const before = await runBin(['migrate', 'status', '--url', url, '--json']);
    // Pending migrations: the documented exit code 4, so CI can gate a deploy on it.
    expect(before.code).toBe(4);
    const pending = JSON.parse(before.stdout).pending as string[];
    expect(pending.length).toBeGreaterThan(0);

    const dry = await runBin(['migrate', '--dry-run', '--url', url]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`-- migration ${pending[0]}`);
    expect(dry.stdout).toMatch(/CREATE TABLE "a2a_tasks"/);

    const still = await runBin(['migrate', 'status', '--url', url, '--json']);
    expect(JSON.parse(still.stdout)).toMatchObject({ applied: [], pending });

    await runBin(['migrate', '--url', url]);
    const after = await runBin(['migrate', 'status', '--url', url, '--json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ applied: pending, pending: [] });
    const dryAfter = await runBin(['migrate', '--dry-run', '--url', url]);
    expect(dryAfter.stdout).toMatch(/up to date, nothing would run/);
  });

  it('status, --dry-run and purge of a file that does not exist create nothing, exit 3', async () => {
    const filename = freshDatabase();
    for (const args of [
      ['migrate', 'status'],
      ['migrate', '--dry-run'],
      ['purge', '--older-than', '1d'],
    ]) {
      const run = await runBin([...args, '--url', `sqlite:${filename}`]);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/does not exist \(nothing was created\)/);
      expect(existsSync(filename)).toBe(false);
    }
  });

  it('JSON seconds are rounded to milliseconds', async () => {
    const run = await runBin(['migrate', '--url', `sqlite:${freshDatabase()}`, '--json']);
    const { seconds } = JSON.parse(run.stdout) as { seconds: number };
    expect(Math.round(seconds * 1000) / 1000).toBe(seconds);
  });

  it('purge on an unmigrated database exits 4 and says so', async () => {
    const filename = freshDatabase();
    await createSqliteStores({ filename }).close();
    const run = await runBin(['purge', '--older-than', '1d', '--url', `sqlite:${filename}`]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/not migrated/);
  });

  it('purge removes old finished tasks and keeps recent and waiting ones', async () => {
    const filename = freshDatabase();
    const scope = randomScope();
    const context = callContext(scope);
    const old = createSqliteStores({ filename }, { now: () => Date.now() - 40 * DAY_MS });
    await old.migrate();
    const oldDone = makeTask({ state: TaskState.TASK_STATE_COMPLETED });
    const oldFailed = makeTask({ state: TaskState.TASK_STATE_FAILED });
    const oldWaiting = makeTask({ state: TaskState.TASK_STATE_INPUT_REQUIRED });
    for (const task of [oldDone, oldFailed, oldWaiting]) await old.taskStore.save(task, context);
    await old.close();
    const current = createSqliteStores({ filename });
    const recentDone = makeTask({ state: TaskState.TASK_STATE_COMPLETED });
    await current.taskStore.save(recentDone, context);
    await current.close();

    // The dry run counts what purge would delete and deletes nothing (the runs below find it all).
    const dry = await runBin([
      'purge',
      '--url',
      `sqlite:${filename}`,
      '--older-than',
      '30d',
      '--dry-run',
      '--json',
    ]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, wouldDelete: 2 });
    const dryText = await runBin([
      'purge',
      '--url',
      `sqlite:${filename}`,
      '--older-than',
      '30d',
      '--dry-run',
    ]);
    expect(dryText.stdout).toMatch(/would purge 2 task\(s\).*nothing deleted/);

    const onlyFailed = await runBin([
      'purge',
      '--url',
      `sqlite:${filename}`,
      '--older-than',
      '30d',
      '--states',
      'failed',
      '--json',
    ]);
    expect(onlyFailed.code).toBe(0);
    expect(JSON.parse(onlyFailed.stdout)).toMatchObject({ deleted: 1 });

    const run = await runBin(['purge', '--url', `sqlite:${filename}`, '--older-than', '30d']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/purged 1 task\(s\)/);

    const check = createSqliteStores({ filename });
    try {
      expect(await check.taskStore.load(oldDone.id, context)).toBeUndefined();
      expect(await check.taskStore.load(oldFailed.id, context)).toBeUndefined();
      expect((await check.taskStore.load(oldWaiting.id, context))?.id).toBe(oldWaiting.id);
      expect((await check.taskStore.load(recentDone.id, context))?.id).toBe(recentDone.id);
    } finally {
      await check.close();
    }
  });
});
