import { StoreUnavailableError } from '@a2a-stores/core';
import { callContext, randomScope } from '@a2a-stores/core/conformance';
import { waitFor } from '@a2a-stores/test-backends';
import { AckLedger, type LedgerCheck } from './ack-ledger.js';
import { type Gate, gate } from './bounded.js';
import type { Stores } from './open-stores.js';
import { type OutageProbe, probeOutage } from './outage-probe.js';
import type { PrivateServer } from './private-server.js';
import type { Random } from './random.js';
import { createCounters, runWriter, type WriterStats } from './write-workload.js';

/** Options of {@link runServerCrashRounds}. */
export interface ServerCrashOptions {
  readonly server: PrivateServer;
  /** Stores opened on `server.url` and migrated; they stay open through every crash. */
  readonly stores: Stores;
  readonly rounds: number;
  readonly writers: number;
  readonly random: Random;
  /** Acknowledged writes between two kills, drawn in this range. */
  readonly acksBetweenKills: readonly [number, number];
}

/** The figures of a run; `lost` must be 0. */
export interface ServerCrashFigures {
  readonly seed: number;
  readonly rounds: number;
  readonly acknowledged: number;
  readonly found: number;
  readonly lost: number;
  readonly byKind: LedgerCheck['byKind'];
  readonly inconsistentCounters: readonly string[];
  readonly lostExamples: readonly string[];
  /** Checks after each restart that found a lost write (must be 0). */
  readonly roundsWithLoss: number;
  readonly writesFailed: number;
  /** Failed writes whose error was not `StoreUnavailableError` (must be 0), by message. */
  readonly untypedFailures: readonly string[];
  readonly casConflicts: number;
  /** The calls made while the server was down, summed over rounds. */
  readonly outage: {
    readonly calls: number;
    readonly typed: number;
    readonly hung: number;
    readonly other: readonly string[];
    readonly maxCallMs: number;
  };
  /** Longest time from the server accepting connections again to the same store serving, ms. */
  readonly maxRecoveryMs: number;
}

const COUNTERS = 4;

/**
 * Runs a mixed write load against `stores` and, `rounds` times, SIGKILLs the server after a
 * random number of acknowledged writes, probes every kind of store call during the outage,
 * restarts the server, waits for the same stores to serve again (no reconnect by the test) and
 * checks that every write acknowledged so far is still there.
 */
export async function runServerCrashRounds(
  options: ServerCrashOptions,
): Promise<ServerCrashFigures> {
  const { server, stores, random } = options;
  const context = callContext(randomScope());
  const counterIds = Array.from({ length: COUNTERS }, (_, i) => `counter-${i}`);
  await createCounters(stores, context, counterIds);

  const ledger = new AckLedger();
  const untypedFailures: string[] = [];
  const probes: OutageProbe[] = [];
  let outage: Gate | undefined;
  let running = true;
  let maxRecoveryMs = 0;
  let roundsWithLoss = 0;

  const writers: Promise<WriterStats>[] = [];
  for (let w = 0; w < options.writers; w++) {
    writers.push(
      runWriter({
        stores,
        context,
        name: `w${w}`,
        counterIds,
        onAck: (ack) => ledger.record(ack),
        running: () => running,
        onFailure: async (error) => {
          if (!(error instanceof StoreUnavailableError)) {
            untypedFailures.push(`${(error as Error)?.name}: ${(error as Error)?.message}`);
          }
          // Parked until the server is back; a failure outside an outage (a pooled connection
          // that died with the old server) is retried at once.
          if (outage) await outage.wait;
        },
      }),
    );
  }
  // A writer that throws ends the run here rather than leaving the wait below to time out.
  const writersFailed = Promise.all(writers).then(() => {
    throw new Error('the writers stopped before the test stopped them');
  });
  writersFailed.catch(() => {});
  const untilAcked = (count: number, what: string) =>
    Promise.race([waitFor(what, async () => ledger.acknowledged >= count, 60_000), writersFailed]);

  for (let round = 0; round < options.rounds; round++) {
    const target = ledger.acknowledged + random.int(...options.acksBetweenKills);
    await untilAcked(target, `${target} acknowledged writes before kill ${round + 1}`);
    outage = gate();
    await server.kill();
    probes.push(await probeOutage(stores, context, counterIds[0]!));
    await server.restart();
    const restartedAt = performance.now();
    await waitFor(
      `the same ${server.kind} stores to serve after restart ${round + 1}`,
      async () => (await stores.taskStore.load(counterIds[0]!, context)) !== undefined,
      60_000,
    );
    maxRecoveryMs = Math.max(maxRecoveryMs, Math.round(performance.now() - restartedAt));
    const parked = outage;
    outage = undefined;
    parked.open();
    if ((await ledger.check(stores, context)).lost > 0) roundsWithLoss++;
  }

  // Load goes on after the last restart before the final check.
  await untilAcked(ledger.acknowledged + 50, 'writes after the last restart');
  running = false;
  const stats = await Promise.all(writers);
  const check = await ledger.check(stores, context);
  return {
    seed: random.seed,
    rounds: options.rounds,
    acknowledged: check.acknowledged,
    found: check.found,
    lost: check.lost,
    byKind: check.byKind,
    inconsistentCounters: check.inconsistentCounters,
    lostExamples: check.lostExamples,
    roundsWithLoss,
    writesFailed: stats.reduce((sum, s) => sum + s.failed, 0),
    untypedFailures,
    casConflicts: stats.reduce((sum, s) => sum + s.casConflicts, 0),
    outage: {
      calls: probes.reduce((sum, p) => sum + p.calls, 0),
      typed: probes.reduce((sum, p) => sum + p.typed, 0),
      hung: probes.reduce((sum, p) => sum + p.hung, 0),
      other: probes.flatMap((p) => p.other),
      maxCallMs: Math.max(0, ...probes.map((p) => p.maxMs)),
    },
    maxRecoveryMs,
  };
}
