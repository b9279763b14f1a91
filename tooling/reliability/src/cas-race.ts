import type { ServerCallContext } from '@a2a-js/sdk/server';
import { type ScopedTaskStore, VersionConflictError } from '@a2a-stores/core';
import { loadTask } from './fixtures.js';

/** Options of {@link runCasRace}. */
export interface CasRaceOptions {
  readonly taskStore: ScopedTaskStore;
  readonly context: ServerCallContext;
  readonly tasks: number;
  readonly incrementersPerTask: number;
  /** Successful increments each incrementer makes before it stops. */
  readonly incrementsEach: number;
}

/** Must hold: `finalCounterSum === successfulCas`, `lostIncrements === 0`. */
export interface CasRaceFigures {
  tasks: number;
  incrementers: number;
  successfulCas: number;
  conflicts: number;
  finalCounterSum: number;
  lostIncrements: number;
  /** Tasks whose final version is not 1 + their successful increments. */
  versionMismatches: string[];
}

function counterOf(metadata: unknown): number {
  const value = (metadata as { counter?: unknown } | undefined)?.counter;
  if (typeof value !== 'number') throw new Error(`counter is ${String(value)}`);
  return value;
}

/**
 * Several tasks, each hammered by concurrent incrementers doing read, +1, `saveIfVersion`
 * (retrying with a fresh read on `VersionConflictError`). Every successful compare-and-set must
 * show in the final counter: a lost update would leave it short of the success count.
 */
export async function runCasRace(options: CasRaceOptions): Promise<CasRaceFigures> {
  const { taskStore, context } = options;
  const ids = Array.from({ length: options.tasks }, (_, i) => `cas-${i}-${Date.now()}`);
  for (const id of ids) {
    await taskStore.saveIfVersion(loadTask(id, { counter: 0 }), context, null);
  }
  const successes = new Map<string, number>(ids.map((id) => [id, 0]));
  let conflicts = 0;

  const incrementer = async (id: string) => {
    for (let done = 0; done < options.incrementsEach; ) {
      const current = await taskStore.loadVersioned(id, context);
      if (!current) throw new Error(`task ${id} vanished`);
      const next = { ...current.task, metadata: { counter: counterOf(current.task.metadata) + 1 } };
      try {
        await taskStore.saveIfVersion(next, context, current.version);
        done++;
        successes.set(id, successes.get(id)! + 1);
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        conflicts++;
      }
    }
  };
  await Promise.all(
    ids.flatMap((id) => Array.from({ length: options.incrementersPerTask }, () => incrementer(id))),
  );

  let finalCounterSum = 0;
  const versionMismatches: string[] = [];
  for (const id of ids) {
    const stored = await taskStore.loadVersioned(id, context);
    const counter = counterOf(stored?.task.metadata);
    finalCounterSum += counter;
    if (stored?.version !== 1 + successes.get(id)!) {
      versionMismatches.push(`${id}: version ${stored?.version}, ${successes.get(id)} increments`);
    }
  }
  const successfulCas = [...successes.values()].reduce((a, b) => a + b, 0);
  return {
    tasks: ids.length,
    incrementers: ids.length * options.incrementersPerTask,
    successfulCas,
    conflicts,
    finalCounterSum,
    lostIncrements: successfulCas - finalCounterSum,
    versionMismatches,
  };
}
