import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores, type Stores } from '../src/open-stores.js';
import { OUTAGE_CALL_LIMIT_MS } from '../src/outage-probe.js';
import { type PrivateServer, type ServerKind, startPrivateServer } from '../src/private-server.js';
import { seededRandom } from '../src/random.js';
import { writeResult } from '../src/results.js';
import { runServerCrashRounds } from '../src/server-crash-rounds.js';

const ROUNDS = 6;
const WRITERS = 4;

// Each server is private to this file (own data directory, free loopback port) and started with
// the durable settings of its kind, so killing it disturbs nothing else.
for (const kind of ['postgres', 'mysql', 'redis'] as const satisfies readonly ServerKind[]) {
  describe(`${kind}: server killed with SIGKILL mid-load and restarted, ${ROUNDS} times`, () => {
    let server: PrivateServer | undefined;
    let stores: Stores | undefined;

    beforeAll(async () => {
      server = await startPrivateServer(kind);
      stores = openStores(kind, server.url);
      await stores.migrate();
    }, 120_000);

    afterAll(async () => {
      await stores?.close();
      await server?.destroy();
    });

    it('loses no acknowledged write, fails calls fast with typed errors while down, and recovers on its own', async () => {
      const figures = await runServerCrashRounds({
        server: server!,
        stores: stores!,
        rounds: ROUNDS,
        writers: WRITERS,
        random: seededRandom(),
        acksBetweenKills: [60, 300],
      });
      writeResult(`crash-${kind}`, { ...figures, outageCallLimitMs: OUTAGE_CALL_LIMIT_MS });

      expect(figures.acknowledged).toBeGreaterThan(0);
      expect(figures.lostExamples).toEqual([]);
      expect(figures.lost).toBe(0);
      expect(figures.roundsWithLoss).toBe(0);
      expect(figures.inconsistentCounters).toEqual([]);
      for (const kindOfWrite of ['task', 'cas', 'push'] as const) {
        expect(figures.byKind[kindOfWrite].acknowledged, kindOfWrite).toBeGreaterThan(0);
      }
      // Writes in flight at each kill failed, and only with the typed error.
      expect(figures.writesFailed).toBeGreaterThan(0);
      expect(figures.untypedFailures).toEqual([]);
      // During each outage every kind of call settled within the bound, as StoreUnavailableError.
      expect(figures.outage.hung).toBe(0);
      expect(figures.outage.other).toEqual([]);
      expect(figures.outage.typed).toBe(figures.outage.calls);
      expect(figures.outage.calls).toBe(ROUNDS * 9);
    }, 180_000);
  });
}
