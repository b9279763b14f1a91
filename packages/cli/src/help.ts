import { TASK_STATE_NAMES } from './task-state-names.js';

const TARGET = `Target:
  --url <url>            sqlite:./file.db | postgres://… | mysql://… | redis://… | rediss://…
                         (default: $A2A_STORE_URL). Passwords are never printed.
  --schema <name>        PostgreSQL schema (default public)
  --table-prefix <p>     SQL table prefix (default a2a_)
  --key-prefix <p>       Redis key prefix (default a2a:)
  --json                 one JSON document on stdout instead of lines`;

const TOPICS: Record<string, string> = {
  migrate: `a2a-stores migrate [status] [--dry-run] [target options]

  migrate             apply pending migrations (idempotent, safe to run from every deploy)
  migrate status      list applied and pending migrations, change nothing
  migrate --dry-run   print the SQL of the pending migrations, change nothing

${TARGET}`,
  purge: `a2a-stores purge --older-than <30d|12h|15m|90s|2w> [--states a,b] [--batch-size N] [target options]

  Deletes tasks (and their push configs) in every scope whose last write is older than the
  window. Default states: completed, failed, canceled, rejected.
  States: ${TASK_STATE_NAMES.join(', ')}
  --batch-size        rows per statement, 1-10000 (default 500)

${TARGET}`,
  conformance: `a2a-stores conformance --module <file> [--export harness] [--json]

  Runs the @a2a-stores/core conformance suite (with vitest from your project) against the
  StoreHarness that <file> exports as "harness" (or --export <name>, or default).`,
};

/** True when `topic` has its own help text. */
export function hasHelpTopic(topic: string): boolean {
  return Object.hasOwn(TOPICS, topic);
}

/** The general help, or one command's. */
export function helpText(topic?: string): string {
  if (topic !== undefined && TOPICS[topic] !== undefined) return TOPICS[topic];
  return `a2a-stores <command> [options]

Commands:
  migrate [status]    apply (or inspect) the schema migrations of a target
  purge               delete finished tasks older than a retention window
  conformance         run the conformance suite against your own adapter
  help [command]      this text, or a command's
  version             the CLI's version

Exit codes:
  0 ok  1 operation failed  2 usage error  3 target unreachable
  4 schema not migrated  5 adapter package or vitest not installed

Run \`a2a-stores help <command>\` for its options.`;
}
