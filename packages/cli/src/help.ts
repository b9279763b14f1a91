import { TASK_STATE_NAMES } from './task-state-names.js';

const TARGET = `Target:
  --url <url>            sqlite:./file.db | postgres://… | mysql://… | redis://… | rediss://…
                         (default: $A2A_STORE_URL). Passwords are never printed.
  --schema <name>        PostgreSQL schema (default public)
  --table-prefix <p>     SQL table prefix (default a2a_)
  --key-prefix <p>       Redis key prefix (default a2a:)
  --json                 one JSON document on stdout instead of lines`;

const TOPICS: Record<string, string> = {
  migrate: `a2a-stores migrate [status] [--dry-run | --sql --dialect <d>] [target options]

  migrate             apply pending migrations (idempotent, safe to run from every deploy)
  migrate status      list applied and pending migrations, change nothing; exit code 4 when
                      migrations are pending (gate a deploy on it)
  migrate --dry-run   print the SQL of the pending migrations, change nothing
  migrate --sql --dialect postgres|mysql|sqlite [--schema s] [--table-prefix p]
                      offline: print the complete script (schema, ledger table, every step and
                      its ledger row) for psql / mysql / sqlite3; no database needed

${TARGET}`,
  purge: `a2a-stores purge --older-than <30d|12h|15m|90s|2w> [--states a,b] [--batch-size N] [--dry-run] [target options]

  Deletes tasks (and their push configs) in every scope whose last write is older than the
  window. Default states: completed, failed, canceled, rejected.
  States: ${TASK_STATE_NAMES.join(', ')}
  --batch-size        rows per statement, 1-10000 (default 500)
  --dry-run           count what would be deleted, delete nothing (SQL: the purge runs in
                      a transaction that is rolled back; Redis: its selection runs read-only)

${TARGET}`,
  'rotate-keys': `a2a-stores rotate-keys --scopes-file <file|-> [keyring] [--checkpoint-file <f>] [--batch-size N] [target options]

  Re-wraps every @a2a-stores/kms data key of the listed scopes under the keyring's primary
  master key (ciphertexts untouched; records already under it are skipped, so re-runs are cheap).
  Keyring (key material is never printed):
  --keys-file <f>     local keys, JSON { "primary": "k2", "keys": { "k1": "<base64>", "k2": "…" } }
                      (default: $A2A_STORES_KEYS_FILE); keep the old key listed
  --kms-key-id <arn>  AWS KMS key new data keys go under (default: $A2A_KMS_KEY_ARN); region and
                      credentials from the AWS environment. With --keys-file too, KMS is the
                      primary and the local keys only open old data (local → KMS move)
  --kms-decrypt-key-arns <a,b>  KMS keys old data may be under (the old key's ARN)
  --scopes-file <f>   the scopes to walk: JSON Lines or a JSON array of {"tenant","owner"}; - is stdin
  --checkpoint-file <f>  save the position after every batch; a re-run resumes there
  --batch-size        tasks per page, 1-100 (default 100)

${TARGET}`,
  bench: `a2a-stores bench [harness options]

  Runs the benchmark harness of the a2a-stores repository (tooling/bench, not published) when
  run inside a checkout of it, with the options given (e.g. --quick, --backends sqlite,postgres).
  Outside a checkout it says how to get one (exit code 5).`,
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
  rotate-keys         re-wrap @a2a-stores/kms data keys under a new master key
  conformance         run the conformance suite against your own adapter
  bench               run the repository's benchmark harness
  help [command]      this text, or a command's
  version             the CLI's version

Exit codes:
  0 ok  1 operation failed  2 usage error  3 target unreachable
  4 schema not migrated (also: migrate status found pending migrations)  5 a package the command needs is not installed

Run \`a2a-stores help <command>\` for its options.`;
}
