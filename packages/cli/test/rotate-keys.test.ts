import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '@a2a-js/sdk';
import type { Scope } from '@a2a-stores/core';
import { makePushConfig, makeTask, randomScope } from '@a2a-stores/core/conformance';
import {
  defaultScopeContext,
  generateLocalMasterKey,
  LocalAesKeyring,
  SEALED_PREFIX,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '@a2a-stores/kms';
import { createSqliteStores } from '@a2a-stores/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';

const dir = mkdtempSync(join(tmpdir(), 'a2a-stores-cli-rotate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OLD_KEY = generateLocalMasterKey();
const NEW_KEY = generateLocalMasterKey();
// An IP literal: the push URL policy accepts it without any DNS lookup, and nothing is sent.
const HOOK = 'https://93.184.215.14/a2a-hook';
const TASKS_PER_SCOPE = 3;

let counter = 0;
function path(name: string): string {
  counter += 1;
  return join(dir, `${counter}-${name}`);
}

interface Fixture {
  readonly filename: string;
  readonly scopes: Scope[];
  readonly tasks: Map<Scope, Task[]>;
  readonly tokens: Map<string, string>;
  readonly scopesFile: string;
  readonly keysFile: string;
}

/**
 * A migrated sqlite file whose tasks and push configs were sealed under OLD_KEY. With another
 * `hook`, the configs are registered without the URL policy, as an agent whose DNS resolved it.
 */
async function sealedDatabase(hook = HOOK): Promise<Fixture> {
  const filename = path('store.db');
  const scopes = [randomScope(), randomScope(), { tenant: randomScope().tenant, owner: '' }];
  const registration = hook === HOOK ? {} : { pushUrlCheck: () => {} };
  const stores = withEnvelopeEncryption(createSqliteStores({ filename }, registration), {
    keyring: new LocalAesKeyring({ keys: { old: OLD_KEY }, primary: 'old' }),
    taskFields: TASK_FIELDS,
  });
  await stores.migrate();
  const tasks = new Map<Scope, Task[]>();
  const tokens = new Map<string, string>();
  for (const scope of scopes) {
    const list: Task[] = [];
    for (let i = 0; i < TASKS_PER_SCOPE; i++) {
      const task = makeTask({ historyLength: 2 });
      await stores.taskStore.save(task, defaultScopeContext(scope));
      const config = makePushConfig(task.id, { url: hook });
      await stores.pushNotificationStore.save(task.id, defaultScopeContext(scope), config);
      tokens.set(task.id, config.token!);
      list.push(task);
    }
    tasks.set(scope, list);
  }
  await stores.close();
  const scopesFile = path('scopes.jsonl');
  writeFileSync(scopesFile, `${scopes.map((scope) => JSON.stringify(scope)).join('\n')}\n`);
  const keysFile = path('keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify({ primary: 'new', keys: { old: OLD_KEY, new: NEW_KEY } }),
    {
      mode: 0o600,
    },
  );
  return { filename, scopes, tasks, tokens, scopesFile, keysFile };
}

/**
 * Opens every record with a keyring that holds ONLY the new key: it succeeds exactly when
 * rotation re-wrapped the record. Returns the ids that opened.
 */
async function openableWithNewKeyOnly(fixture: Fixture): Promise<Set<string>> {
  const stores = withEnvelopeEncryption(createSqliteStores({ filename: fixture.filename }), {
    keyring: new LocalAesKeyring({ keys: { new: NEW_KEY }, primary: 'new' }),
    taskFields: TASK_FIELDS,
  });
  const opened = new Set<string>();
  try {
    for (const [scope, tasks] of fixture.tasks) {
      for (const task of tasks) {
        const context = defaultScopeContext(scope);
        try {
          const loaded = await stores.taskStore.load(task.id, context);
          expect(loaded?.history).toEqual(task.history);
          const [config] = await stores.pushNotificationStore.load(task.id, context);
          expect(config?.token).toBe(fixture.tokens.get(task.id));
          opened.add(task.id);
        } catch (error) {
          expect((error as { code?: string }).code).toMatch(/DECRYPTION_FAILED|KEY_UNAVAILABLE/);
        }
      }
    }
  } finally {
    await stores.close();
  }
  return opened;
}

const rotateArgs = (fixture: Fixture, ...extra: string[]) => [
  'rotate-keys',
  '--url',
  `sqlite:${fixture.filename}`,
  '--keys-file',
  fixture.keysFile,
  '--scopes-file',
  fixture.scopesFile,
  ...extra,
];

describe('a2a-stores rotate-keys on sqlite with a local keyring', () => {
  it('re-wraps every task and push config of the listed scopes under the new primary', async () => {
    const fixture = await sealedDatabase();
    expect((await openableWithNewKeyOnly(fixture)).size).toBe(0);

    const run = await runBin([...rotateArgs(fixture), '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const total = fixture.scopes.length * TASKS_PER_SCOPE;
    expect(JSON.parse(run.stdout)).toMatchObject({
      adapter: 'sqlite',
      primary: 'local key "new"',
      scopes: 3,
      scopesDone: 3,
      tasksScanned: total,
      tasksRewrapped: total,
      pushConfigsRewrapped: total,
      failures: [],
    });
    expect((await openableWithNewKeyOnly(fixture)).size).toBe(total);
    expect(run.stdout).not.toContain(NEW_KEY);
    expect(run.stdout).not.toContain(OLD_KEY);

    // Everything is under the primary now: a second run scans and re-wraps nothing.
    const again = await runBin([...rotateArgs(fixture), '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      tasksScanned: total,
      tasksRewrapped: 0,
      pushConfigsRewrapped: 0,
      dataKeysRewrapped: 0,
    });
  });

  it('re-wraps push configs whose host does not resolve from where it runs', async () => {
    // `.invalid` never resolves (RFC 2606): the URL policy would refuse it as unresolvable-host.
    const fixture = await sealedDatabase('https://hooks.a2a-stores-test.invalid/hook');
    const run = await runBin(rotateArgs(fixture, '--json'));
    expect(run.stderr).not.toMatch(/unresolvable/);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ failures: [] });
    const all = [...fixture.tasks.values()].flat().map((task) => task.id);
    expect(await openableWithNewKeyOnly(fixture)).toEqual(new Set(all));
  });

  it('prints plain progress lines on stderr and a summary on stdout when not on a TTY', async () => {
    const fixture = await sealedDatabase();
    const run = await runBin(rotateArgs(fixture));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /3 scope\(s\), 9 task\(s\) scanned, 9 task\(s\) and 9 push config\(s\) re-wrapped/,
    );
    expect(run.stderr).toMatch(/^rotating: \d\/3 scopes, [\d.]+ scopes\/s, (ETA \S+|done)/m);
    expect(run.stderr).toMatch(/^rotating: 3\/3 scopes, .*done/m);
    expect(run.stderr).not.toContain('\x1b[');
  });

  it('resumes from --checkpoint-file and removes it when the run completes', async () => {
    const fixture = await sealedDatabase();
    const checkpointFile = path('checkpoint.json');
    writeFileSync(checkpointFile, JSON.stringify({ scopeIndex: 1, pageToken: '' }));
    const run = await runBin([
      ...rotateArgs(fixture, '--checkpoint-file', checkpointFile),
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ scopesDone: 3, tasksRewrapped: 6 });
    expect(existsSync(checkpointFile)).toBe(false);
    const opened = await openableWithNewKeyOnly(fixture);
    const [first, second, third] = fixture.scopes.map((scope) => fixture.tasks.get(scope)!);
    for (const task of first!) expect(opened.has(task.id)).toBe(false);
    for (const task of [...second!, ...third!]) expect(opened.has(task.id)).toBe(true);
  });

  it('reads the keys file from A2A_STORES_KEYS_FILE and the scopes from a JSON array', async () => {
    const fixture = await sealedDatabase();
    const arrayFile = path('scopes.json');
    writeFileSync(arrayFile, JSON.stringify([...fixture.scopes, fixture.scopes[0]]));
    const run = await runBin(
      [
        'rotate-keys',
        '--url',
        `sqlite:${fixture.filename}`,
        '--scopes-file',
        arrayFile,
        '--batch-size',
        '2',
        '--json',
      ],
      { env: { A2A_STORES_KEYS_FILE: fixture.keysFile } },
    );
    expect(run.code).toBe(0);
    // The duplicate scope is walked once.
    expect(JSON.parse(run.stdout)).toMatchObject({ scopes: 3, tasksRewrapped: 9 });
  });

  it('refuses bad keyring and scope files with exit 2, without echoing key material', async () => {
    const fixture = await sealedDatabase();
    const badPrimary = path('bad-keys.json');
    writeFileSync(badPrimary, JSON.stringify({ primary: 'nope', keys: { old: OLD_KEY } }));
    const wrongPrimary = await runBin([
      ...rotateArgs(fixture).filter((arg) => arg !== fixture.keysFile && arg !== '--keys-file'),
      '--keys-file',
      badPrimary,
    ]);
    expect(wrongPrimary.code).toBe(2);
    expect(wrongPrimary.stderr).toMatch(/primary must name one of the keys/);
    expect(wrongPrimary.stderr).not.toContain(OLD_KEY);

    const notJson = path('keys.txt');
    writeFileSync(notJson, `${OLD_KEY} is not json`);
    const garbled = await runBin([
      'rotate-keys',
      '--url',
      `sqlite:${fixture.filename}`,
      '--keys-file',
      notJson,
      '--scopes-file',
      fixture.scopesFile,
    ]);
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toMatch(/is not JSON/);
    expect(garbled.stderr).not.toContain(OLD_KEY);

    const badScopes = path('scopes-bad.jsonl');
    writeFileSync(badScopes, '{"tenant":"t"}\n');
    const noOwner = await runBin([
      'rotate-keys',
      '--url',
      `sqlite:${fixture.filename}`,
      '--keys-file',
      fixture.keysFile,
      '--scopes-file',
      badScopes,
    ]);
    expect(noOwner.code).toBe(2);
    expect(noOwner.stderr).toMatch(/entry 1 must be \{ "tenant": string, "owner": string \}/);
    expect((await openableWithNewKeyOnly(fixture)).size).toBe(0);
  });

  it('exits 4 on a database that was never migrated', async () => {
    const fixture = await sealedDatabase();
    const run = await runBin([
      'rotate-keys',
      '--url',
      `sqlite:${path('empty.db')}`,
      '--keys-file',
      fixture.keysFile,
      '--scopes-file',
      fixture.scopesFile,
    ]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/not migrated/);
  });

  it('stores only sealed values, so the raw rows never held the plaintext tokens', async () => {
    const fixture = await sealedDatabase();
    const raw = createSqliteStores({ filename: fixture.filename });
    try {
      const [scope] = fixture.scopes;
      const [task] = fixture.tasks.get(scope!)!;
      const [config] = await raw.pushNotificationStore.load(task!.id, defaultScopeContext(scope!));
      expect(config?.token?.startsWith(SEALED_PREFIX)).toBe(true);
    } finally {
      await raw.close();
    }
  });
});
