import type fc from 'fast-check';

/** How many random cases each property of the suite runs. */
export interface PropertyRuns {
  /** Random tasks saved and loaded back. Default 25. */
  readonly roundTrip: number;
  /** Random command sequences checked against the model. Default 15. */
  readonly sequences: number;
  /** Most commands in one sequence. Default 25. */
  readonly commandsPerSequence: number;
  /** Random hostile ids, scopes and page tokens (each). Default 20. */
  readonly hostile: number;
}

/** Modest defaults: the suite runs against many harnesses in CI. */
export const DEFAULT_PROPERTY_RUNS: PropertyRuns = Object.freeze({
  roundTrip: 25,
  sequences: 15,
  commandsPerSequence: 25,
  hostile: 20,
});

/**
 * Environment knobs for running the properties harder locally: `A2A_STORES_PROPERTY_RUNS=500`
 * runs every property that many times; `A2A_STORES_PROPERTY_SEED` (with
 * `A2A_STORES_PROPERTY_PATH`) replays the failure fast-check printed.
 */
export function propertyRunsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  defaults: PropertyRuns = DEFAULT_PROPERTY_RUNS,
): PropertyRuns {
  const raw = env.A2A_STORES_PROPERTY_RUNS;
  if (raw === undefined || raw === '') return defaults;
  const runs = Number(raw);
  if (!Number.isSafeInteger(runs) || runs < 1) {
    throw new TypeError(`A2A_STORES_PROPERTY_RUNS must be a positive integer, got ${raw}`);
  }
  return { ...defaults, roundTrip: runs, sequences: runs, hostile: runs };
}

/** fast-check parameters for one property: `numRuns`, plus the replay seed from the env. */
export function checkParameters<T>(
  numRuns: number,
  env: NodeJS.ProcessEnv = process.env,
): fc.Parameters<T> {
  const seed = env.A2A_STORES_PROPERTY_SEED;
  const path = env.A2A_STORES_PROPERTY_PATH;
  return {
    numRuns,
    ...(seed ? { seed: Number(seed) } : {}),
    ...(seed && path ? { path } : {}),
  };
}
