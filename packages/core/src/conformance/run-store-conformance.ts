import { afterAll, describe } from 'vitest';
import { runAnonymousPolicyGroup } from './groups/anonymous-policy.js';
import { runAppendsGroup } from './groups/appends.js';
import { runCopiesGroup } from './groups/copies.js';
import { runCorruptRecordsGroup } from './groups/corrupt-records.js';
import { runDeleteGroup } from './groups/delete.js';
import { runInputLimitsGroup } from './groups/input-limits.js';
import { runListOrderGroup } from './groups/list-order.js';
import { runListPagingGroup } from './groups/list-paging.js';
import { runListShapingGroup } from './groups/list-shaping.js';
import { runPropertyGroup } from './groups/properties.js';
import { runPurgeGroup } from './groups/purge.js';
import { runPushConfigGroup } from './groups/push-configs.js';
import { runPushUrlSafetyGroup } from './groups/push-url-safety.js';
import { runRoundTripGroup } from './groups/round-trip.js';
import { runScopeIsolationGroup } from './groups/scope-isolation.js';
import { runShortHistoryGroup } from './groups/short-history.js';
import { runStaleWritesGroup } from './groups/stale-writes.js';
import { runVersionedGroup } from './groups/versioned.js';
import type { StoreHarness } from './harness.js';
import type { GroupOptions } from './helpers/lifecycle.js';

/** A conformance group: registers its `describe` block for `harness`. */
export type ConformanceGroup = (harness: StoreHarness, options?: GroupOptions) => void;

/**
 * Every group by name, in the order the umbrella runs them. Groups that only touch the SDK's
 * `TaskStore` / `PushNotificationStore` methods are usable against any SDK store; the others
 * skip (with the reason) what the harness declares unsupported.
 */
export const conformanceGroups = {
  roundTrip: runRoundTripGroup,
  copies: runCopiesGroup,
  scopeIsolation: runScopeIsolationGroup,
  anonymousPolicy: runAnonymousPolicyGroup,
  listOrder: runListOrderGroup,
  listPaging: runListPagingGroup,
  listShaping: runListShapingGroup,
  versioned: runVersionedGroup,
  appends: runAppendsGroup,
  shortHistory: runShortHistoryGroup,
  staleWrites: runStaleWritesGroup,
  delete: runDeleteGroup,
  purge: runPurgeGroup,
  pushConfigs: runPushConfigGroup,
  pushUrlSafety: runPushUrlSafetyGroup,
  inputLimits: runInputLimitsGroup,
  corruptRecords: runCorruptRecordsGroup,
  properties: runPropertyGroup,
} as const satisfies Record<string, ConformanceGroup>;

/** Name of a conformance group. */
export type ConformanceGroupName = keyof typeof conformanceGroups;

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions {
  /** Run only these groups (default: all). Handy while iterating on one area. */
  readonly groups?: readonly ConformanceGroupName[];
}

/**
 * Registers the whole conformance suite for `harness` in the calling vitest file, inside one
 * `describe` named after the harness. `harness.destroy()` runs once after every group.
 *
 * @example
 * ```ts
 * import { createMemoryStores } from '@a2a-stores/core';
 * import { runStoreConformance } from '@a2a-stores/core/conformance';
 * runStoreConformance({ name: 'memory', create: (options) => createMemoryStores(options) });
 * ```
 */
export function runStoreConformance(
  harness: StoreHarness,
  options: StoreConformanceOptions = {},
): void {
  const selected = options.groups ?? (Object.keys(conformanceGroups) as ConformanceGroupName[]);
  for (const name of selected) {
    if (!(name in conformanceGroups))
      throw new TypeError(`Unknown conformance group ${JSON.stringify(name)}`);
  }
  describe(`a2a-stores conformance: ${harness.name}`, () => {
    for (const name of selected) conformanceGroups[name](harness, { destroy: false });
    afterAll(async () => {
      await harness.destroy?.();
    });
  });
}
