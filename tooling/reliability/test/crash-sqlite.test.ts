import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../src/random.js';
import { writeResult } from '../src/results.js';
import { runSqliteCrashRounds } from '../src/sqlite-crash-rounds.js';

const ROUNDS = 10;
const dir = mkdtempSync(join(tmpdir(), 'a2a-reliability-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`sqlite: a writer process killed with SIGKILL at random points, ${ROUNDS} times`, () => {
  it('reopens cleanly after every kill and holds every write the child acknowledged', async () => {
    const figures = await runSqliteCrashRounds({
      filename: join(dir, 'crash.db'),
      rounds: ROUNDS,
      writers: 2,
      random: seededRandom(),
      acksBeforeKill: [20, 400],
    });
    writeResult('crash-sqlite', {
      ...figures,
      rounds: figures.rounds.length,
      killedAfterAcks: figures.rounds.map((round) => round.killedAfterAcks),
      roundsWithLoss: figures.rounds.filter((round) => round.check.lost > 0).length,
    });

    expect(figures.childFailures).toEqual([]);
    expect(figures.rounds).toHaveLength(ROUNDS);
    for (const [index, round] of figures.rounds.entries()) {
      expect(round.exitSignal, `round ${index}`).toBe('SIGKILL');
      expect(round.integrityCheck, `round ${index}`).toBe('ok');
      expect(round.migrationsApplied, `round ${index}`).toBe(0);
      expect(round.check.lostExamples, `round ${index}`).toEqual([]);
      expect(round.check.lost, `round ${index}`).toBe(0);
    }
    expect(figures.acknowledged).toBeGreaterThan(0);
    expect(figures.lost).toBe(0);
    expect(figures.found).toBe(figures.acknowledged);
    expect(figures.inconsistentCounters).toEqual([]);
    for (const kind of ['task', 'cas', 'push'] as const) {
      expect(figures.byKind[kind].acknowledged, kind).toBeGreaterThan(0);
    }
  }, 180_000);
});
