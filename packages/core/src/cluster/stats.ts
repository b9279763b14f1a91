/** Counters of one cluster worker, for tests and diagnostics (`cluster.stats()`). */
export interface ClusterStats {
  /** Executions running on this worker now. */
  readonly localExecutions: number;
  /** Proxy buses relaying another worker's execution to subscribers here now. */
  readonly remoteProxies: number;
  /** Events published on task channels by this worker. */
  readonly eventsRelayed: number;
  /** Events received from other workers and delivered to a proxy bus. */
  readonly eventsDelivered: number;
  /** Duplicate or out-of-date events dropped by proxies. */
  readonly duplicatesDropped: number;
  /** Malformed envelopes dropped. */
  readonly malformedDropped: number;
  /** Channel publishes that failed (logged, not thrown). */
  readonly publishFailures: number;
  /** Cancels this worker routed to another worker, and cancels it ran for another worker. */
  readonly cancelsRouted: number;
  readonly cancelsServed: number;
  /** Leases taken over by this worker's sweeper, by outcome. */
  readonly recovered: { failed: number; resumed: number; left: number; released: number };
  /** Push sends passed to the inner sender, and repeats suppressed. */
  readonly pushesSent: number;
  readonly pushesSuppressed: number;
}

export type MutableStats = {
  -readonly [K in keyof ClusterStats]: ClusterStats[K] extends object
    ? { [P in keyof ClusterStats[K]]: number }
    : number;
};

export function emptyStats(): MutableStats {
  return {
    localExecutions: 0,
    remoteProxies: 0,
    eventsRelayed: 0,
    eventsDelivered: 0,
    duplicatesDropped: 0,
    malformedDropped: 0,
    publishFailures: 0,
    cancelsRouted: 0,
    cancelsServed: 0,
    recovered: { failed: 0, resumed: 0, left: 0, released: 0 },
    pushesSent: 0,
    pushesSuppressed: 0,
  };
}
