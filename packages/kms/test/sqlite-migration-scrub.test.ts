import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
  textPart,
} from '@a2a-stores/core/conformance';
import { createSqliteStores } from '@a2a-stores/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultScopeContext,
  LocalAesKeyring,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '../src/index.js';

// Issue #17 item 8: the README's procedure for moving a SQLite store to encryption (migrate mode,
// re-write every record, `scrub()`) leaves no plaintext secret in the file or its WAL.

const dir = mkdtempSync(join(tmpdir(), 'a2a-kms-scrub-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function copiesOnDisk(filename: string, needle: string): number {
  let copies = 0;
  for (const path of [filename, `${filename}-wal`]) {
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) copies++;
  }
  return copies;
}

describe('moving a SQLite store to encryption', () => {
  it('leaves no plaintext token, credential or history on disk after scrub()', async () => {
    const filename = join(dir, 'a2a.db');
    const options = { pushUrlCheck: conformancePushUrlCheck() };
    const scope = randomScope();
    const ctx = callContext(scope);
    const secrets: string[] = [];
    const taskIds: string[] = [];

    // Before: a plain store, as written without the wrapper.
    const plain = createSqliteStores({ filename }, options);
    await plain.migrate();
    for (let i = 0; i < 12; i++) {
      const task = makeTask({ historyLength: 1 });
      const text = `HISTORY-${randomUUID()}`;
      task.history[0]!.parts = [textPart(text)];
      await plain.taskStore.save(task, ctx);
      const config = makePushConfig(task.id, { token: `TOKEN-${randomUUID()}` });
      config.authentication = { scheme: 'Bearer', credentials: `CRED-${randomUUID()}` };
      await plain.pushNotificationStore.save(task.id, ctx, config);
      secrets.push(text, config.token, config.authentication.credentials);
      taskIds.push(task.id);
    }
    await plain.close();

    // The documented procedure: secureDelete on, migrate mode, every record re-written sealed.
    const keyring = new LocalAesKeyring({ keys: { k: Buffer.alloc(32, 9) }, primary: 'k' });
    const inner = createSqliteStores({ filename }, { ...options, secureDelete: true });
    const migrating = withEnvelopeEncryption(inner, {
      keyring,
      taskFields: TASK_FIELDS,
      mode: 'migrate',
    });
    for (const id of taskIds) {
      const task = await migrating.taskStore.load(id, ctx);
      await migrating.taskStore.save(task!, ctx);
      for (const entry of await migrating.pushNotificationStore.loadWithMetadata(id, ctx)) {
        const keepVersion = defaultScopeContext(scope, entry.wireVersion);
        await migrating.pushNotificationStore.save(id, keepVersion, entry.config);
      }
    }
    // What the review found: sealed rows, yet old plaintext copies in free pages and the WAL.
    const before = secrets.reduce((sum, secret) => sum + copiesOnDisk(filename, secret), 0);
    expect(before).toBeGreaterThan(0);

    await inner.scrub();
    for (const secret of secrets) expect(copiesOnDisk(filename, secret), secret).toBe(0);

    // Everything reads back in strict mode, so every record was sealed.
    const strict = withEnvelopeEncryption(inner, { keyring, taskFields: TASK_FIELDS });
    const opened: string[] = [];
    for (const id of taskIds) {
      opened.push(JSON.stringify(await strict.taskStore.load(id, ctx)));
      opened.push(JSON.stringify(await strict.pushNotificationStore.load(id, ctx)));
    }
    for (const secret of secrets) expect(opened.join('\n')).toContain(secret);
    await inner.close();
  });
});
