import { existsSync } from 'node:fs';
import { CliError, ExitCode } from './exit-codes.js';
import type { TargetSpec } from './target-url.js';

/**
 * For commands that must change nothing (`migrate status`, `migrate --dry-run`, `purge`):
 * refuses a SQLite file that does not exist, since opening it would create an empty database
 * (and a `purge` of it would "succeed" on nothing, hiding a wrong path). Other targets are
 * servers, whose adapters never create a database.
 */
export function assertTargetExists(spec: TargetSpec, cwd: string = process.cwd()): void {
  if (spec.kind !== 'sqlite' || spec.filename === ':memory:') return;
  const path = spec.filename.startsWith('/') ? spec.filename : `${cwd}/${spec.filename}`;
  if (!existsSync(path)) {
    throw new CliError(
      ExitCode.unreachable,
      `SQLite database ${JSON.stringify(spec.filename)} does not exist (nothing was created); check the path, or run \`a2a-stores migrate\` to create it`,
    );
  }
}
