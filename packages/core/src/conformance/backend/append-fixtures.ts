import { TaskState } from '@a2a-js/sdk';
import type {
  BackendListQuery,
  EncodedTask,
  EncodedTaskAppend,
  Scope,
  TaskBackend,
} from '@a2a-stores/core';
import { expect } from 'vitest';

/**
 * Fixtures for checks that drive a `TaskBackend` directly (no store, no codec around it): the
 * shared append checks and the engine-specific segment tests of each adapter build on them, so
 * every adapter's tests speak of the same rows.
 */

/** The lineage `encodedTask` and `encodedAppend` use unless told otherwise. */
export const FIXTURE_LINEAGE = 'lineage-1';

/** A task as core encodes it; backends never look inside body or artifacts. */
export function encodedTask(
  id: string,
  overrides: Partial<Omit<EncodedTask, 'id' | 'bytes'>> = {},
): EncodedTask {
  const body = overrides.body ?? JSON.stringify({ id, head: 'base' });
  const artifacts = overrides.artifacts ?? '[]';
  return {
    id,
    contextId: overrides.contextId ?? 'ctx-1',
    state: overrides.state ?? TaskState.TASK_STATE_WORKING,
    sortKey: overrides.sortKey ?? 1000,
    body,
    artifacts,
    // What core would store as the size: the backend keeps it as given.
    bytes: Buffer.byteLength(body) + Buffer.byteLength(artifacts),
    lineage: overrides.lineage ?? FIXTURE_LINEAGE,
  };
}

/** An append of segment `n` (body `{"n":n}`, artifacts `[n]` unless given) to task `id`. */
export function encodedAppend(
  id: string,
  n: number,
  overrides: Partial<Omit<EncodedTaskAppend, 'id' | 'segment'>> & { artifacts?: string } = {},
): EncodedTaskAppend {
  return {
    id,
    contextId: overrides.contextId ?? 'ctx-1',
    state: overrides.state ?? TaskState.TASK_STATE_WORKING,
    sortKey: overrides.sortKey ?? 1000 + n,
    segment: { body: JSON.stringify({ n }), artifacts: overrides.artifacts ?? `[${n}]` },
    bytes: overrides.bytes ?? 100 + n,
    lineage: overrides.lineage ?? FIXTURE_LINEAGE,
  };
}

/** A backend list query: every task of the scope, with artifacts, unless overridden. */
export function backendListQuery(overrides: Partial<BackendListQuery> = {}): BackendListQuery {
  return {
    contextId: '',
    state: 0,
    after: null,
    cursor: null,
    limit: 50,
    includeArtifacts: true,
    ...overrides,
  };
}

/** A backend that takes appends (`append` is optional on the contract). */
export type AppendingTaskBackend = TaskBackend & Required<Pick<TaskBackend, 'append'>>;

/**
 * Writes `encodedTask(id)` and appends segments 1..`count` to it, checking that each write is
 * written at the next version; resolves the last version.
 */
export async function putWithAppends(
  backend: AppendingTaskBackend,
  scope: Scope,
  id: string,
  count: number,
): Promise<number> {
  expect(await backend.put(scope, encodedTask(id), null, 1)).toEqual({
    status: 'written',
    version: 1,
  });
  for (let n = 1; n <= count; n++) {
    expect(await backend.append(scope, encodedAppend(id, n), n, 1 + n)).toEqual({
      status: 'written',
      version: n + 1,
    });
  }
  return count + 1;
}
