import { InvalidInputError } from '../errors.js';

/**
 * What a configurable schema, database or table-prefix name may contain: lower-case ASCII
 * letters, digits and underscores, not starting with a digit. Strict on purpose: such a name is
 * spliced into SQL text (quoted), so it must never carry a quote, a dot or a case surprise.
 */
export const SQL_IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_]*$/;

export interface SqlIdentifierRules {
  /** Longest accepted name in characters (PostgreSQL 63, MySQL 64, minus any suffix added to it). */
  readonly maxLength: number;
  /** Accept `''` (e.g. an empty table prefix). Default false. */
  readonly allowEmpty?: boolean;
}

/**
 * Refuses a configured SQL name that is not a plain lower-case identifier, with a typed
 * `InvalidInputError` naming the option, before any query is built from it.
 *
 * @example
 * ```ts
 * import { assertSqlIdentifier } from '@a2a-stores/core';
 * assertSqlIdentifier('a2a_', 'tablePrefix', { maxLength: 40, allowEmpty: true });
 * ```
 */
export function assertSqlIdentifier(
  value: unknown,
  what: string,
  rules: SqlIdentifierRules,
): asserts value is string {
  if (typeof value !== 'string') throw new InvalidInputError(`${what} must be a string`);
  if (value === '' && rules.allowEmpty) return;
  if (!SQL_IDENTIFIER_PATTERN.test(value)) {
    throw new InvalidInputError(
      `${what} must match ${SQL_IDENTIFIER_PATTERN} (lower-case letters, digits, underscores), got ${JSON.stringify(value)}`,
    );
  }
  if (value.length > rules.maxLength) {
    throw new InvalidInputError(`${what} must be at most ${rules.maxLength} characters`);
  }
}

/**
 * Quotes an identifier for SQL text: `"x"` for PostgreSQL, `` `x` `` for MySQL. The quote
 * character is doubled inside the name, so the result is safe even for names that were not
 * validated by {@link assertSqlIdentifier}.
 */
export function quoteSqlIdentifier(name: string, quote: '"' | '`'): string {
  return quote + name.split(quote).join(quote + quote) + quote;
}
