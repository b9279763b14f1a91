import { CliError, ExitCode } from './exit-codes.js';

/** Driver error codes that mean "could not reach or log in to the target". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'SQLITE_CANTOPEN',
  // PostgreSQL: invalid password, invalid authorization, database does not exist.
  '28P01',
  '28000',
  '3D000',
  // MySQL / MariaDB: access denied, unknown database.
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
]);

/**
 * Maps anything a command threw to the exit code it deserves. Codes are compared by value, not
 * `instanceof`: the adapter may load its own copy of `@a2a-stores/core`.
 */
export function classifyError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  for (const code of codesOf(error)) {
    if (code === 'SCHEMA_NOT_MIGRATED') {
      return new CliError(ExitCode.notMigrated, message, { cause: error });
    }
    if (code === 'STORE_CONFIGURATION') {
      return new CliError(ExitCode.unreachable, `target misconfigured: ${message}`, {
        cause: error,
      });
    }
    if (code === 'STORE_UNAVAILABLE' || code === 'KMS_UNAVAILABLE' || UNREACHABLE_CODES.has(code)) {
      return new CliError(ExitCode.unreachable, `target unreachable: ${message}`, { cause: error });
    }
    if (code === 'INVALID_INPUT') return new CliError(ExitCode.usage, message, { cause: error });
  }
  return new CliError(ExitCode.failed, message, { cause: error });
}

/** `code` of the error and of its causes (adapters wrap driver errors). */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const nested = (current as { errors?: unknown }).errors;
    if (Array.isArray(nested)) codes.push(...nested.flatMap((inner) => codesOf(inner)));
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}
