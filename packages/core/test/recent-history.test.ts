import type { Task } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import {
  keepLastMessages,
  RECENT_MAX_BYTES,
  RECENT_REACHES_ALL,
  recentChange,
  recentFrom,
} from '../src/append/recent-history.js';
import { BackedTaskStore } from '../src/backed-task-store.js';
import type {
  BackendListQuery,
  BackendListResult,
  EncodedTaskAppend,
  PutOutcome,
} from '../src/backend.js';
import { callContext, randomScope } from '../src/conformance/helpers/identity.js';
import { listRequest, makeMessage, makeTask, textPart } from '../src/conformance/helpers/tasks.js';
import { canonicalTask, resolveStoreOptions } from '../src/index.js';
import { MemoryState, MemoryTaskBackend } from '../src/memory/memory-backend.js';
import type { Scope } from '../src/scope.js';

/** The memory backend, keeping what each list returned and each append stored. */
class RecordingBackend extends MemoryTaskBackend {
  lists: BackendListResult[] = [];
  appends: EncodedTaskAppend[] = [];
  override async list(scope: Scope, query: BackendListQuery): Promise<BackendListResult> {
    const result = await super.list(scope, query);
    this.lists.push(result);
    return result;
  }
  override async append(
    scope: Scope,
    task: EncodedTaskAppend,
    expected: number,
    now: number,
  ): Promise<PutOutcome> {
    this.appends.push(task);
    return super.append(scope, task, expected, now);
  }
}

function openStore() {
  const backend = new RecordingBackend(new MemoryState());
  return { backend, store: new BackedTaskStore(backend, resolveStoreOptions({})) };
}

function said(task: Task, index: number, size = 1_000): Task['history'][number] {
  return makeMessage(task.id, task.contextId, index, [textPart(`${index} `.padEnd(size, 'y'))]);
}

/** A conversation of `count` messages of about 1 KB: about `count` KB in all. */
function conversation(count: number): Task {
  const task = makeTask({ historyLength: 0 });
  for (let i = 0; i < count; i++) task.history.push(said(task, i));
  return task;
}

describe('recentFrom', () => {
  it('holds the last messages that fit with the head, and says how far it reaches', () => {
    const head = '{"id":"t"}';
    const messages = ['"a"', '"b"', '"c"'];
    expect(recentFrom(head, messages, 3)).toEqual({
      text: '{"id":"t","history":["a","b","c"]}',
      reach: RECENT_REACHES_ALL,
    });
    // The same three, but the task has ten: they answer up to three.
    expect(recentFrom(head, messages, 10)?.reach).toBe(3);
    const big = `"${'x'.repeat(RECENT_MAX_BYTES)}"`;
    expect(recentFrom(head, [big, '"z"'], 2)).toEqual({
      text: '{"id":"t","history":["z"]}',
      reach: 1,
    });
    expect(recentFrom('{}', [], 0)).toEqual({ text: '{}', reach: RECENT_REACHES_ALL });
    expect(recentFrom('{}', ['"m"'], 1)?.text).toBe('{"history":["m"]}');
  });

  it('is none when the head alone is over budget', () => {
    expect(recentFrom(`{"m":"${'x'.repeat(RECENT_MAX_BYTES)}"}`, ['"a"'], 1)).toBeUndefined();
  });
});

describe('keepLastMessages and recentChange', () => {
  it('keep a suffix within budget, and write only what differs from the row', () => {
    const kb = `"${'k'.repeat(1_100)}"`;
    // Three of 1,103 bytes and one of 5 fit in 4 KiB, a fourth large one does not.
    expect(keepLastMessages([kb, kb, kb], [kb, '"new"'])).toEqual([kb, kb, kb, '"new"']);
    expect(keepLastMessages([kb, '"old"'], [])).toEqual([kb, '"old"']);
    expect(keepLastMessages([], [])).toEqual([]);
    const recent = { text: '{"a":1}', reach: 2 };
    expect(recentChange(recent, '{"a":1}')).toBeUndefined();
    expect(recentChange(recent, undefined)).toBe(recent);
    expect(recentChange(recent, null)).toBe(recent);
    expect(recentChange(undefined, null)).toBeUndefined();
    expect(recentChange(undefined, '{"a":1}')).toBeNull();
    expect(recentChange(undefined, undefined)).toBeNull();
  });
});

describe('list with a short history of a large task', () => {
  it('reads its recent form (a few KB), not its thousand messages', async () => {
    const { backend, store } = openStore();
    const ctx = callContext(randomScope());
    const task = conversation(1_000);
    await store.save(task, ctx);
    const page = await store.list(listRequest({ historyLength: 2 }), ctx);
    expect(page.tasks[0]).toEqual({ ...canonicalTask(task), history: task.history.slice(-2) });
    const row = backend.lists.at(-1)!.rows[0]!;
    expect(row.body).toBeUndefined();
    expect(typeof row.recent).toBe('string');
    expect(Buffer.byteLength(row.recent as string)).toBeLessThanOrEqual(RECENT_MAX_BYTES);
    // Beyond what the recent form holds, the list reads the task whole.
    const long = await store.list(listRequest({ historyLength: 100 }), ctx);
    expect(long.tasks[0]!.history).toEqual(canonicalTask(task).history.slice(-100));
    expect(backend.lists.at(-1)!.rows[0]!.recent).toBeUndefined();
    // So does a list that asks for the whole history.
    await store.list(listRequest({}), ctx);
    expect(backend.lists.at(-1)!.rows[0]!.recent).toBeUndefined();
  });

  it('appends rewrite the recent form only when the head or the history changed', async () => {
    const { backend, store } = openStore();
    const ctx = callContext(randomScope());
    const task = conversation(20);
    task.artifacts.push({
      artifactId: 'answer',
      name: '',
      description: '',
      parts: [],
      metadata: undefined,
      extensions: [],
    });
    await store.save(task, ctx);
    task.artifacts[0]!.parts.push(textPart('chunk'));
    await store.save(task, ctx);
    task.history.push(said(task, 20));
    await store.save(task, ctx);
    expect(backend.appends.map((a) => a.recent === undefined)).toEqual([true, false]);
    expect(backend.appends[1]!.recent!.reach).toBe(3);
    const page = await store.list(listRequest({ historyLength: 3, includeArtifacts: true }), ctx);
    expect(page.tasks[0]).toEqual({ ...canonicalTask(task), history: task.history.slice(-3) });
    expect(backend.lists.at(-1)!.rows[0]!.recent).toBeDefined();
  });
});
