/**
 * Process exit codes of `a2a-stores`, documented in the README so deploy scripts can branch on
 * them.
 */
export const ExitCode = {
  /** The command did what it was asked. */
  ok: 0,
  /** The operation ran and failed (a failing conformance test, a database error...). */
  failed: 1,
  /** Bad arguments: unknown command or option, malformed URL, duration or state. */
  usage: 2,
  /** The target could not be reached (connection refused, DNS, timeout, auth). */
  unreachable: 3,
  /** The target's schema is not migrated (run `a2a-stores migrate`). */
  notMigrated: 4,
  /** The adapter package the URL needs is not installed. */
  adapterMissing: 5,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends the CLI with a given exit code and a message meant for the operator. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(exitCode: ExitCodeValue, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Bad command line: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(ExitCode.usage, message);
    this.name = 'UsageError';
  }
}
