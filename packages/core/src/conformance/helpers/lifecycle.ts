import type { PushNotificationStore, TaskStore } from '@a2a-js/sdk/server';
import type {
  CoreStoreOptions,
  CorruptRecordEvent,
  ScopedPushNotificationStore,
  ScopedTaskStore,
  StaleWriteEvent,
} from '@a2a-stores/core';
import { afterAll, afterEach, it } from 'vitest';
import type { Capability, HarnessStores, RawProbe, StoreHarness } from '../harness.js';
import { conformancePushUrlCheck } from './push-url.js';

/** How a group is run. */
export interface GroupOptions {
  /**
   * Call `harness.destroy()` once after the group's tests. Default true, for a group run on its
   * own; `runStoreConformance` passes false and destroys once after every group.
   */
  readonly destroy?: boolean;
}

/** A probe method a test needs. */
export type ProbeNeed = `probe.${keyof RawProbe}`;

/** What a test needs from the harness: capabilities it must not lack, probes it must have. */
export type Requirement = Capability | ProbeNeed;

/** The per-group view of a harness: stores opened by a test are closed after it. */
export interface ConformanceEnv {
  readonly harness: StoreHarness;
  /**
   * Stores for this test, built with `options` (plus the suite's push URL check, see
   * {@link conformancePushUrlCheck}, unless `options` has one); closed after the test.
   */
  open(options?: CoreStoreOptions): Promise<HarnessStores>;
  /** The harness probe; only call it in tests that declared the probe requirement. */
  readonly probe: RawProbe;
}

/**
 * Registers the lifecycle hooks of one group (inside its `describe`) and returns the
 * environment its tests use.
 */
export function useHarness(harness: StoreHarness, options: GroupOptions = {}): ConformanceEnv {
  const opened: HarnessStores[] = [];
  const pushUrlCheck = conformancePushUrlCheck();
  afterEach(async () => {
    const closing = opened.splice(0);
    for (const stores of closing) await stores.close?.();
  });
  if (options.destroy ?? true) {
    afterAll(async () => {
      await harness.destroy?.();
    });
  }
  return {
    harness,
    async open(storeOptions: CoreStoreOptions = {}) {
      const stores = await harness.create({ pushUrlCheck, ...storeOptions });
      opened.push(stores);
      return stores;
    },
    get probe(): RawProbe {
      if (!harness.probe) throw new Error(`harness ${harness.name} has no probe`);
      return harness.probe;
    },
  };
}

/** Why a test cannot run on this harness, or undefined when it can. */
export function skipReason(
  harness: StoreHarness,
  needs: readonly Requirement[],
): string | undefined {
  const reasons: string[] = [];
  for (const need of needs) {
    if (need.startsWith('probe.')) {
      const method = need.slice('probe.'.length) as keyof RawProbe;
      if (typeof harness.probe?.[method] !== 'function') {
        reasons.push(`harness has no raw probe ${method}()`);
      }
      continue;
    }
    const reason = harness.unsupported?.[need as Capability];
    if (reason !== undefined) reasons.push(`${need} unsupported: ${reason}`);
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/**
 * Declares one conformance test. When the harness lacks something the test needs, the test is
 * skipped and its title says why (`[skipped: <reason>]`), so skips show up in every reporter.
 */
export function conformanceTest(
  harness: StoreHarness,
  needs: readonly Requirement[],
  title: string,
  fn: () => Promise<void>,
  timeoutMs?: number,
): void {
  const reason = skipReason(harness, needs);
  if (reason !== undefined) {
    it.skip(`${title} [skipped: ${reason}]`, fn);
  } else {
    it(title, fn, timeoutMs);
  }
}

function missing(what: string, method: string): never {
  throw new Error(
    `${what} has no ${method}(); declare the capability it belongs to in harness.unsupported`,
  );
}

/** The task store with the extended contract (`delete`, `loadVersioned`, ...), checked. */
export function scopedTaskStore(store: TaskStore): ScopedTaskStore {
  const candidate = store as Partial<ScopedTaskStore>;
  for (const method of ['delete', 'loadVersioned', 'saveIfVersion', 'purge'] as const) {
    if (typeof candidate[method] !== 'function') missing('taskStore', method);
  }
  return store as ScopedTaskStore;
}

/** The push store with `loadWithMetadata` and `deleteAll`, checked. */
export function scopedPushStore(store: PushNotificationStore): ScopedPushNotificationStore {
  const candidate = store as Partial<ScopedPushNotificationStore>;
  for (const method of ['loadWithMetadata', 'deleteAll'] as const) {
    if (typeof candidate[method] !== 'function') missing('pushNotificationStore', method);
  }
  return store as ScopedPushNotificationStore;
}

/** `loadWithMetadata` alone (an SDK-level method, optional in the SDK's interface), checked. */
export function loadWithMetadata(store: PushNotificationStore) {
  if (typeof store.loadWithMetadata !== 'function')
    missing('pushNotificationStore', 'loadWithMetadata');
  return store.loadWithMetadata.bind(store);
}

/** The events a test's hooks received, for assertions. */
export interface RecordedHooks {
  readonly staleWrites: StaleWriteEvent[];
  readonly corruptRecords: CorruptRecordEvent[];
  readonly hooks: NonNullable<CoreStoreOptions['hooks']>;
}

/** Hooks that record every event, to pass in `open({ hooks })`. */
export function recordHooks(): RecordedHooks {
  const staleWrites: RecordedHooks['staleWrites'] = [];
  const corruptRecords: RecordedHooks['corruptRecords'] = [];
  return {
    staleWrites,
    corruptRecords,
    hooks: {
      onStaleWrite: (event) => staleWrites.push(event),
      onCorruptRecord: (event) => corruptRecords.push(event),
    },
  };
}

/** A logger that keeps the warnings instead of printing them (the suite's output stays clean). */
export function silentLogger(): { warn(message: string): void; readonly messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (message: string) => void messages.push(message) };
}
