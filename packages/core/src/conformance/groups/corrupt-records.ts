import { CorruptRecordError } from '@a2a-stores/core';
import { describe, expect } from 'vitest';
import type { StoreHarness } from '../harness.js';
import { expectSameTask, rejectionOf } from '../helpers/assertions.js';
import { callContext, randomId, randomScope } from '../helpers/identity.js';
import {
  conformanceTest,
  type GroupOptions,
  loadWithMetadata,
  recordHooks,
  scopedTaskStore,
  useHarness,
} from '../helpers/lifecycle.js';
import { isoAt, listRequest, makePushConfig, makeTask, saveAll } from '../helpers/tasks.js';

/**
 * Corrupt records, made through the harness's raw probe: `load` throws `CorruptRecordError`,
 * `list` skips the row and reports it, and one unreadable push config never hides the others.
 */
export function runCorruptRecordsGroup(harness: StoreHarness, options?: GroupOptions): void {
  describe('corrupt records', () => {
    const env = useHarness(harness, options);

    conformanceTest(
      harness,
      ['probe.corruptTask', 'storeOptions'],
      'load throws CorruptRecordError and reports it through onCorruptRecord',
      async () => {
        const recorded = recordHooks();
        const { taskStore } = await env.open({ hooks: recorded.hooks });
        const scope = randomScope();
        const ctx = callContext(scope);
        const task = makeTask();
        await taskStore.save(task, ctx);
        await env.probe.corruptTask(scope, task.id);
        const error = await rejectionOf(taskStore.load(task.id, ctx));
        expect(error).toBeInstanceOf(CorruptRecordError);
        expect(error).toMatchObject({ code: 'CORRUPT_RECORD', recordId: task.id });
        expect(recorded.corruptRecords).toHaveLength(1);
        expect(recorded.corruptRecords[0]).toMatchObject({
          kind: 'task',
          scope,
          recordId: task.id,
        });
      },
    );

    conformanceTest(
      harness,
      ['probe.corruptTask', 'extendedTaskStore'],
      'loadVersioned throws CorruptRecordError; delete still removes the record',
      async () => {
        const store = scopedTaskStore((await env.open()).taskStore);
        const scope = randomScope();
        const ctx = callContext(scope);
        const task = makeTask();
        await store.save(task, ctx);
        await env.probe.corruptTask(scope, task.id);
        expect(await rejectionOf(store.loadVersioned(task.id, ctx))).toBeInstanceOf(
          CorruptRecordError,
        );
        await expect(store.delete(task.id, ctx)).resolves.toBe(true);
        await expect(store.load(task.id, ctx)).resolves.toBeUndefined();
      },
    );

    conformanceTest(
      harness,
      ['probe.corruptTask', 'storeOptions'],
      'list skips a corrupt row, returns the others and reports it',
      async () => {
        const recorded = recordHooks();
        const { taskStore } = await env.open({ hooks: recorded.hooks });
        const scope = randomScope();
        const ctx = callContext(scope);
        const tasks = [0, 1, 2, 3].map((i) => makeTask({ timestamp: isoAt(i), artifactCount: 1 }));
        await saveAll(taskStore, tasks, ctx);
        await env.probe.corruptTask(scope, tasks[2]!.id);
        for (const includeArtifacts of [false, true]) {
          const page = await taskStore.list(listRequest({ includeArtifacts }), ctx);
          expect(page.tasks.map((t) => t.id)).toEqual([tasks[3]!.id, tasks[1]!.id, tasks[0]!.id]);
        }
        expect(recorded.corruptRecords.length).toBeGreaterThanOrEqual(1);
        for (const event of recorded.corruptRecords) {
          expect(event).toMatchObject({ kind: 'task', scope, recordId: tasks[2]!.id });
        }
        // Other tasks of the scope are unaffected.
        expectSameTask(await taskStore.load(tasks[1]!.id, ctx), tasks[1]!);
      },
    );

    conformanceTest(
      harness,
      ['probe.corruptTask'],
      'a corrupt row does not break paging past it',
      async () => {
        const { taskStore } = await env.open();
        const scope = randomScope();
        const ctx = callContext(scope);
        const tasks = Array.from({ length: 7 }, (_, i) => makeTask({ timestamp: isoAt(i) }));
        await saveAll(taskStore, tasks, ctx);
        await env.probe.corruptTask(scope, tasks[4]!.id);
        const ids: string[] = [];
        let pageToken = '';
        do {
          const page = await taskStore.list(listRequest({ pageSize: 2, pageToken }), ctx);
          ids.push(...page.tasks.map((t) => t.id));
          pageToken = page.nextPageToken;
        } while (pageToken);
        expect(ids).toEqual([6, 5, 3, 2, 1, 0].map((i) => tasks[i]!.id));
      },
    );

    conformanceTest(
      harness,
      ['probe.corruptPushConfig', 'storeOptions'],
      'loadWithMetadata skips a corrupt push config and reports it',
      async () => {
        const recorded = recordHooks();
        const { pushNotificationStore: push } = await env.open({ hooks: recorded.hooks });
        const scope = randomScope();
        const ctx = callContext(scope);
        const taskId = randomId('task');
        const configs = ['p1', 'p2', 'p3'].map((id) => makePushConfig(taskId, { id }));
        for (const config of configs) await push.save(taskId, ctx, config);
        await env.probe.corruptPushConfig!(scope, taskId, 'p2');
        const stored = await loadWithMetadata(push)(taskId, ctx);
        expect(stored.map((s) => s.config)).toEqual([configs[0], configs[2]]);
        await expect(push.load(taskId, ctx)).resolves.toEqual([configs[0], configs[2]]);
        expect(recorded.corruptRecords.length).toBeGreaterThanOrEqual(1);
        expect(recorded.corruptRecords[0]).toMatchObject({
          kind: 'push-config',
          scope,
          recordId: 'p2',
        });
      },
    );
  });
}
