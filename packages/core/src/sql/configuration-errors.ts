import { type ConfigurationProblem, StoreConfigurationError } from '../configuration-error.js';

/**
 * How one engine names its configuration errors: its codes (SQLSTATEs, errnos...) mapped to the
 * problem each means, plus an optional refinement for codes whose meaning depends on the message
 * (PostgreSQL reports "TLS required" as a generic 28000).
 */
export interface ConfigurationCodes {
  /** The engine's name in messages, e.g. `'MySQL'`. */
  readonly engine: string;
  /** Engine code → problem. */
  readonly codes: ReadonlyMap<string, ConfigurationProblem>;
  /** Reads the engine code of a driver error (undefined when it has none). */
  readonly codeOf: (error: unknown) => string | undefined;
  /** How the code is named in messages, e.g. `(code) => \`SQLSTATE ${code}\``. */
  readonly describe: (code: string) => string;
  /** A different problem for this particular error, e.g. from its message; undefined keeps the table's. */
  readonly refine?: (error: unknown, problem: ConfigurationProblem) => ConfigurationProblem;
}

/**
 * The typed, non-retryable {@link StoreConfigurationError} for `error` when its code (or a code
 * on its `cause` chain) is one of `table`'s configuration errors; undefined otherwise. Adapters
 * call it before their "unavailable" mapping, since drivers flag a refused login as fatal.
 */
export function configurationErrorOf(
  error: unknown,
  table: ConfigurationCodes,
): StoreConfigurationError | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    if (current instanceof StoreConfigurationError) return current;
    const code = table.codeOf(current);
    const problem = code === undefined ? undefined : table.codes.get(code);
    if (code !== undefined && problem !== undefined) {
      const refined = table.refine?.(current, problem) ?? problem;
      return new StoreConfigurationError(table.engine, refined, table.describe(code), {
        cause: error,
      });
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
