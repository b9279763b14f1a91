import { TaskState } from '@a2a-js/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandSequenceProperty } from '../src/conformance/helpers/command-sequences.js';
import { checkHostileScope } from '../src/conformance/helpers/property-checks.js';
import { propertyRunsFromEnv } from '../src/conformance/helpers/property-runs.js';
import { callContext, conformancePushUrlCheck, makeTask } from '../src/conformance/index.js';
import {
  BackedPushNotificationStore,
  BackedTaskStore,
  createMemoryStores,
  type EncodedTask,
  type ExpectedVersion,
  InvalidInputError,
  type PutOutcome,
  resolveStoreOptions,
  type Scope,
  ScopeResolutionError,
  type StaleWriteEvent,
} from '../src/index.js';
import {
  MemoryPushConfigBackend,
  MemoryState,
  MemoryTaskBackend,
} from '../src/memory/memory-backend.js';

/** A backend bug: the key joins tenant and owner with ':', so ('t', 'a:b') and ('t:a', 'b') meet. */
function joinedScope(scope: Scope): Scope {
  return { tenant: `${scope.tenant}:${scope.owner}`, owner: '' };
}

class JoinedScopeTaskBackend extends MemoryTaskBackend {
  override get(scope: Scope, id: string, withArtifacts: boolean) {
    return super.get(joinedScope(scope), id, withArtifacts);
  }
  override put(scope: Scope, task: EncodedTask, expected: ExpectedVersion, now: number) {
    return super.put(joinedScope(scope), task, expected, now);
  }
}

/** A backend bug: a stored terminal task is overwritten by any later save. */
class UnguardedTaskBackend extends MemoryTaskBackend {
  readonly #state: MemoryState;
  constructor(state: MemoryState) {
    super(state);
    this.#state = state;
  }
  override async put(
    scope: Scope,
    task: EncodedTask,
    expected: ExpectedVersion,
    now: number,
  ): Promise<PutOutcome> {
    const stored = this.#state.tasksOf(scope, false)?.get(task.id);
    if (expected !== undefined || !stored) return super.put(scope, task, expected, now);
    this.#state
      .tasksOf(scope, true)!
      .set(task.id, { ...task, version: stored.version + 1, updatedAt: now, segments: [] });
    return { status: 'written', version: stored.version + 1 };
  }
}

function storesOver(taskBackend: (state: MemoryState) => MemoryTaskBackend, hooks = {}) {
  const state = new MemoryState();
  const options = resolveStoreOptions({
    staleWrites: 'ignore',
    hooks,
    pushUrlCheck: conformancePushUrlCheck(),
  });
  return {
    taskStore: new BackedTaskStore(taskBackend(state), options),
    pushNotificationStore: new BackedPushNotificationStore(
      new MemoryPushConfigBackend(state),
      options,
    ),
  };
}

describe('the property group catches real bugs', () => {
  it('a key that joins tenant and owner with a separator leaks into a near scope', async () => {
    const stores = storesOver((state) => new JoinedScopeTaskBackend(state));
    await expect(checkHostileScope(stores, { tenant: 'acme', owner: 'a:b' })).rejects.toThrow(
      /leaked to/,
    );
    // The reference backend keeps the same scopes apart.
    await checkHostileScope(createMemoryStores({ pushUrlCheck: conformancePushUrlCheck() }), {
      tenant: 'acme',
      owner: 'a:b',
    });
  });

  it('a backend without the terminal-state guard disagrees with the model', async () => {
    const staleEvents: StaleWriteEvent[] = [];
    const stores = storesOver((state) => new UnguardedTaskBackend(state), {
      onStaleWrite: (event: StaleWriteEvent) => staleEvents.push(event),
    });
    await expect(
      fc.assert(commandSequenceProperty(stores, staleEvents, 25), { numRuns: 200, seed: 11 }),
    ).rejects.toThrow(/Property failed/);
  });
});

describe('inputs PostgreSQL text cannot hold are refused by core for every adapter', () => {
  const { taskStore } = createMemoryStores();

  it('a NUL in tenant or owner is a ScopeResolutionError', async () => {
    for (const scope of [
      { tenant: 'a\u0000b', owner: 'alice' },
      { tenant: 'acme', owner: 'al\u0000ice' },
    ]) {
      await expect(taskStore.load('task', callContext(scope))).rejects.toBeInstanceOf(
        ScopeResolutionError,
      );
    }
  });

  it('a context id with a NUL or a lone surrogate is an InvalidInputError, on save and as a filter', async () => {
    const ctx = callContext({ tenant: 'acme', owner: 'alice' });
    for (const contextId of ['ctx\u0000', 'ctx\ud800', '\udc00ctx']) {
      await expect(
        taskStore.save(makeTask({ contextId, state: TaskState.TASK_STATE_WORKING }), ctx),
      ).rejects.toBeInstanceOf(InvalidInputError);
      await expect(
        taskStore.list(
          { contextId, status: 0, pageToken: '', tenant: '', statusTimestampAfter: undefined },
          ctx,
        ),
      ).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});

describe('property run settings', () => {
  it('A2A_STORES_PROPERTY_RUNS raises every property and refuses nonsense', () => {
    expect(propertyRunsFromEnv({ A2A_STORES_PROPERTY_RUNS: '500' })).toMatchObject({
      roundTrip: 500,
      sequences: 500,
      hostile: 500,
    });
    expect(propertyRunsFromEnv({}).roundTrip).toBe(25);
    expect(() => propertyRunsFromEnv({ A2A_STORES_PROPERTY_RUNS: 'lots' })).toThrow(TypeError);
  });
});
