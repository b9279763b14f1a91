/** Bounds of {@link integerOption}; without `max`, any integer from `min` up. */
export interface IntegerBounds {
  readonly min: number;
  readonly max?: number;
}

/**
 * The integer value of command-line option `--<name>`, or `fallback` when it is absent. Throws
 * (with `usage` appended) on anything but an integer within `bounds` (default: positive).
 */
export function integerOption(
  name: string,
  value: string | undefined,
  fallback: number,
  usage: string,
  bounds: IntegerBounds = { min: 1 },
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  const { min, max } = bounds;
  if (!Number.isInteger(parsed) || parsed < min || (max !== undefined && parsed > max)) {
    const expected =
      max !== undefined
        ? `an integer from ${min} to ${max}`
        : min === 1
          ? 'a positive integer'
          : `an integer of at least ${min}`;
    throw new Error(`--${name} must be ${expected}, got "${value}"\n\n${usage}`);
  }
  return parsed;
}

/**
 * The comma-separated names of `value`, each one of `known`; all of `known` when absent.
 * Throws on an unknown name.
 */
export function nameListOption<Name extends string>(
  value: string | undefined,
  known: readonly Name[],
  what = 'backend',
): Name[] {
  if (value === undefined) return [...known];
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(known as readonly string[]).includes(name)) {
      throw new Error(`unknown ${what} "${name}"; expected ${known.join(', ')}`);
    }
  }
  return names as Name[];
}
