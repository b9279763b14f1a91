import type { ServerCallContext } from '@a2a-js/sdk/server';
import { StoreUnavailableError } from '@a2a-stores/core';
import { listRequest } from '@a2a-stores/core/conformance';
import type { LedgerStores } from './ack-ledger.js';
import { settleWithin } from './bounded.js';
import { loadPushConfig, loadTask } from './fixtures.js';

/** Upper bound for one store call while its server is down: only a hung promise exceeds it. */
export const OUTAGE_CALL_LIMIT_MS = 10_000;

/** How the calls made during one outage ended. */
export interface OutageProbe {
  readonly calls: number;
  /** Rejected with `StoreUnavailableError`, as they must. */
  readonly typed: number;
  /** Settled otherwise: resolved, or rejected with another error (named in `other`). */
  readonly other: readonly string[];
  /** Still pending after {@link OUTAGE_CALL_LIMIT_MS}. */
  readonly hung: number;
  /** Slowest settled call, in ms. */
  readonly maxMs: number;
}

/**
 * Makes every kind of store call at once while the server is down (reads, writes, compare-and-
 * set, list, delete, push configs) and reports how each ended within the bound.
 */
export async function probeOutage(
  stores: LedgerStores,
  context: ServerCallContext,
  existingTaskId: string,
): Promise<OutageProbe> {
  const { taskStore, pushNotificationStore } = stores;
  const calls: Record<string, () => Promise<unknown>> = {
    load: () => taskStore.load(existingTaskId, context),
    loadVersioned: () => taskStore.loadVersioned(existingTaskId, context),
    save: () => taskStore.save(loadTask('outage-save', {}), context),
    saveIfVersion: () => taskStore.saveIfVersion(loadTask('outage-cas', {}), context, null),
    list: () => taskStore.list(listRequest(), context),
    delete: () => taskStore.delete('outage-delete', context),
    pushSave: () =>
      pushNotificationStore.save(
        existingTaskId,
        context,
        loadPushConfig(existingTaskId, 'outage-config'),
      ),
    pushLoad: () => pushNotificationStore.load(existingTaskId, context),
    pushDelete: () => pushNotificationStore.delete(existingTaskId, context, 'outage-config'),
  };
  const outcomes = await Promise.all(
    Object.entries(calls).map(async ([name, call]) => ({
      name,
      outcome: await settleWithin(call(), OUTAGE_CALL_LIMIT_MS),
    })),
  );
  const other: string[] = [];
  let typed = 0;
  let hung = 0;
  let maxMs = 0;
  for (const { name, outcome } of outcomes) {
    if (outcome.status === 'hung') {
      hung++;
      continue;
    }
    maxMs = Math.max(maxMs, outcome.ms);
    if (outcome.status === 'rejected' && outcome.error instanceof StoreUnavailableError) typed++;
    else other.push(`${name}: ${describeOutcome(outcome)}`);
  }
  return { calls: outcomes.length, typed, other, hung, maxMs };
}

function describeOutcome(outcome: { status: string; error?: unknown }): string {
  if (outcome.status !== 'rejected') return outcome.status;
  const error = outcome.error as { name?: string; message?: string } | undefined;
  return `${error?.name ?? 'unknown'}: ${error?.message ?? String(error)}`;
}
