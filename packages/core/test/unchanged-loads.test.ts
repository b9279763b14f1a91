import type { Task } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import { BackedTaskStore } from '../src/backed-task-store.js';
import type { KnownTaskVersion, TaskRow } from '../src/backend.js';
import { callContext, randomScope } from '../src/conformance/helpers/identity.js';
import {
  dataPart,
  makeMessage,
  makeTask,
  rawPart,
  textPart,
} from '../src/conformance/helpers/tasks.js';
import { canonicalTask, resolveStoreOptions } from '../src/index.js';
import { MemoryState, MemoryTaskBackend } from '../src/memory/memory-backend.js';
import type { Scope } from '../src/scope.js';

/** The memory backend, counting how each `get` was answered. */
class CountingBackend extends MemoryTaskBackend {
  unchanged = 0;
  whole = 0;
  override async get(
    scope: Scope,
    id: string,
    includeArtifacts: boolean,
    known?: KnownTaskVersion,
  ): Promise<TaskRow | undefined> {
    const row = await super.get(scope, id, includeArtifacts, known);
    if (row?.unchanged) this.unchanged += 1;
    else if (row) this.whole += 1;
    return row;
  }
}

function openStore(state = new MemoryState()) {
  const backend = new CountingBackend(state);
  return { backend, state, store: new BackedTaskStore(backend, resolveStoreOptions({})) };
}

function chunk(index: number): string {
  return `chunk ${index} `.padEnd(1000, 'x');
}

function largeTask(): Task {
  const task = makeTask({ historyLength: 3, artifactCount: 2 });
  task.metadata = { nested: { value: 1 } };
  for (let i = 0; i < 12; i++) task.artifacts[0]!.parts.push(textPart(chunk(i)));
  task.artifacts[1]!.parts.push(dataPart({ rows: [{ n: 1 }] }), rawPart(new Uint8Array([1, 2])));
  return task;
}

describe('loads of a large task this store holds', () => {
  it('skip the read when nothing wrote the task since, and return what a read would', async () => {
    const { backend, store } = openStore();
    const ctx = callContext(randomScope());
    const task = largeTask();
    await store.save(task, ctx);
    for (let i = 0; i < 40; i++) {
      const loaded = (await store.load(task.id, ctx))!;
      expect(loaded).toEqual(canonicalTask(task));
      loaded.artifacts[0]!.parts.push(textPart(chunk(100 + i)));
      if (i % 5 === 0) {
        loaded.history.push(makeMessage(task.id, task.contextId, 50 + i, [textPart('turn')]));
      }
      loaded.metadata = { nested: { value: i } };
      await store.save(loaded, ctx);
      task.artifacts = loaded.artifacts;
      task.history = loaded.history;
      task.metadata = loaded.metadata;
    }
    // Every load after the first save was answered from what the store held.
    expect(backend.unchanged).toBe(40);
    expect(backend.whole).toBe(0);
  });

  it('read the row whole when another store wrote it, and never hand out shared nodes', async () => {
    const state = new MemoryState();
    const a = openStore(state);
    const b = openStore(state);
    const ctx = callContext(randomScope());
    const task = largeTask();
    await a.store.save(task, ctx);
    const fromB = (await b.store.load(task.id, ctx))!;
    fromB.artifacts[0]!.parts.push(textPart('from b'));
    await b.store.save(fromB, ctx);
    expect(await a.store.load(task.id, ctx)).toEqual(canonicalTask(fromB));
    expect(a.backend.unchanged).toBe(0);
    // Now `a` holds b's version (it just read it): its next load skips the read.
    const first = (await a.store.load(task.id, ctx))!;
    expect(a.backend.unchanged).toBe(1);
    (first.metadata!.nested as { value: number }).value = 42;
    const data = first.artifacts[1]!.parts.find((p) => p.content?.$case === 'data')!;
    (data.content as { value: { rows: { n: number }[] } }).value.rows[0]!.n = 42;
    first.artifacts[0]!.parts.length = 0;
    expect(await a.store.load(task.id, ctx)).toEqual(canonicalTask(fromB));
    expect(a.backend.unchanged).toBe(2);
  });
});
