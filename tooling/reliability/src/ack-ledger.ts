import type { ServerCallContext } from '@a2a-js/sdk/server';
import type { ScopedPushNotificationStore, ScopedTaskStore } from '@a2a-stores/core';

/**
 * One acknowledged write: the store's promise resolved. `task` is a plain `save` whose task
 * carries `metadata.n` (each writer's updates of a task count up); `cas` a `saveIfVersion` that
 * returned `version` for a counter task carrying `metadata.counter`; `push` a push config save.
 */
export type Ack =
  | { readonly kind: 'task'; readonly taskId: string; readonly n: number }
  | {
      readonly kind: 'cas';
      readonly taskId: string;
      readonly version: number;
      readonly counter: number;
    }
  | { readonly kind: 'push'; readonly taskId: string; readonly configId: string };

export type AckKind = Ack['kind'];

/** What a check of the ledger against the store found. */
export interface LedgerCheck {
  readonly acknowledged: number;
  /** Acknowledged writes whose effect is stored: the same value, or a later one. */
  readonly found: number;
  readonly lost: number;
  readonly byKind: Record<AckKind, { acknowledged: number; found: number }>;
  /** Counter tasks whose `counter` is not `version - 1`: an increment applied twice or lost. */
  readonly inconsistentCounters: readonly string[];
  /** A few lost writes, to make a failure readable. */
  readonly lostExamples: readonly string[];
}

export interface LedgerStores {
  readonly taskStore: ScopedTaskStore;
  readonly pushNotificationStore: ScopedPushNotificationStore;
}

const CHECK_CONCURRENCY = 8;

function metadataNumber(metadata: unknown, key: string): number {
  const value = (metadata as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'number' ? value : -1;
}

/** Runs `work` over `items`, a few at a time, so a check does not flood a pool. */
async function forEachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += CHECK_CONCURRENCY) {
    await Promise.all(items.slice(i, i + CHECK_CONCURRENCY).map(work));
  }
}

/**
 * Every write a writer acknowledged, and the check that each one is still in the store. A write
 * that failed is never recorded: it may or may not have landed, and either is correct.
 */
export class AckLedger {
  readonly #tasks = new Map<string, number[]>();
  readonly #counters = new Map<string, { version: number; counter: number }[]>();
  readonly #configs = new Map<string, string[]>();
  #size = 0;

  get acknowledged(): number {
    return this.#size;
  }

  record(ack: Ack): void {
    this.#size++;
    if (ack.kind === 'task') push(this.#tasks, ack.taskId, ack.n);
    else if (ack.kind === 'cas') push(this.#counters, ack.taskId, ack);
    else push(this.#configs, ack.taskId, ack.configId);
  }

  /** Reads back every acknowledged write through the public API. */
  async check(stores: LedgerStores, context: ServerCallContext): Promise<LedgerCheck> {
    const byKind = {
      task: { acknowledged: 0, found: 0 },
      cas: { acknowledged: 0, found: 0 },
      push: { acknowledged: 0, found: 0 },
    };
    const lostExamples: string[] = [];
    const inconsistentCounters: string[] = [];
    // Snapshot first: writers may keep acknowledging while the check reads, and an ack newer
    // than the value the check loaded must not count as lost.
    const tasks = snapshot(this.#tasks);
    const counters = snapshot(this.#counters);
    const configs = snapshot(this.#configs);
    const lose = (what: string) => {
      if (lostExamples.length < 10) lostExamples.push(what);
    };

    await forEachLimited(tasks, async ([taskId, acked]) => {
      const stored = metadataNumber((await stores.taskStore.load(taskId, context))?.metadata, 'n');
      byKind.task.acknowledged += acked.length;
      for (const n of acked) {
        if (stored >= n) byKind.task.found++;
        else lose(`task ${taskId} n=${n} (stored n=${stored})`);
      }
    });
    await forEachLimited(counters, async ([taskId, acked]) => {
      const stored = await stores.taskStore.loadVersioned(taskId, context);
      const version = stored?.version ?? -1;
      const counter = metadataNumber(stored?.task.metadata, 'counter');
      if (counter !== version - 1) inconsistentCounters.push(`${taskId}: v${version} c${counter}`);
      byKind.cas.acknowledged += acked.length;
      for (const ack of acked) {
        if (version >= ack.version && counter >= ack.counter) byKind.cas.found++;
        else lose(`counter ${taskId} v${ack.version} (stored v${version})`);
      }
    });
    await forEachLimited(configs, async ([taskId, acked]) => {
      const configs = await stores.pushNotificationStore.load(taskId, context);
      const ids = new Set(configs.map((config) => config.id));
      byKind.push.acknowledged += acked.length;
      for (const configId of acked) {
        if (ids.has(configId)) byKind.push.found++;
        else lose(`push config ${configId} of ${taskId}`);
      }
    });

    const acknowledged =
      byKind.task.acknowledged + byKind.cas.acknowledged + byKind.push.acknowledged;
    const found = byKind.task.found + byKind.cas.found + byKind.push.found;
    return {
      acknowledged,
      found,
      lost: acknowledged - found,
      byKind,
      inconsistentCounters,
      lostExamples,
    };
  }
}

function snapshot<K, V>(map: Map<K, V[]>): [K, V[]][] {
  return [...map].map(([key, values]) => [key, [...values]]);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
