import { randomUUID } from 'node:crypto';
import type { ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import { resolveScope, type Scope } from '@a2a-stores/core';
import { expect } from 'vitest';
import type { HarnessStores } from '../harness.js';
import { isValidId } from './arbitraries.js';
import { expectSameTask } from './assertions.js';
import {
  forgeToken,
  nearScopes,
  type Outcome,
  refusedOrDone,
  type TokenRecipe,
} from './hostile-input.js';
import { callContext, randomScope } from './identity.js';
import { scopedTaskStore } from './lifecycle.js';
import { expectedListOrder, isoAt, listRequest, makePushConfig, makeTask } from './tasks.js';

/** Short, printable form of a hostile string for failure messages. */
function show(value: string): string {
  return value.length > 40
    ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} units)`
    : JSON.stringify(value);
}

/** `accepted`: the call must succeed; otherwise it must have been refused. */
function expectAccepted(what: string, outcome: Outcome<unknown>, accepted: boolean): void {
  if (accepted && !outcome.ok) {
    expect.fail(
      `${what} should succeed, but was refused: ${String((outcome.error as Error).message)}`,
    );
  }
  if (!accepted && outcome.ok) expect.fail(`${what} should be refused with an input error`);
}

/** True when core's scope rules accept `scope` (the rules every adapter's stores apply). */
function acceptsScope(scope: Scope): boolean {
  try {
    resolveScope(() => scope, callContext(scope));
    return true;
  } catch {
    return false;
  }
}

/** A task and a push config in a scope of their own, to prove later that nothing touched them. */
export interface Sentinel {
  expectUnchanged(): Promise<void>;
}

export async function saveSentinel(stores: HarnessStores): Promise<Sentinel> {
  const tasks = scopedTaskStore(stores.taskStore);
  const ctx = callContext(randomScope());
  const task = makeTask({ artifactCount: 1, metadata: { sentinel: true } });
  await tasks.save(task, ctx);
  const config = makePushConfig(task.id);
  await stores.pushNotificationStore.save(task.id, ctx, config);
  const version = (await tasks.loadVersioned(task.id, ctx))!.version;
  return {
    async expectUnchanged() {
      const loaded = await tasks.loadVersioned(task.id, ctx);
      expectSameTask(loaded?.task, task);
      expect(loaded!.version, 'sentinel version').toBe(version);
      expect(await stores.pushNotificationStore.load(task.id, ctx)).toEqual([config]);
      expect((await tasks.list(listRequest(), ctx)).totalSize, 'sentinel scope size').toBe(1);
    },
  };
}

/**
 * One hostile string used as a task id, a push config id and a context id (with a `near` context
 * beside it) in a fresh scope: valid ids round-trip, invalid ones are refused with an input error,
 * the context filter matches exactly, and the scope's canary task is untouched.
 */
export async function checkHostileId(
  stores: HarnessStores,
  value: string,
  near: string,
): Promise<void> {
  const tasks = scopedTaskStore(stores.taskStore);
  const push = stores.pushNotificationStore;
  const ctx = callContext(randomScope());
  const stored = new Map<string, Task>();
  const canary = makeTask({ id: `canary-${randomUUID()}`, contextId: 'canary-context' });
  await tasks.save(canary, ctx);
  stored.set(canary.id, canary);
  const canaryVersion = (await tasks.loadVersioned(canary.id, ctx))!.version;
  const idOk = isValidId(value);

  const task = makeTask({ id: value, contextId: 'ctx' });
  const saved = await refusedOrDone(`save(id ${show(value)})`, () => tasks.save(task, ctx));
  expectAccepted(`save(id ${show(value)})`, saved, idOk);
  if (saved.ok) stored.set(value, task);
  const loaded = await refusedOrDone(`load(${show(value)})`, () => tasks.load(value, ctx));
  expectAccepted(`load(${show(value)})`, loaded, idOk);
  if (loaded.ok && saved.ok) expectSameTask(loaded.value, task);
  if (loaded.ok && !saved.ok) expect(loaded.value).toBeUndefined();

  const config = makePushConfig(value, { id: value });
  const pushed = await refusedOrDone(`push.save(${show(value)})`, () =>
    push.save(value, ctx, config),
  );
  expectAccepted(`push.save(${show(value)})`, pushed, idOk);
  const configs = await refusedOrDone(`push.load(${show(value)})`, () => push.load(value, ctx));
  expectAccepted(`push.load(${show(value)})`, configs, idOk);
  if (configs.ok) expect(configs.value).toEqual(pushed.ok ? [config] : []);

  for (const contextId of [value, near]) {
    const inContext = makeTask({ contextId });
    const what = `save(contextId ${show(contextId)})`;
    const outcome = await refusedOrDone(what, () => tasks.save(inContext, ctx));
    expectAccepted(what, outcome, contextId === '' || isValidId(contextId));
    if (outcome.ok) stored.set(inContext.id, inContext);
  }
  const what = `list(contextId ${show(value)})`;
  const filtered = await refusedOrDone(what, () =>
    tasks.list(listRequest({ contextId: value, pageSize: 100 }), ctx),
  );
  expectAccepted(what, filtered, value === '' || idOk);
  if (filtered.ok) {
    const matching = [...stored.values()].filter((t) => value === '' || t.contextId === value);
    expect(
      filtered.value.tasks.map((t) => t.id),
      what,
    ).toEqual(expectedListOrder(matching));
  }

  const unpushed = await refusedOrDone(`push.delete(${show(value)})`, () =>
    push.delete(value, ctx, value),
  );
  expectAccepted(`push.delete(${show(value)})`, unpushed, idOk);
  const deleted = await refusedOrDone(`delete(${show(value)})`, () => tasks.delete(value, ctx));
  expectAccepted(`delete(${show(value)})`, deleted, idOk);
  if (deleted.ok) expect(deleted.value).toBe(saved.ok);
  stored.delete(value);

  const canaryNow = await tasks.loadVersioned(canary.id, ctx);
  expectSameTask(canaryNow?.task, canary);
  expect(canaryNow!.version, 'canary version').toBe(canaryVersion);
  const all = await tasks.list(listRequest({ pageSize: 100 }), ctx);
  expect(all.tasks.map((t) => t.id)).toEqual(expectedListOrder([...stored.values()]));
}

/**
 * A task and a push config saved under a hostile scope, then every near scope probed: none sees
 * them, each can hold its own task of the same id, and the original stays as it was. A scope core
 * refuses must be refused with an input error, by every call.
 */
export async function checkHostileScope(stores: HarnessStores, scope: Scope): Promise<void> {
  const tasks = scopedTaskStore(stores.taskStore);
  const push = stores.pushNotificationStore;
  const taskId = 'near-scope-probe';
  const ctx = callContext(scope);
  const where = `scope ${show(scope.tenant)} / ${show(scope.owner)}`;
  const task = makeTask({ id: taskId, metadata: { scope: 'original' } });
  const saved = await refusedOrDone(`save in ${where}`, () => tasks.save(task, ctx));
  expectAccepted(`save in ${where}`, saved, acceptsScope(scope));
  if (!saved.ok) {
    expectAccepted(
      `load in ${where}`,
      await refusedOrDone('load', () => tasks.load(taskId, ctx)),
      false,
    );
    expectAccepted(
      `list in ${where}`,
      await refusedOrDone('list', () => tasks.list(listRequest(), ctx)),
      false,
    );
    return;
  }
  const config = makePushConfig(taskId);
  await push.save(taskId, ctx, config);
  const before = await tasks.loadVersioned(taskId, ctx);
  expectSameTask(before?.task, task);

  for (const { label, scope: other } of nearScopes(scope)) {
    const near = callContext(other);
    const accepted = acceptsScope(other);
    const at = `${label} of ${where}`;
    const seen = await refusedOrDone(`load in ${at}`, () => tasks.load(taskId, near));
    expectAccepted(`load in ${at}`, seen, accepted);
    if (seen.ok) expect(seen.value, `task leaked to ${at}`).toBeUndefined();
    const listed = await refusedOrDone(`list in ${at}`, () => tasks.list(listRequest(), near));
    if (listed.ok) expect(listed.value.totalSize, `tasks leaked to ${at}`).toBe(0);
    const configs = await refusedOrDone(`push.load in ${at}`, () => push.load(taskId, near));
    if (configs.ok) expect(configs.value, `push configs leaked to ${at}`).toEqual([]);
    const own = makeTask({ id: taskId, metadata: { scope: label } });
    const written = await refusedOrDone(`save in ${at}`, () => tasks.save(own, near));
    expectAccepted(`save in ${at}`, written, accepted);
    if (written.ok) expectSameTask(await tasks.load(taskId, near), own);
  }

  const after = await tasks.loadVersioned(taskId, ctx);
  expectSameTask(after?.task, task);
  expect(after!.version, `version in ${where}`).toBe(before!.version);
  expect(await push.load(taskId, ctx)).toEqual([config]);
  expect((await tasks.list(listRequest(), ctx)).totalSize).toBe(1);
}

/** A scope with three tasks, a genuine page-two token, and a token of another scope. */
export interface PagingFixture {
  readonly context: ServerCallContext;
  readonly firstPage: ListTasksResponse;
  readonly realToken: string;
  readonly secondPage: ListTasksResponse;
  /** A page-two token minted for another scope holding the same ids and timestamps. */
  readonly foreignToken: string;
  expectUnchanged(): Promise<void>;
}

export async function pagingFixture(store: TaskStore): Promise<PagingFixture> {
  const context = callContext(randomScope());
  const foreign = callContext(randomScope());
  const ids = ['page-a', 'page-b', 'page-c'];
  for (const ctx of [context, foreign]) {
    for (const [i, id] of ids.entries())
      await store.save(makeTask({ id, timestamp: isoAt(10 - i) }), ctx);
  }
  const firstPage = await store.list(listRequest({ pageSize: 1 }), context);
  const realToken = firstPage.nextPageToken;
  const secondPage = await store.list(listRequest({ pageSize: 1, pageToken: realToken }), context);
  const foreignToken = (await store.list(listRequest({ pageSize: 1 }), foreign)).nextPageToken;
  expect(realToken).not.toBe('');
  const snapshot = await store.list(listRequest({ includeArtifacts: true }), context);
  return {
    context,
    firstPage,
    realToken,
    secondPage,
    foreignToken,
    async expectUnchanged() {
      expect(await store.list(listRequest({ includeArtifacts: true }), context)).toEqual(snapshot);
    },
  };
}

function decodedCursor(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A forged token is refused with an input error. Only a token that still decodes to the genuine
 * cursor (base64 ignores some trailing bits) may be accepted, and then it must give the genuine
 * page; an empty token is the first page.
 */
export async function checkPageToken(
  store: TaskStore,
  fixture: PagingFixture,
  recipe: TokenRecipe,
): Promise<void> {
  const token = forgeToken(recipe, fixture.realToken, fixture.foreignToken);
  const what = `list with page token ${show(token)}`;
  const outcome = await refusedOrDone(what, () =>
    store.list(listRequest({ pageSize: 1, pageToken: token }), fixture.context),
  );
  if (token === '') {
    expectAccepted(what, outcome, true);
    expect(outcome.ok && outcome.value).toEqual(fixture.firstPage);
    return;
  }
  if (token === fixture.realToken) expectAccepted(what, outcome, true);
  if (!outcome.ok) return;
  expect(
    recipe.kind !== 'foreign' && /^[A-Za-z0-9_-]+$/.test(token),
    `${what} should be refused`,
  ).toBe(true);
  expect(decodedCursor(token), `${what} was accepted`).toEqual(decodedCursor(fixture.realToken));
  expect(outcome.value).toEqual(fixture.secondPage);
}
