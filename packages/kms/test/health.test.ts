import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStores } from '@a2a-stores/core';
import { createSqliteStores } from '@a2a-stores/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { generateLocalMasterKey, LocalAesKeyring, withEnvelopeEncryption } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'a2a-kms-health-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keyring = () =>
  new LocalAesKeyring({ keys: { k1: generateLocalMasterKey() }, primary: 'k1' });

describe('health()', () => {
  it("delegates to the inner store's health: pending before migrate(), healthy after", async () => {
    const stores = withEnvelopeEncryption(createSqliteStores({ filename: join(dir, 'a2a.db') }), {
      keyring: keyring(),
    });
    const before = await stores.health();
    expect(before).toMatchObject({ healthy: false, reachable: true, schemaCurrent: false });
    expect(before.pendingMigrations.length).toBeGreaterThan(0);
    await stores.migrate();
    expect(await stores.health()).toMatchObject({ healthy: true, schemaCurrent: true });
    await stores.close();
    expect((await stores.health()).problem?.code).toBe('STORE_CLOSED');
  });

  it('reports an inner pair without health() as healthy', async () => {
    const { taskStore, pushNotificationStore } = createMemoryStores();
    const stores = withEnvelopeEncryption(
      { taskStore, pushNotificationStore },
      { keyring: keyring() },
    );
    expect(await stores.health()).toMatchObject({ healthy: true });
  });
});
