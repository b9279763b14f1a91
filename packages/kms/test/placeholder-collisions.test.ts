import { type Message, Task } from '@a2a-js/sdk';
import {
  canonicalTask,
  createMemoryStores,
  InvalidInputError,
  type StoreBundle,
} from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  listRequest,
  makePushConfig,
  makeTask,
  randomScope,
  textPart,
} from '@a2a-stores/core/conformance';
import { createSqliteStores } from '@a2a-stores/sqlite';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LocalAesKeyring,
  SEALED_MARKER,
  TASK_FIELDS,
  type TaskField,
  withEnvelopeEncryption,
} from '../src/index.js';
import { v2AllFields } from './support/v2-records.js';

// Issue #17 item 5: user content that looks exactly like a sealed placeholder (the marker id or
// key, even carrying a genuine sealed value of the same task) must round-trip as the user's data,
// whatever fields are sealed, and never be opened, refused or dropped from `list`.

const keyring = new LocalAesKeyring({ keys: { k: Buffer.alloc(32, 7) }, primary: 'k' });
const database = new Database(':memory:');
await createSqliteStores({ database }).migrate();
afterAll(() => database.close());

const inners: [string, () => StoreBundle][] = [
  ['memory', () => createMemoryStores({ pushUrlCheck: conformancePushUrlCheck() })],
  ['sqlite', () => createSqliteStores({ database }, { pushUrlCheck: conformancePushUrlCheck() })],
];

/** Every subset of the sealable task fields. */
const settings: TaskField[][] = Array.from({ length: 1 << TASK_FIELDS.length }, (_, bits) =>
  TASK_FIELDS.filter((_, i) => bits & (1 << i)),
);

/** The wire JSON text of a task as a store returns it: what "byte-exact" compares. */
function bytesOf(task: Task | undefined): string {
  expect(task).toBeDefined();
  return JSON.stringify(Task.toJSON(canonicalTask(task!)));
}

function message(id: string, text: string): Message {
  return { ...makeTask({ historyLength: 1 }).history[0]!, messageId: id, parts: [textPart(text)] };
}

/**
 * A task of id `id` whose history, artifacts, status message and metadata are exactly the
 * placeholders the wrapper stored for that same task (genuine sealed values included), and,
 * `mixed`, those placeholders among ordinary items and the reserved `~` ids.
 */
function mimic(placeholders: Task, mixed: boolean): Task {
  const base = makeTask({ id: placeholders.id, historyLength: 0 });
  const history = placeholders.history;
  const artifacts = placeholders.artifacts;
  const statusMessage = placeholders.status!.message!;
  const metadata = placeholders.metadata!;
  if (!mixed) {
    return {
      ...base,
      history,
      artifacts,
      status: { ...base.status!, message: statusMessage },
      metadata,
    };
  }
  const tilde = `${SEALED_MARKER}~`;
  return {
    ...base,
    history: [
      message('m-0', 'hello'),
      ...history,
      message(tilde, 'tilde'),
      message(`${tilde}~`, 'two'),
      message(`${SEALED_MARKER}x`, 'x'),
    ],
    artifacts: [
      ...artifacts,
      { ...artifacts[0]!, artifactId: tilde },
      { ...artifacts[0]!, artifactId: 'a-1' },
    ],
    status: { ...base.status!, message: { ...statusMessage, messageId: tilde } },
    metadata: { first: 1, ...metadata, [tilde]: { nested: true }, [`${tilde}~`]: 'two' },
  };
}

describe.each(inners)('user data that mimics a placeholder (%s)', (_name, create) => {
  it.each(settings.map((fields) => [fields.join(',') || 'none', fields] as const))(
    'round-trips byte-exact with taskFields [%s]',
    async (_label, fields) => {
      const inner = create();
      const ctx = callContext(randomScope());
      // The genuine placeholders of this very task: the record envelope written now (in
      // metadata), and the per-field placeholders of earlier releases, which still read.
      const donor = makeTask({ historyLength: 2, artifactCount: 1 });
      donor.status = { ...donor.status!, message: message('status-1', 'working') };
      donor.metadata = { source: 'donor' };
      const sealAll = withEnvelopeEncryption(inner, { keyring, taskFields: TASK_FIELDS });
      await sealAll.taskStore.save(donor, ctx);
      const sealedNow = (await inner.taskStore.load(donor.id, ctx))!;
      expect(Object.keys(sealedNow.metadata!)).toEqual([SEALED_MARKER]);
      expect(sealedNow.history).toEqual([]);
      const earlier = v2AllFields();
      expect(earlier.history.map((m) => m.messageId)).toEqual([SEALED_MARKER]);
      const placeholders = { ...earlier, id: donor.id, metadata: sealedNow.metadata };
      const stores = withEnvelopeEncryption(inner, { keyring, taskFields: fields });
      for (const mixed of [false, true]) {
        const user = mimic(placeholders, mixed);
        await stores.taskStore.save(user, ctx);
        expect(bytesOf(await stores.taskStore.load(user.id, ctx))).toBe(bytesOf(user));
        const versioned = await stores.taskStore.loadVersioned(user.id, ctx);
        expect(bytesOf(versioned?.task)).toBe(bytesOf(user));
        const page = await stores.taskStore.list(
          listRequest({ includeArtifacts: true, pageSize: 100 }),
          ctx,
        );
        expect(page.tasks.map((t) => t.id)).toEqual([user.id]);
        expect(bytesOf(page.tasks[0])).toBe(bytesOf(user));
        // The same bytes through a wrapper that seals none, and one that seals every field in
        // migration mode (strict mode rightly refuses the fields this write left in clear).
        const readers = [
          withEnvelopeEncryption(inner, { keyring }),
          withEnvelopeEncryption(inner, { keyring, taskFields: TASK_FIELDS, mode: 'migrate' }),
        ];
        for (const reader of readers) {
          expect(bytesOf(await reader.taskStore.load(user.id, ctx))).toBe(bytesOf(user));
        }
      }
    },
  );

  it('malformed fields still get core typed errors, whatever is sealed', async () => {
    const inner = create();
    const ctx = callContext(randomScope());
    const broken: Partial<Task>[] = [
      { history: 'x' as never },
      { history: [null as never] },
      { artifacts: [null as never] },
    ];
    for (const fields of [[], TASK_FIELDS]) {
      const stores = withEnvelopeEncryption(inner, { keyring, taskFields: fields });
      for (const change of broken) {
        const task = { ...makeTask(), ...change };
        const error = await stores.taskStore.save(task, ctx).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, JSON.stringify(change)).toBeInstanceOf(InvalidInputError);
        await expect(inner.taskStore.load(task.id, ctx)).resolves.toBeUndefined();
      }
    }
  });

  it('push secrets equal to a stored sealed value round-trip as given', async () => {
    const inner = create();
    const ctx = callContext(randomScope());
    const stores = withEnvelopeEncryption(inner, { keyring });
    const first = makePushConfig('t-1');
    await stores.pushNotificationStore.save('t-1', ctx, first);
    const [stored] = await inner.pushNotificationStore.load('t-1', ctx);
    const mimicking = {
      ...first,
      token: stored!.token,
      authentication: { scheme: 'Bearer', credentials: stored!.authentication!.credentials },
    };
    await stores.pushNotificationStore.save('t-1', ctx, mimicking);
    expect(await stores.pushNotificationStore.load('t-1', ctx)).toEqual([mimicking]);
  });

  it('ids near the marker written in clear by earlier releases read unchanged', async () => {
    const inner = create();
    const ctx = callContext(randomScope());
    const near = [
      `${SEALED_MARKER}x`,
      `${SEALED_MARKER}:1`,
      `x${SEALED_MARKER}`,
      'a2a-stores:seal',
    ];
    const task = makeTask({ historyLength: 0 });
    task.history = near.map((id) => message(id, id));
    task.metadata = Object.fromEntries(near.map((key) => [key, key]));
    await inner.taskStore.save(task, ctx);
    const stores = withEnvelopeEncryption(inner, { keyring, mode: 'migrate' });
    expect(bytesOf(await stores.taskStore.load(task.id, ctx))).toBe(bytesOf(task));
  });
});
