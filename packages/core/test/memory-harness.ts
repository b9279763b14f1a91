import type { StoreHarness } from '../src/conformance/index.js';
import type { Scope } from '../src/index.js';
import {
  BackedPushNotificationStore,
  BackedTaskStore,
  type CoreStoreOptions,
  resolveStoreOptions,
} from '../src/index.js';
import {
  MemoryPushConfigBackend,
  MemoryState,
  MemoryTaskBackend,
} from '../src/memory/memory-backend.js';

/**
 * The memory backend behind one shared `MemoryState`, like a database every test of the run
 * shares, with a probe that corrupts stored rows in place.
 */
export function sharedMemoryHarness(): StoreHarness {
  const state = new MemoryState();
  return {
    name: 'memory (shared state, raw probe)',
    create(options: CoreStoreOptions) {
      const resolved = resolveStoreOptions(options);
      return {
        taskStore: new BackedTaskStore(new MemoryTaskBackend(state), resolved),
        pushNotificationStore: new BackedPushNotificationStore(
          new MemoryPushConfigBackend(state),
          resolved,
        ),
      };
    },
    async destroy() {
      state.clear();
    },
    probe: {
      async corruptTask(scope: Scope, taskId: string) {
        const bucket = state.tasksOf(scope, false);
        const stored = bucket?.get(taskId);
        if (!bucket || !stored) throw new Error('probe: no such task');
        bucket.set(taskId, { ...stored, body: '{"id": truncated', artifacts: '[not json' });
      },
      async corruptPushConfig(scope: Scope, taskId: string, configId: string) {
        const entries = state.configsOf(scope, false)?.get(taskId);
        const index = entries?.findIndex((e) => e.id === configId) ?? -1;
        if (!entries || index === -1) throw new Error('probe: no such push config');
        entries[index] = { ...entries[index]!, json: '\u0000garbage' };
      },
      async readTaskRaw(scope: Scope, taskId: string) {
        const stored = state.tasksOf(scope, false)?.get(taskId);
        return stored && `${stored.body}\n${stored.artifacts}`;
      },
      async readPushConfigsRaw(scope: Scope, taskId: string) {
        return (state.configsOf(scope, false)?.get(taskId) ?? []).map((e) => e.json);
      },
    },
  };
}
