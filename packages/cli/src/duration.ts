import { UsageError } from './exit-codes.js';

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses `30d`, `12h`, `15m`, `90s`, `2w` (one positive integer and one unit) into milliseconds.
 * Anything else is a usage error: a retention window is too important to guess.
 */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `${option}: expected a duration like 30d, 12h, 15m, 90s or 2w, got ${JSON.stringify(text)}`,
    );
  }
  const amount = Number(match[1]);
  const ms = amount * UNIT_MS[match[2]!]!;
  if (amount <= 0 || !Number.isSafeInteger(ms)) {
    throw new UsageError(`${option}: the duration must be positive and reasonable, got ${text}`);
  }
  return ms;
}
