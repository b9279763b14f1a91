import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTaskStore } from '@a2a-js/sdk/server';
import { callContext, randomScope } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCasRace } from '../src/cas-race.js';
import { runHandlerRaces } from '../src/handler-race.js';
import { LatentTaskStore } from '../src/latent-task-store.js';
import { type AdapterKind, openStores, type Stores } from '../src/open-stores.js';
import { seededRandom } from '../src/random.js';
import { writeResult } from '../src/results.js';

const HANDLER_ROUNDS = 20;
const CAS = { tasks: 4, incrementersPerTask: 8, incrementsEach: 8 } as const;

const dir = mkdtempSync(join(tmpdir(), 'a2a-reliability-races-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The SDK's ResultManager warns on the console each time its own guard ignores a late status
// update for a terminal task; the races provoke that on purpose, so those lines are counted.
let sdkIgnoredUpdates = 0;
const consoleWarn = console.warn.bind(console);
beforeAll(() => {
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (String(args[0]).startsWith('ResultManager: ignoring status update')) sdkIgnoredUpdates++;
    else consoleWarn(...args);
  });
});
afterAll(() => vi.restoreAllMocks());

// Server adapters use the shared test services (their own tables or key prefix, a random scope
// per run); SQLite a file of this run.
for (const kind of [
  'sqlite',
  'postgres',
  'mysql',
  'redis',
] as const satisfies readonly AdapterKind[]) {
  describe(`${kind}: concurrent writers on the same task`, () => {
    let stores: Stores | undefined;
    let staleWrites = 0;

    beforeAll(async () => {
      const target =
        kind === 'sqlite' ? join(dir, 'races.db') : (await resolveTestBackend(kind)).url;
      stores = openStores(kind, target, { hooks: { onStaleWrite: () => void staleWrites++ } });
      await stores.migrate();
    }, 120_000);

    afterAll(async () => {
      await stores?.close();
    });

    it(`send, stream and cancel racing through the SDK handler never regress a terminal state (${HANDLER_ROUNDS} rounds)`, async () => {
      const ignoredBefore = sdkIgnoredUpdates;
      const figures = await runHandlerRaces({
        taskStore: stores!.taskStore,
        rounds: HANDLER_ROUNDS,
        random: seededRandom(),
        staleWritesDropped: () => staleWrites,
      });
      writeResult(`races-handler-${kind}`, {
        ...figures,
        sdkIgnoredStatusUpdates: sdkIgnoredUpdates - ignoredBefore,
      });

      expect(figures.unexpectedErrors).toEqual([]);
      expect(figures.hung).toBe(0);
      expect(figures.roundsWithRegression).toBe(0);
      expect(figures.finalNotTerminal).toBe(0);
      expect(figures.finalCanceled + figures.finalCompleted).toBe(HANDLER_ROUNDS);
      expect(figures.cancelReplyMismatches).toBe(0);
      expect(figures.cancelAccepted + figures.cancelRefused).toBe(HANDLER_ROUNDS);
      expect(figures.observations).toBeGreaterThan(HANDLER_ROUNDS);
    }, 120_000);

    it(`${CAS.tasks} tasks x ${CAS.incrementersPerTask} concurrent saveIfVersion incrementers never lose an increment`, async () => {
      const figures = await runCasRace({
        taskStore: stores!.taskStore,
        context: callContext(randomScope()),
        ...CAS,
      });
      writeResult(`races-cas-${kind}`, { ...figures });

      expect(figures.successfulCas).toBe(CAS.tasks * CAS.incrementersPerTask * CAS.incrementsEach);
      expect(figures.finalCounterSum).toBe(figures.successfulCas);
      expect(figures.lostIncrements).toBe(0);
      expect(figures.versionMismatches).toEqual([]);
    }, 120_000);
  });
}

// The control: the same races against the SDK's own store, given one event-loop turn per call as
// any database has. It has no terminal-state guard, so the checks above must catch it regressing.
describe("control: the SDK's InMemoryTaskStore (one event-loop turn per call) under the same races", () => {
  it('regresses terminal states, which proves the race check can fail', async () => {
    const ignoredBefore = sdkIgnoredUpdates;
    const figures = await runHandlerRaces({
      taskStore: new LatentTaskStore(new InMemoryTaskStore()),
      rounds: HANDLER_ROUNDS,
      random: seededRandom(),
      staleWritesDropped: () => 0,
    });
    writeResult('races-handler-sdk-in-memory', {
      ...figures,
      sdkIgnoredStatusUpdates: sdkIgnoredUpdates - ignoredBefore,
    });
    expect(figures.hung).toBe(0);
    expect(figures.roundsWithRegression + figures.cancelReplyMismatches).toBeGreaterThan(0);
  }, 120_000);
});
