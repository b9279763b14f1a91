import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { callContext, randomScope } from '@a2a-stores/core/conformance';
import BetterSqlite3 from 'better-sqlite3';
import { type Ack, AckLedger, type LedgerCheck } from './ack-ledger.js';
import { openStores } from './open-stores.js';
import type { Random } from './random.js';
import { createCounters } from './write-workload.js';

const CHILD = fileURLToPath(new URL('./sqlite-crash-child.ts', import.meta.url));
const COUNTERS = 3;

type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'ack'; readonly ack: Ack }
  | { readonly type: 'failed'; readonly error: string };

/** Options of {@link runSqliteCrashRounds}. */
export interface SqliteCrashOptions {
  readonly filename: string;
  readonly rounds: number;
  /** Concurrent writer loops inside each child. */
  readonly writers: number;
  readonly random: Random;
  /** Acknowledged writes (as received by the parent) after which a child is killed. */
  readonly acksBeforeKill: readonly [number, number];
}

/** One round: how the child was killed and what the reopened database held. */
export interface SqliteCrashRound {
  readonly killedAfterAcks: number;
  readonly exitSignal: string | null;
  readonly integrityCheck: string;
  readonly migrationsApplied: number;
  readonly check: LedgerCheck;
}

export interface SqliteCrashFigures {
  readonly seed: number;
  readonly rounds: readonly SqliteCrashRound[];
  readonly acknowledged: number;
  readonly found: number;
  readonly lost: number;
  readonly byKind: LedgerCheck['byKind'];
  readonly inconsistentCounters: readonly string[];
  readonly childFailures: readonly string[];
}

/**
 * `rounds` times: forks a child that writes to `filename` and reports each acknowledged write,
 * SIGKILLs it after a random number of acknowledgements, then checks that the file opens cleanly
 * (`PRAGMA integrity_check`, migrations up to date) and holds every write acknowledged in any
 * round so far.
 */
export async function runSqliteCrashRounds(
  options: SqliteCrashOptions,
): Promise<SqliteCrashFigures> {
  const scope = randomScope();
  const context = callContext(scope);
  const counterIds = Array.from({ length: COUNTERS }, (_, i) => `counter-${i}`);
  const setup = openStores('sqlite', options.filename);
  await setup.migrate();
  await createCounters(setup, context, counterIds);
  await setup.close();

  const ledger = new AckLedger();
  const childFailures: string[] = [];
  const rounds: SqliteCrashRound[] = [];
  let last: LedgerCheck | undefined;

  for (let round = 0; round < options.rounds; round++) {
    const killAfter = options.random.int(...options.acksBeforeKill);
    const child = fork(
      CHILD,
      [
        options.filename,
        scope.tenant,
        scope.owner,
        `r${round}`,
        counterIds.join(','),
        String(options.writers),
      ],
      { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const exited = new Promise<string | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`));
    });
    let acks = 0;
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') child.send({ type: 'go' });
      else if (message.type === 'failed') childFailures.push(message.error);
      else if (message.type === 'ack') {
        ledger.record(message.ack);
        // Killed from inside the handler: the child is mid-write of whatever comes next.
        if (++acks === killAfter) child.kill('SIGKILL');
      }
    });
    const exitSignal = await exited;

    const raw = new BetterSqlite3(options.filename);
    const integrityCheck = String(raw.pragma('integrity_check', { simple: true }));
    raw.close();
    const reopened = openStores('sqlite', options.filename);
    try {
      const migrationsApplied = (await reopened.migrate()).applied.length;
      last = await ledger.check(reopened, context);
      rounds.push({
        killedAfterAcks: acks,
        exitSignal,
        integrityCheck,
        migrationsApplied,
        check: last,
      });
    } finally {
      await reopened.close();
    }
  }

  return {
    seed: options.random.seed,
    rounds,
    acknowledged: last?.acknowledged ?? 0,
    found: last?.found ?? 0,
    lost: last?.lost ?? 0,
    byKind: last?.byKind ?? {
      task: { acknowledged: 0, found: 0 },
      cas: { acknowledged: 0, found: 0 },
      push: { acknowledged: 0, found: 0 },
    },
    inconsistentCounters: last?.inconsistentCounters ?? [],
    childFailures,
  };
}
