import { Task, type TaskPushNotificationConfig } from '@a2a-js/sdk';
import type { PushNotificationStore, ServerCallContext } from '@a2a-js/sdk/server';
import type { Scope } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  expectSameTask,
  listRequest,
  makeTask,
  randomId,
  randomScope,
  recordHooks,
  rejectionOf,
  scopedTaskStore,
} from '@a2a-stores/core/conformance';
import { describe, expect, it } from 'vitest';
import {
  DecryptionError,
  type EnvelopeEncryptionOptions,
  type PlaintextReadEvent,
  PlaintextRefusedError,
  RECORD_PREFIX,
  SEALED_MARKER,
  SEALED_PREFIX,
  TASK_FIELDS,
} from '../../src/index.js';
import type { KmsHarness } from './kms-harness.js';
import { findLeaks, secretPushConfig, secretTask } from './secrets.js';
import { v2AllFields } from './v2-records.js';

/** The task as the inner store returns it, as JSON text. */
async function innerTaskText(
  store: { load(id: string, ctx: ServerCallContext): Promise<Task | undefined> },
  id: string,
  ctx: ServerCallContext,
): Promise<string> {
  const task = await store.load(id, ctx);
  return task ? JSON.stringify(Task.toJSON(task)) : '';
}

async function innerConfigs(
  store: PushNotificationStore,
  taskId: string,
  ctx: ServerCallContext,
): Promise<TaskPushNotificationConfig[]> {
  return store.load(taskId, ctx);
}

/** Changes one base64url character well inside `sealed`, so decoded bytes differ. */
export function tamper(sealed: string): string {
  const at = sealed.length - 8;
  const replacement = sealed[at] === 'A' ? 'B' : 'A';
  return sealed.slice(0, at) + replacement + sealed.slice(at + 1);
}

/**
 * What the wrapper promises beyond the conformance suite, for any inner store: no plaintext
 * secret reaches it, and a ciphertext moved to another row, scope or field, or altered, fails
 * closed. Runs over `harness.inner` (what the adapter stores); uses the raw probe when the inner
 * harness has one. Does not destroy the harness.
 */
export function runEnvelopeChecks(harness: KmsHarness): void {
  describe(`envelope checks: ${harness.name}`, () => {
    async function open(wrapper: Partial<EnvelopeEncryptionOptions> = {}) {
      const recorded = recordHooks();
      const plaintextReads: PlaintextReadEvent[] = [];
      const stores = await harness.openEncrypted(
        { pushUrlCheck: conformancePushUrlCheck(), hooks: recorded.hooks },
        {
          taskFields: TASK_FIELDS,
          ...wrapper,
          hooks: { ...recorded.hooks, onPlaintextRead: (event) => plaintextReads.push(event) },
        },
      );
      const scope = randomScope();
      return {
        ...stores,
        recorded,
        plaintextReads,
        scope,
        ctx: callContext(scope),
        tasks: stores.encrypted.taskStore,
        push: stores.encrypted.pushNotificationStore,
        innerTasks: stores.inner.taskStore,
        innerPush: stores.inner.pushNotificationStore,
      };
    }

    it('no plaintext secret reaches the backing store, and everything reads back exactly', async () => {
      const env = await open();
      try {
        const { task, secrets } = secretTask();
        const { config, secrets: pushSecrets } = secretPushConfig(task.id, '');
        await env.tasks.save(task, env.ctx);
        await env.push.save(task.id, callContext(env.scope, { requestedVersion: '1.0' }), config);
        expect(config.id.length).toBeGreaterThan(0);

        expectSameTask(await env.tasks.load(task.id, env.ctx), task);
        await expect(env.push.loadWithMetadata(task.id, env.ctx)).resolves.toEqual([
          { config, wireVersion: '1.0' },
        ]);

        const storedTask = await innerTaskText(env.innerTasks, task.id, env.ctx);
        expect(findLeaks(storedTask, secrets)).toEqual([]);
        expect(storedTask).toContain(RECORD_PREFIX);
        const storedConfigs = JSON.stringify(await innerConfigs(env.innerPush, task.id, env.ctx));
        expect(findLeaks(storedConfigs, pushSecrets)).toEqual([]);
        const [sealed] = await innerConfigs(env.innerPush, task.id, env.ctx);
        expect(sealed!.token.startsWith(SEALED_PREFIX)).toBe(true);
        expect(sealed!.authentication!.credentials.startsWith(SEALED_PREFIX)).toBe(true);
        expect(sealed!.authentication!.scheme).toBe('Bearer');

        const probe = harness.probe;
        if (probe?.readTaskRaw && probe.readPushConfigsRaw) {
          const raw = await probe.readTaskRaw(env.scope, task.id);
          expect(raw).toContain(RECORD_PREFIX);
          expect(findLeaks(raw!, secrets)).toEqual([]);
          const rawConfigs = (await probe.readPushConfigsRaw(env.scope, task.id)).join('\n');
          expect(rawConfigs).toContain(SEALED_PREFIX);
          expect(findLeaks(rawConfigs, pushSecrets)).toEqual([]);
        }
      } finally {
        await env.close();
      }
    });

    it('list opens sealed fields and applies historyLength and includeArtifacts after opening', async () => {
      const env = await open();
      try {
        const { task } = secretTask();
        await env.tasks.save(task, env.ctx);
        const full = await env.tasks.list(listRequest({ includeArtifacts: true }), env.ctx);
        expect(full.totalSize).toBe(1);
        expectSameTask(full.tasks[0], task);
        const bare = await env.tasks.list(listRequest(), env.ctx);
        expect(bare.tasks[0]!.artifacts).toEqual([]);
        expect(bare.tasks[0]!.metadata).toEqual(task.metadata);
        for (const historyLength of [0, 1, 2, 5]) {
          const page = await env.tasks.list(listRequest({ historyLength }), env.ctx);
          const expected = historyLength === 0 ? [] : task.history.slice(-historyLength);
          expect(page.tasks[0]!.history.map((m) => m.messageId)).toEqual(
            expected.map((m) => m.messageId),
          );
        }
      } finally {
        await env.close();
      }
    });

    it('the default configuration seals the push secrets and leaves task fields in clear', async () => {
      const env = await open({ taskFields: [] });
      try {
        const { task, secrets } = secretTask();
        await env.tasks.save(task, env.ctx);
        expectSameTask(await env.innerTasks.load(task.id, env.ctx), task);
        expect(await innerTaskText(env.innerTasks, task.id, env.ctx)).toContain(secrets[0]);
      } finally {
        await env.close();
      }
    });

    /** Saves two configs through the wrapper and returns their sealed forms from the inner store. */
    async function twoSealedConfigs(env: Awaited<ReturnType<typeof open>>, taskId: string) {
      const a = secretPushConfig(taskId, 'config-a').config;
      const b = secretPushConfig(taskId, 'config-b').config;
      await env.push.save(taskId, env.ctx, a);
      await env.push.save(taskId, env.ctx, b);
      const [sealedA, sealedB] = await innerConfigs(env.innerPush, taskId, env.ctx);
      return { a, b, sealedA: sealedA!, sealedB: sealedB! };
    }

    async function expectSkipped(
      env: Awaited<ReturnType<typeof open>>,
      taskId: string,
      ctx: ServerCallContext,
      scope: Scope,
      configId: string,
      field: string,
    ) {
      const loaded = await env.push.load(taskId, ctx);
      expect(loaded.map((c) => c.id)).not.toContain(configId);
      const event = env.recorded.corruptRecords.filter((e) => e.recordId === configId).at(-1);
      expect(event).toMatchObject({ kind: 'push-config', scope, recordId: configId });
      expect(event!.error).toBeInstanceOf(DecryptionError);
      expect(event!.error).toMatchObject({ code: 'DECRYPTION_FAILED', field });
    }

    it('a token copied to another config row does not open', async () => {
      const env = await open();
      try {
        const taskId = randomId('task');
        const { a, sealedA, sealedB } = await twoSealedConfigs(env, taskId);
        await env.innerPush.save(taskId, env.ctx, { ...sealedB, token: sealedA.token });
        await expectSkipped(env, taskId, env.ctx, env.scope, 'config-b', 'token');
        await expect(env.push.load(taskId, env.ctx)).resolves.toEqual([a]);
      } finally {
        await env.close();
      }
    });

    it('a config copied to another task does not open', async () => {
      const env = await open();
      try {
        const taskId = randomId('task');
        const otherTask = randomId('task');
        const { sealedA } = await twoSealedConfigs(env, taskId);
        await env.innerPush.save(otherTask, env.ctx, { ...sealedA, taskId: otherTask });
        await expectSkipped(env, otherTask, env.ctx, env.scope, 'config-a', 'token');
      } finally {
        await env.close();
      }
    });

    it('a config copied to another scope (same task and config ids) does not open', async () => {
      const env = await open();
      try {
        const taskId = randomId('task');
        const { sealedA } = await twoSealedConfigs(env, taskId);
        for (const scope of [
          { tenant: env.scope.tenant, owner: randomId('owner') },
          { tenant: randomId('tenant'), owner: env.scope.owner },
        ]) {
          const ctx = callContext(scope);
          await env.innerPush.save(taskId, ctx, { ...sealedA });
          await expectSkipped(env, taskId, ctx, scope, 'config-a', 'token');
        }
      } finally {
        await env.close();
      }
    });

    it('a token moved into the credentials field does not open', async () => {
      const env = await open();
      try {
        const taskId = randomId('task');
        const { sealedA } = await twoSealedConfigs(env, taskId);
        await env.innerPush.save(taskId, env.ctx, {
          ...sealedA,
          authentication: { scheme: 'Bearer', credentials: sealedA.token },
        });
        await expectSkipped(env, taskId, env.ctx, env.scope, 'config-a', 'credentials');
      } finally {
        await env.close();
      }
    });

    it('a sealed config whose URL was changed does not release its token', async () => {
      const env = await open();
      try {
        const taskId = randomId('task');
        const { sealedA } = await twoSealedConfigs(env, taskId);
        const url = 'https://push.example.com/attacker';
        await env.innerPush.save(taskId, env.ctx, { ...sealedA, url });
        await expectSkipped(env, taskId, env.ctx, env.scope, 'config-a', 'token');
      } finally {
        await env.close();
      }
    });

    it('a sealed record copied to another task does not open: load throws, list skips it', async () => {
      const env = await open();
      try {
        const source = secretTask().task;
        const target = makeTask();
        await env.tasks.save(source, env.ctx);
        await env.tasks.save(target, env.ctx);
        const sealedSource = (await env.innerTasks.load(source.id, env.ctx))!;
        const sealedTarget = (await env.innerTasks.load(target.id, env.ctx))!;
        await env.innerTasks.save({ ...sealedTarget, metadata: sealedSource.metadata }, env.ctx);
        const error = await rejectionOf(env.tasks.load(target.id, env.ctx));
        expect(error).toBeInstanceOf(DecryptionError);
        expect(error).toMatchObject({ code: 'DECRYPTION_FAILED', recordId: target.id });
        const page = await env.tasks.list(listRequest({ includeArtifacts: true }), env.ctx);
        expect(page.tasks.map((t) => t.id)).toEqual([source.id]);
        expect(env.recorded.corruptRecords.some((e) => e.recordId === target.id)).toBe(true);
      } finally {
        await env.close();
      }
    });

    it('a sealed task copied to another scope does not open there', async () => {
      const env = await open();
      try {
        const { task } = secretTask();
        await env.tasks.save(task, env.ctx);
        const sealed = (await env.innerTasks.load(task.id, env.ctx))!;
        const other = callContext({ tenant: env.scope.tenant, owner: randomId('owner') });
        await env.innerTasks.save(sealed, other);
        expect(await rejectionOf(env.tasks.load(task.id, other))).toBeInstanceOf(DecryptionError);
        expectSameTask(await env.tasks.load(task.id, env.ctx), task);
      } finally {
        await env.close();
      }
    });

    it('a sealed record moved into a per-field placeholder of the same task does not open', async () => {
      const env = await open();
      try {
        const { task } = secretTask();
        await env.tasks.save(task, env.ctx);
        const sealed = (await env.innerTasks.load(task.id, env.ctx))!;
        const text = sealed.metadata![SEALED_MARKER] as string;
        // The history placeholder of the per-field format, carrying the record's envelope.
        const [placeholder] = v2AllFields().history;
        const part = {
          ...placeholder!.parts[0]!,
          content: { $case: 'text' as const, value: text },
        };
        const history = [{ ...placeholder!, parts: [part] }];
        await env.innerTasks.save({ ...sealed, metadata: undefined, history }, env.ctx);
        const error = await rejectionOf(env.tasks.load(task.id, env.ctx));
        expect(error).toBeInstanceOf(DecryptionError);
        expect(error).toMatchObject({ field: 'history' });
      } finally {
        await env.close();
      }
    });

    it('tampered ciphertext fails closed', async () => {
      const env = await open();
      try {
        const { task } = secretTask();
        await env.tasks.save(task, env.ctx);
        const taskId = task.id;
        const { sealedA } = await twoSealedConfigs(env, taskId);
        await env.innerPush.save(taskId, env.ctx, { ...sealedA, token: tamper(sealedA.token) });
        await expectSkipped(env, taskId, env.ctx, env.scope, 'config-a', 'token');
        const sealed = (await env.innerTasks.load(taskId, env.ctx))!;
        const value = sealed.metadata![SEALED_MARKER] as string;
        await env.innerTasks.save(
          { ...sealed, metadata: { [SEALED_MARKER]: tamper(value) } },
          env.ctx,
        );
        expect(await rejectionOf(env.tasks.load(taskId, env.ctx))).toBeInstanceOf(DecryptionError);
        const truncated = { [SEALED_MARKER]: value.slice(0, 40) };
        await env.innerTasks.save({ ...sealed, metadata: truncated }, env.ctx);
        expect(await rejectionOf(env.tasks.load(taskId, env.ctx))).toBeInstanceOf(DecryptionError);
      } finally {
        await env.close();
      }
    });

    it('strict mode refuses plaintext where a ciphertext is expected', async () => {
      const env = await open();
      try {
        const { task } = secretTask();
        await env.innerTasks.save(task, env.ctx);
        const error = await rejectionOf(env.tasks.load(task.id, env.ctx));
        expect(error).toBeInstanceOf(PlaintextRefusedError);
        expect(error).toMatchObject({ code: 'PLAINTEXT_REFUSED', field: 'history' });
        expect((await env.tasks.list(listRequest(), env.ctx)).tasks).toEqual([]);
        const plain = secretPushConfig(task.id, 'plain').config;
        await env.innerPush.save(task.id, env.ctx, plain);
        await expect(env.push.load(task.id, env.ctx)).resolves.toEqual([]);
        expect(env.recorded.corruptRecords.map((e) => e.error)).toContainEqual(
          expect.objectContaining({ code: 'PLAINTEXT_REFUSED', recordId: 'plain' }),
        );
        expect(env.plaintextReads).toEqual([]);
      } finally {
        await env.close();
      }
    });

    it('migration mode reads old plaintext, reports it, and seals it on the next write', async () => {
      const env = await open({ mode: 'migrate' });
      try {
        const { task, secrets } = secretTask();
        const { config, secrets: pushSecrets } = secretPushConfig(task.id, 'legacy');
        await env.innerTasks.save(task, env.ctx);
        await env.innerPush.save(task.id, env.ctx, config);
        const store = scopedTaskStore(env.tasks);
        const legacy = await store.loadVersioned(task.id, env.ctx);
        expectSameTask(legacy?.task, task);
        await expect(env.push.load(task.id, env.ctx)).resolves.toEqual([config]);
        expect(env.plaintextReads.map((e) => `${e.kind}:${e.field}`).sort()).toEqual([
          'push-config:credentials',
          'push-config:token',
          'task:artifacts',
          'task:history',
          'task:metadata',
          'task:statusMessage',
        ]);
        expect(JSON.stringify(env.plaintextReads)).not.toContain('SECRET');

        await store.saveIfVersion(legacy!.task, env.ctx, legacy!.version);
        await env.push.save(task.id, env.ctx, config);
        expect(findLeaks(await innerTaskText(env.innerTasks, task.id, env.ctx), secrets)).toEqual(
          [],
        );
        const configs = JSON.stringify(await innerConfigs(env.innerPush, task.id, env.ctx));
        expect(findLeaks(configs, pushSecrets)).toEqual([]);
        expectSameTask(await env.tasks.load(task.id, env.ctx), task);
      } finally {
        await env.close();
      }
    });
  });
}
