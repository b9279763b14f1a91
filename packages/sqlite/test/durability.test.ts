import { join } from 'node:path';
import { TaskState } from '@a2a-js/sdk';
import { canonicalTask } from '@a2a-stores/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStores } from '../src/index.js';
import { assertBuilt, startWorker } from './fork-worker.js';
import { contextFor, listRequest, makeTask, makeTempDir, PUBLIC_HOOK_BASE } from './helpers.js';

describe('sqlite durability', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  function tempFile(name: string): string {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    return join(dir, name);
  }

  it('finds everything written after close and reopen: tasks, versions, order and push configs', async () => {
    const filename = tempFile('reopen.db');
    const alice = contextFor('acme', 'alice');
    const bob = contextFor('acme', 'bob');
    const tasks = Array.from({ length: 20 }, (_, i) =>
      makeTask(`task-${i}`, {
        contextId: i % 2 === 0 ? 'even' : 'odd',
        state: i % 3 === 0 ? TaskState.TASK_STATE_COMPLETED : TaskState.TASK_STATE_WORKING,
        timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
        text: `unicode ✓ ${'é'.repeat(i)} 🚀`,
        artifactText: i % 4 === 0 ? `artifact ${i}` : undefined,
        metadata: { nested: { index: i, list: [i, `${i}`] } },
      }),
    );

    const writer = createSqliteStores({ filename });
    await writer.migrate();
    for (const task of tasks) await writer.taskStore.save(task, alice);
    const version = await writer.taskStore.saveIfVersion(tasks[1]!, alice, 1);
    await writer.taskStore.save(makeTask('task-0'), bob);
    const hooks = ['first', 'second', 'third'].map((id) => ({
      id,
      url: `${PUBLIC_HOOK_BASE}/${id}`,
      token: `token-${id}`,
      tenant: '',
      taskId: 'task-1',
      authentication: undefined,
    }));
    for (const hook of hooks) await writer.pushNotificationStore.save('task-1', alice, hook);
    // Replacing moves a config to the end of the order; that order must survive too.
    await writer.pushNotificationStore.save('task-1', alice, { ...hooks[0]!, token: 'rotated' });
    const pageBefore = await writer.taskStore.list(
      listRequest({ pageSize: 100, includeArtifacts: true }),
      alice,
    );
    await writer.close();

    const reader = createSqliteStores({ filename });
    try {
      for (const task of tasks) {
        expect(await reader.taskStore.load(task.id, alice)).toEqual(canonicalTask(task));
      }
      expect((await reader.taskStore.loadVersioned('task-1', alice))?.version).toBe(version);
      expect(version).toBe(2);
      expect((await reader.taskStore.load('task-0', bob))?.history[0]?.parts[0]?.content).toEqual({
        $case: 'text',
        value: 'hello from task-0',
      });
      const configs = await reader.pushNotificationStore.load('task-1', alice);
      expect(configs.map((c) => [c.id, c.token])).toEqual([
        ['second', 'token-second'],
        ['third', 'token-third'],
        ['first', 'rotated'],
      ]);
      const pageAfter = await reader.taskStore.list(
        listRequest({ pageSize: 100, includeArtifacts: true }),
        alice,
      );
      expect(pageAfter).toEqual(pageBefore);
      expect(pageAfter.totalSize).toBe(20);
    } finally {
      await reader.close();
    }
  });

  it('keeps every write a process acknowledged before it was killed with SIGKILL', async () => {
    assertBuilt();
    const filename = tempFile('killed.db');
    const setup = createSqliteStores({ filename });
    await setup.migrate();
    await setup.close();

    let lastAcknowledged = -1;
    const worker = startWorker(['ack', filename, 'acked'], (message, self) => {
      if (message.type !== 'ack') return;
      lastAcknowledged = message.index!;
      // Killed mid-stream, never closed: only what was committed can be there.
      if (lastAcknowledged === 99) self.child.kill('SIGKILL');
    });
    await worker.ready;
    worker.go();
    expect(await worker.exited).toBe('SIGKILL');
    expect(lastAcknowledged).toBeGreaterThanOrEqual(99);

    const reader = createSqliteStores({ filename });
    try {
      const ctx = contextFor('multi-process', 'writer');
      for (let index = 0; index <= lastAcknowledged; index++) {
        expect((await reader.taskStore.load(`acked-${index}`, ctx))?.id).toBe(`acked-${index}`);
      }
    } finally {
      await reader.close();
    }
  });
});
