import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import { ServerCallContext, UnauthenticatedUser } from '@a2a-js/sdk/server';
import { describe, expect, it } from 'vitest';
import { createMemoryStores, createPushUrlPolicy, PushUrlRejectedError } from '../../src/index.js';
import { corpusDns } from './corpus.js';

const ctx = () => new ServerCallContext({ tenant: 'tenant', user: new UnauthenticatedUser() });

function config(url: string, id = ''): TaskPushNotificationConfig {
  return { tenant: '', id, taskId: 'task-1', url, token: 'tok', authentication: undefined };
}

describe('push URL policy in the stores', () => {
  it('is strict by default: a store built without options refuses hostile URLs and writes nothing', async () => {
    const { pushNotificationStore } = createMemoryStores({ logger: { warn: () => {} } });
    const context = ctx();
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'https://0x7f.1/',
      'https://[::ffff:10.0.0.1]/',
    ]) {
      const candidate = config(url);
      await expect(
        pushNotificationStore.save('task-1', context, candidate),
        url,
      ).rejects.toBeInstanceOf(PushUrlRejectedError);
      expect(candidate.id, 'no id is assigned to a refused config').toBe('');
    }
    expect(await pushNotificationStore.load('task-1', context)).toEqual([]);
  });

  it('by default accepts a public https literal (no DNS needed)', async () => {
    const { pushNotificationStore } = createMemoryStores({ logger: { warn: () => {} } });
    const candidate = config('https://8.8.8.8/hook');
    await pushNotificationStore.save('task-1', ctx(), candidate);
    expect(candidate.id).not.toBe('');
    expect(await pushNotificationStore.load('task-1', ctx())).toHaveLength(1);
  });

  it('uses the policy passed as pushUrlCheck instead', async () => {
    const dev = createPushUrlPolicy({ resolver: corpusDns(), allowInsecureLocalhost: true });
    const { pushNotificationStore } = createMemoryStores({
      pushUrlCheck: dev,
      logger: { warn: () => {} },
    });
    await pushNotificationStore.save(
      'task-1',
      ctx(),
      config('http://127.0.0.1:3000/hook', 'local'),
    );
    await pushNotificationStore.save(
      'task-1',
      ctx(),
      config('https://hooks.example.com/a2a', 'named'),
    );
    expect((await pushNotificationStore.load('task-1', ctx())).map((c) => c.id).sort()).toEqual([
      'local',
      'named',
    ]);
  });

  it('leaves a stored config unchanged when a replacement under its id is refused', async () => {
    const { pushNotificationStore } = createMemoryStores({
      pushUrlCheck: createPushUrlPolicy({ resolver: corpusDns() }),
      logger: { warn: () => {} },
    });
    const original = config('https://hooks.example.com/a2a', 'same-id');
    await pushNotificationStore.save('task-1', ctx(), original);
    await expect(
      pushNotificationStore.save(
        'task-1',
        ctx(),
        config('https://loopback.attacker.example/', 'same-id'),
      ),
    ).rejects.toMatchObject({ policyReason: 'loopback-address' });
    expect(await pushNotificationStore.load('task-1', ctx())).toEqual([original]);
  });
});
