import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskState } from '@a2a-js/sdk';
import {
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
} from '@a2a-stores/core/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { createJournalStores } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'journal-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('journal file durability', () => {
  it('keeps tasks, versions and push configs across a close and reopen', async () => {
    const path = join(dir, 'reopen.jsonl');
    const context = callContext(randomScope());
    const task = makeTask({ state: TaskState.TASK_STATE_WORKING, artifactCount: 1 });
    // The conformance push host resolves to a public test address without touching DNS.
    const first = await createJournalStores(path, { pushUrlCheck: conformancePushUrlCheck() });
    await first.taskStore.save(task, context);
    const version = await first.taskStore.saveIfVersion(
      { ...task, status: { ...task.status!, state: TaskState.TASK_STATE_COMPLETED } },
      context,
      1,
    );
    const config = makePushConfig(task.id);
    await first.pushNotificationStore.save(task.id, context, config);
    await first.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const reopened = await createJournalStores(path);
    try {
      const loaded = await reopened.taskStore.loadVersioned(task.id, context);
      expect(loaded?.version).toBe(version);
      expect(loaded?.task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(loaded?.task.artifacts).toHaveLength(1);
      const configs = await reopened.pushNotificationStore.load(task.id, context);
      expect(configs.map((c) => c.id)).toEqual([config.id]);
    } finally {
      await reopened.close();
    }
  });

  it('ignores a torn last line (a write that was never acknowledged)', async () => {
    const path = join(dir, 'torn.jsonl');
    const context = callContext(randomScope());
    const task = makeTask();
    const stores = await createJournalStores(path);
    await stores.taskStore.save(task, context);
    await stores.close();
    appendFileSync(path, '{"op":"putTask","scope":{"tenant":"x"');

    const reopened = await createJournalStores(path);
    try {
      expect((await reopened.taskStore.load(task.id, context))?.id).toBe(task.id);
    } finally {
      await reopened.close();
    }
  });
});
